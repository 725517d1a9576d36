"""What matching does when a lower app tells it something changed (DESIGN "Layers")."""

from django.dispatch import receiver

from matching import availability, services
from profiles.models import Membership, MentorProfile
from profiles.signals import membership_left, mentor_hidden


@receiver(membership_left, dispatch_uid="matching-membership-left")
def close_requests_of_leaver(sender, *, membership: Membership, **kwargs) -> None:
    services.close_requests_of_leaver(membership)


@receiver(mentor_hidden, dispatch_uid="matching-mentor-hidden")
def close_requests_of_hidden(sender, *, profile: MentorProfile, **kwargs) -> None:
    availability.close_waiting_of_hidden(profile)
