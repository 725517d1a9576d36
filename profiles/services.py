"""Changes to mentor profiles that are more than saving a form."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from profiles.models import MentorProfile


class ProfileError(Exception):
    """A refused change; the message is the sentence the user sees."""


@transaction.atomic
def submit_for_review(profile: MentorProfile) -> MentorProfile:
    """Send a profile to the scheme team, or publish it when the scheme does not review."""
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.review_status in {
        MentorProfile.ReviewStatus.SUBMITTED,
        MentorProfile.ReviewStatus.APPROVED,
    }:
        return profile  # a double click, or already live
    percent, missing = profile.completeness()
    required_missing = [m for m in missing[:8] if m in _REQUIRED]
    if required_missing:
        raise ProfileError("Before you submit, please add " + ", ".join(required_missing) + ".")
    now = timezone.now()
    profile.submitted_at = now
    if settings.SCHEME_MENTOR_APPROVAL_REQUIRED:
        profile.review_status = MentorProfile.ReviewStatus.SUBMITTED
    else:
        profile.review_status = MentorProfile.ReviewStatus.APPROVED
        profile.approved_at = now
        profile.confirmed_at = profile.confirmed_at or now
    profile.save(update_fields=["review_status", "submitted_at", "approved_at", "confirmed_at"])
    return profile


_REQUIRED = {
    "a headline",
    "your current role and organisation",
    "your key areas of success",
    "areas you can help with",
    "meeting formats",
}


@transaction.atomic
def set_active(profile: MentorProfile, *, active: bool) -> MentorProfile:
    """Show or hide a mentor in the directory; running mentorships are not affected."""
    profile.is_active = active
    profile.save(update_fields=["is_active", "updated_at"])  # the signal refreshes is_listed
    return profile


@transaction.atomic
def confirm_up_to_date(profile: MentorProfile) -> MentorProfile:
    now = timezone.now()
    MentorProfile.objects.filter(pk=profile.pk).update(confirmed_at=now, updated_at=now)
    profile.confirmed_at = now
    return profile
