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

from accounts.models import ReminderKind, User
from accounts.services import set_reminder_emails
from mentoring import emails
from profiles.context_processors import visible_programme_count
from profiles.models import Membership, MenteeProfile, MentorProfile
from sessions_log.home import home_for


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    mentor_profile = MentorProfile.objects.filter(user=request.user).first()
    if mentor_profile is not None:
        mentor_profile.user = request.user  # the page asks whether they are active: no query
    ctx = {
        "mentor_profile": mentor_profile,
        "mentee_profile": MenteeProfile.objects.filter(user=request.user).first(),
        # The next meeting, the to-do list, each pair's progress and the conversations.
        **home_for(request.user, mentor_profile),
    }
    # The training notice reads them too (the training_due tag), whatever the programmes.
    memberships = list(
        Membership.objects.current()
        .filter(user=request.user)
        .select_related("programme")
        .order_by("programme__position", "programme__name", "role")
    )
    ctx["current_memberships"] = memberships
    if visible_programme_count() > 1:
        # Several programmes: the person's own, or the way to choose one.
        ctx["memberships"] = memberships
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
    """Turn off one kind of reminder (or, from older links, every kind) from the link in a
    reminder; GET asks, POST does it."""
    target = emails.unsubscribe_target(token)
    kind = target[1] if target else None
    user = User.objects.filter(pk=target[0]).first() if target else None
    if user is None or (kind is not None and kind not in ReminderKind.values):
        return render(request, "unsubscribe.html", {"invalid": True}, status=404)
    ctx = {"person": user, "kind": ReminderKind(kind).label.lower() if kind else None}
    if request.method == "POST":
        set_reminder_emails(user, on=False, kinds=None if kind is None else [kind])
        return render(request, "unsubscribe.html", {**ctx, "done": True})
    return render(request, "unsubscribe.html", {**ctx, "token": token})
