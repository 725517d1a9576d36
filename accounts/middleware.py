from __future__ import annotations

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from accounts.sso import mark_idp_mfa
from accounts.staff import has_staff_access


class StaffMFAMiddleware:
    """Staff must turn on two-factor authentication before the admin opens (when required)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        mark_idp_mfa(request)  # a second factor asserted by the identity provider counts
        if (
            request.path.startswith(self.admin_prefix)
            and request.user.is_authenticated
            and request.user.is_staff
            and not has_staff_access(request.user)
        ):
            messages.warning(
                request,
                "Scheme administrators need two-factor authentication. "
                "Set up an authenticator app to open the admin.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show and read times in the signed-in person's own time zone (User.time_zone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                zone = zoneinfo.ZoneInfo(user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Session keys: when the person signed in, and when a staff member was last active.
SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVE = "last_active"
# A staff session is saved (moving its expiry on) at most this often, not on every request.
ACTIVITY_RESOLUTION_SECONDS = 60


def start_session_clock(sender, request, user, **kwargs) -> None:
    """On sign-in (user_logged_in): the session's fixed lifetime starts now."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    if user.is_staff:
        _mark_staff_activity(request.session, now)


def _mark_staff_activity(session, now: float) -> None:
    idle = settings.STAFF_SESSION_IDLE_SECONDS
    if session.get_expiry_age() != idle:
        # Django's idle expiry: the session lasts this long after it was last saved.
        session.set_expiry(idle)
    if now - session.get(LAST_ACTIVE, 0) >= ACTIVITY_RESOLUTION_SECONDS:
        session[LAST_ACTIVE] = now


class SessionLifetimeMiddleware:
    """A session ends SESSION_COOKIE_AGE after sign-in however active its owner is (Django's own
    expiry moves on whenever the session is saved), and a staff member's also after
    STAFF_SESSION_IDLE_SECONDS without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            # Sessions from before sign-in was recorded start their clock now.
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at >= settings.SESSION_COOKIE_AGE:
                logout(request)
            elif request.user.is_staff:
                _mark_staff_activity(request.session, now)
        return self.get_response(request)


def _saved_language(user) -> str:
    """The person's saved language if it is one the site offers, else ""."""
    if user is None or not user.is_authenticated:
        return ""
    language = user.language
    return language if language in dict(settings.LANGUAGES) else ""


class UserLanguageMiddleware:
    """A signed-in person's saved language (User.language, set by the switcher or their language
    page) wins over the cookie and the browser, on every device. After sign-in the response also
    sets the language cookie, so the choice outlasts the session (LocaleMiddleware reads it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _saved_language(getattr(request, "user", None))
        if language and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The user may have signed in during this request (the sign-in form's POST).
        language = _saved_language(getattr(request, "user", None))
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
