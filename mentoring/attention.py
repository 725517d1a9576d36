"""Who is stuck: the rows the scheme team should look at now.

Each rule is a `Q` so that the admin filters (the rows) and the reports page (the counts, inside
its aggregate queries) use the very same definition.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

REQUEST_WAIT = timedelta(days=7)
NO_MEETING = timedelta(days=60)
RECENT_CHECK_INS = timedelta(days=30)


def waiting_request(now: datetime) -> Q:
    """A MentorshipRequest still unanswered a week after it was sent."""
    return Q(status="pending", created_at__lt=now - REQUEST_WAIT)


def has_active_mentorship() -> Exists:
    """For one MenteeProfile (a column of a page of rows): its person has a mentor now."""
    from matching.models import Mentorship

    return Exists(Mentorship.objects.active().filter(mentee=OuterRef("user_id")))


def with_mentor() -> Q:
    """MenteeProfiles whose person has a mentor now. An IN, not a correlated EXISTS: Postgres
    hashes the active mentees once, where a count over every profile would probe per row."""
    from matching.models import Mentorship

    return Q(user_id__in=Mentorship.objects.active().values("mentee_id"))


def unmatched_mentee(now: datetime, weeks: int) -> Q:
    """A MenteeProfile created more than `weeks` weeks ago whose person has no mentor now."""
    return Q(created_at__lt=now - timedelta(weeks=weeks)) & ~with_mentor()


def quiet_pair(now: datetime) -> Q:
    """An active Mentorship with no meeting held in 60 days: none since the later of its start
    and its last held meeting."""
    from sessions_log.models import Meeting

    cutoff = now - NO_MEETING
    met_since = Meeting.objects.held().filter(mentorship=OuterRef("pk"), starts_at__gte=cutoff)
    return Q(status="active", started_at__lt=cutoff) & ~Exists(met_since)


def worrying_check_in(since: datetime | None = None) -> Q:
    """An answered CheckIn rated low or asking the scheme team to get in touch."""
    from sessions_log.models import LOW_RATING

    rule = Q(answered_at__isnull=False) & (Q(rating__lte=LOW_RATING) | Q(wants_contact=True))
    if since is not None:
        rule &= Q(answered_at__gte=since)
    return rule
