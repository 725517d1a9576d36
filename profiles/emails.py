"""Emails about mentor profiles; each queues through the outbox."""

from __future__ import annotations

from django.urls import reverse

from mentoring.emails import absolute_url, queue_many, reminder_extras, render, wants_reminders
from profiles.models import MentorProfile


def profile_confirmation_requests(profiles: list[MentorProfile], *, kind: str, period: str) -> int:
    from profiles.services import confirm_token

    rows = []
    for profile in profiles:
        if not wants_reminders(profile.user):
            continue
        ctx, headers = reminder_extras(profile.user)
        rows.append(
            render(
                kind,
                to=profile.user,
                ctx={
                    "profile": profile,
                    "confirm_url": absolute_url(
                        reverse("profiles:mentor-confirm-link", args=[confirm_token(profile)])
                    ),
                    "edit_url": absolute_url(reverse("profiles:mentor-edit")),
                    **ctx,
                },
                headers=headers,
                dedupe_key=f"{kind}:{profile.pk}:{period}",
            )
        )
    return queue_many(rows)
