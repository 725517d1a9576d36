"""What matching does when a lower app tells it something changed (DESIGN "Layers")."""

from django.dispatch import receiver

from matching import services
from profiles.models import Membership
from profiles.signals import membership_left


@receiver(membership_left, dispatch_uid="matching-membership-left")
def close_requests_of_leaver(sender, *, membership: Membership, **kwargs) -> None:
    services.close_requests_of_leaver(membership)
