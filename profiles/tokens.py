"""The signed link that lets a mentor confirm their profile is up to date without signing in
(sent by profiles.emails, read by the confirm view)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from profiles.models import MentorProfile

CONFIRM_SALT = "profiles.confirm-up-to-date"
CONFIRM_MAX_AGE = timedelta(days=90)


def confirm_token(profile: MentorProfile) -> str:
    return signing.dumps(profile.pk, salt=CONFIRM_SALT, compress=True)


def profile_for_confirm_token(token: str) -> MentorProfile | None:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return MentorProfile.objects.select_related("user").filter(pk=pk).first()
