"""Changes to mentor profiles that are more than saving a form."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from mentoring.models import SchemeSettings
from profiles import cache as directory_cache
from profiles import emails
from profiles.models import MentorProfile


class ProfileError(Exception):
    """A refused change; the message is the sentence the user sees."""


# A mentor's places: only these three change `mentee_count`.


def take_place(profile: MentorProfile) -> None:
    """A mentorship starts. The caller holds the lock on the profile and has checked it has a
    free place (the matching services)."""
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=F("mentee_count") + 1)
    directory_cache.bump()  # "1 place left" on the card


def free_place(profile: MentorProfile) -> None:
    """A mentorship ends. The caller holds the lock on the profile."""
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=F("mentee_count") - 1)
    directory_cache.bump()


def recount_places(active_pairs: QuerySet) -> int:
    """Set each mentor's count from `active_pairs`, a query of active mentorships, in one UPDATE:
    for bulk loaders (the demo seeder) that write mentorships straight into their table. Mentors
    with no pair in it are left as they are. Returns how many counts changed."""
    taken = Subquery(
        active_pairs.filter(mentor=OuterRef("user"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    changed = (
        MentorProfile.objects.filter(user__in=active_pairs.values("mentor"))
        .exclude(mentee_count=taken)
        .update(mentee_count=taken)
    )
    if changed:
        directory_cache.bump()
    return changed


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


@transaction.atomic
def approve_profile(profile: MentorProfile, *, by: User) -> MentorProfile:
    """The scheme team approves a submitted profile: it appears in the directory at once."""
    profile = MentorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.review_status == MentorProfile.ReviewStatus.APPROVED:
        return profile
    if SchemeSettings.load().training_required and profile.training_completed_on is None:
        raise ProfileError(
            f"{profile.user.full_name} has not completed mentor training yet; record the date "
            "first (the scheme requires training before approval)."
        )
    now = timezone.now()
    profile.review_status = MentorProfile.ReviewStatus.APPROVED
    profile.approved_at = now
    profile.confirmed_at = profile.confirmed_at or now
    profile.review_note = ""
    profile.reviewed_by = by
    profile.save(
        update_fields=["review_status", "approved_at", "confirmed_at", "review_note", "reviewed_by"]
    )
    emails.profile_approved(profile)
    return profile


@transaction.atomic
def request_changes(profile: MentorProfile, *, by: User, message: str) -> MentorProfile:
    """The scheme team asks for changes before approving; the mentor gets the message."""
    message = message.strip()
    if not message:
        raise ProfileError("Please say what the mentor should change.")
    profile = MentorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    profile.review_status = MentorProfile.ReviewStatus.CHANGES_REQUESTED
    profile.review_note = message
    profile.reviewed_by = by
    profile.save(update_fields=["review_status", "review_note", "reviewed_by"])
    emails.profile_changes_requested(profile)
    return profile
