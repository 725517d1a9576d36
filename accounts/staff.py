"""When a staff member's extra powers apply, in the admin and on the site."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings


def has_staff_access(user) -> bool:
    """Staff who have two-factor authentication when the scheme requires it
    (MFA_REQUIRED_FOR_STAFF): without it, a stolen staff password opens nothing more than a
    participant's would."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return not settings.MFA_REQUIRED_FOR_STAFF or is_mfa_enabled(user)
