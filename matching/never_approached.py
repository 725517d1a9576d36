"""One friendly email to a mentor listed for six weeks whom no mentee has approached yet, with
suggestions drawn from what mentees search for in their programmes (counts only, from
profiles.search_stats) and from what their profile is missing.

Exactly once per mentor (MentorProfile.never_approached_emailed_at, set in the transaction that
queues the email, and the email's dedupe key); set-based: a constant number of queries for any
number of mentors (one per programme for the search counts, which are read from the cache).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation

from matching.models import MentorshipRequest
from mentoring.emails import (
    absolute_url,
    email_language,
    queue_many,
    reminder_extras,
    render,
    wants_reminders,
)
from profiles import search_stats
from profiles.models import ExpertiseArea, Membership, MentorProfile, Programme

LISTED_WEEKS = 6
KIND = "never_approached"


def _listed_since() -> Subquery:
    """When the mentor was first approved in one of their programmes (still approved)."""
    approved = Membership.objects.approved().mentors().filter(user=OuterRef("user"))
    return Subquery(
        approved.order_by().values("user").annotate(first=Min("approved_at")).values("first")[:1]
    )


def due(now: datetime) -> QuerySet[MentorProfile]:
    """Mentors listed for LISTED_WEEKS whom nobody has asked, not emailed about it yet."""
    cutoff = now - timedelta(weeks=LISTED_WEEKS)
    asked = MentorshipRequest.objects.filter(mentor=OuterRef("user"), sent_by_mentor=False)
    today = timezone.localdate(now)
    return (
        MentorProfile.objects.listed()
        .filter(
            never_approached_emailed_at__isnull=True,
            user__is_active=True,
            approved_at__lte=cutoff,
        )
        .filter(Q(away_until__isnull=True) | Q(away_until__lte=today))
        .annotate(listed_since=_listed_since())
        .filter(listed_since__lte=cutoff)
        .exclude(Exists(asked))
    )


def suggestions_for(
    profile: MentorProfile, *, programmes: dict[int, Programme], searches: dict[int, list]
) -> list[dict]:
    """For each of the mentor's programmes with search counts: what its mentees looked for."""
    return [
        {"programme": programmes[pk], "terms": searches[pk]}
        for pk in sorted(profile.programme_ids, key=lambda pk: programmes[pk].name)
        if pk in programmes and searches.get(pk)
    ]


@transaction.atomic
def email_never_approached_mentors(*, now: datetime | None = None) -> int:
    """Email each mentor who is due (see `due`) once; returns how many emails were queued."""
    now = now or timezone.now()
    profiles = list(
        due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .prefetch_related("jobs")
        .order_by("pk")
    )
    if not profiles:
        return 0
    MentorProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(
        never_approached_emailed_at=now
    )
    programme_ids = {pk for p in profiles for pk in p.programme_ids}
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=programme_ids)}
    areas = list(ExpertiseArea.objects.all())
    today = timezone.localdate(now)
    searches = {
        pk: search_stats.top_terms(pk, areas=areas, weeks=LISTED_WEEKS, today=today)
        for pk in programmes
    }
    edit_url = absolute_url(reverse("profiles:mentor-edit"))
    rows = []
    for profile in profiles:
        if not wants_reminders(profile.user):
            continue
        with translation.override(email_language(profile.user)):  # named in their language
            percent, missing = profile.completeness()
        ctx, headers = reminder_extras(profile.user)
        rows.append(
            render(
                KIND,
                to=profile.user,
                ctx={
                    "profile": profile,
                    "weeks": LISTED_WEEKS,
                    "searches": suggestions_for(profile, programmes=programmes, searches=searches),
                    "completeness": percent,
                    "missing": missing[:3],
                    "edit_url": edit_url,
                    "page_url": absolute_url(profile.get_absolute_url()),
                    **ctx,
                },
                headers=headers,
                dedupe_key=f"{KIND}:{profile.pk}",
            )
        )
    return queue_many(rows)


def preview_samples() -> dict[str, dict]:
    """The email with sample data, for the staff email previews (nothing is saved)."""
    from accounts.models import User

    mentor = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    profile = MentorProfile(pk=1, user=mentor, job_title="Finance Director")
    programme = Programme(pk=1, name="Alumni career mentoring", slug="careers")
    return {
        KIND: {
            "to": mentor,
            "profile": profile,
            "weeks": LISTED_WEEKS,
            "searches": [
                {
                    "programme": programme,
                    "terms": [("Interview practice", 41), ("Finance", 23), ("Career change", 9)],
                }
            ],
            "completeness": 70,
            "missing": ["your job history", "anything else you can help with"],
            "edit_url": absolute_url("/profile/mentor/"),
            "page_url": absolute_url("/mentors/1/"),
            "unsubscribe_url": absolute_url("/email/unsubscribe/sample/"),
        }
    }
