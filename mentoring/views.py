"""The project's own pages: the landing page and each person's home across the apps, the health
check and the unsubscribe link of reminder emails (top layer)."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from accounts.services import set_reminder_emails
from matching.selectors import dashboard
from mentoring import emails
from profiles.context_processors import visible_programme_count
from profiles.models import Membership, MenteeProfile, MentorProfile


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    ctx = {
        "mentor_profile": MentorProfile.objects.filter(user=request.user).first(),
        "mentee_profile": MenteeProfile.objects.filter(user=request.user).first(),
        **dashboard(request.user),
    }
    if visible_programme_count() > 1:
        # Several programmes: the person's own, or the way to choose one.
        ctx["memberships"] = list(
            Membership.objects.current()
            .filter(user=request.user)
            .select_related("programme")
            .order_by("programme__position", "programme__name", "role")
        )
    return render(request, "home.html", ctx)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {type(exc).__name__}"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"  # no broker configured: tasks run in the web process
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {type(exc).__name__}"


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in {"ok", "eager"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


@csrf_exempt  # mail apps POST here with no session (RFC 8058 one-click unsubscribe)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Turn off reminders and nudges from the link in a reminder; GET asks, POST does it."""
    user = User.objects.filter(pk=emails.user_for_unsubscribe_token(token)).first()
    if user is None:
        return render(request, "unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        if user.reminder_emails:
            set_reminder_emails(user, on=False)
        return render(request, "unsubscribe.html", {"done": True, "person": user})
    return render(request, "unsubscribe.html", {"person": user, "token": token})
