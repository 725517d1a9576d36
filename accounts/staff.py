"""When a staff member's extra powers apply, in the admin and on the site."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings


def has_staff_access(user) -> bool:
    """Staff who have two-factor authentication when the scheme requires it
    (MFA_REQUIRED_FOR_STAFF): without it, a stolen staff password opens nothing more than a
    participant's would. A sign-in through single sign-on whose identity provider asserted a
    second factor counts too (accounts.sso marks the request's user `idp_mfa`)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if not settings.MFA_REQUIRED_FOR_STAFF or getattr(user, "idp_mfa", False):
        return True
    return is_mfa_enabled(user)
