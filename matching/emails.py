"""One function per email the matching events send; each queues through the outbox."""

from __future__ import annotations

from django.urls import reverse

from matching.models import Mentorship, MentorshipRequest
from mentoring.emails import absolute_url, queue


def _request_url(req: MentorshipRequest) -> str:
    return absolute_url(reverse("matching:request-detail", args=[req.pk]))


def request_received(req: MentorshipRequest) -> None:
    mentee_profile = getattr(req.mentee, "mentee_profile", None)
    queue(
        "request_received",
        to=req.mentor,
        ctx={"req": req, "mentee_profile": mentee_profile, "url": _request_url(req)},
        dedupe_key=f"request-received:{req.pk}",
    )


def request_accepted(req: MentorshipRequest) -> None:
    mentorship = req.mentorship
    queue(
        "request_accepted",
        to=req.mentee,
        ctx={
            "req": req,
            "url": absolute_url(reverse("matching:mentorship-detail", args=[mentorship.pk])),
        },
        dedupe_key=f"request-accepted:{req.pk}",
    )


def request_declined(req: MentorshipRequest) -> None:
    queue(
        "request_declined",
        to=req.mentee,
        ctx={
            "req": req,
            "url": _request_url(req),
            "directory_url": absolute_url(reverse("profiles:directory")),
        },
        dedupe_key=f"request-declined:{req.pk}",
    )


def request_withdrawn(req: MentorshipRequest) -> None:
    queue(
        "request_withdrawn",
        to=req.mentor,
        ctx={"req": req, "url": _request_url(req)},
        dedupe_key=f"request-withdrawn:{req.pk}",
    )


def request_closed_mentee_matched(req: MentorshipRequest) -> None:
    queue(
        "request_closed_mentee_matched",
        to=req.mentor,
        ctx={"req": req, "url": _request_url(req)},
        dedupe_key=f"request-closed-matched:{req.pk}",
    )


def request_expired(req: MentorshipRequest) -> None:
    queue(
        "request_expired",
        to=req.mentee,
        ctx={
            "req": req,
            "url": _request_url(req),
            "directory_url": absolute_url(reverse("profiles:directory")),
        },
        dedupe_key=f"request-expired:{req.pk}",
    )


def mentorship_ended(mentorship: Mentorship) -> None:
    other = mentorship.other_party(mentorship.ended_by)
    queue(
        "mentorship_ended",
        to=other,
        ctx={
            "mentorship": mentorship,
            "ended_by": mentorship.ended_by,
            "other": other,
            "url": absolute_url(reverse("matching:mentorship-detail", args=[mentorship.pk])),
            "directory_url": absolute_url(reverse("profiles:directory")),
        },
        dedupe_key=f"mentorship-ended:{mentorship.pk}",
    )


def mentorship_introduction(mentorship: Mentorship) -> None:
    url = absolute_url(reverse("matching:mentorship-detail", args=[mentorship.pk]))
    for person, other in (
        (mentorship.mentee, mentorship.mentor),
        (mentorship.mentor, mentorship.mentee),
    ):
        queue(
            "mentorship_introduction",
            to=person,
            ctx={
                "mentorship": mentorship,
                "other": other,
                "person": person,
                "url": url,
                "is_mentee": person.pk == mentorship.mentee_id,
            },
            dedupe_key=f"mentorship-introduction:{mentorship.pk}:{person.pk}",
        )
