"""The programme dashboard at /admin/: what is waiting in the signed-in person's programmes,
oldest first, each line linking to the admin list that shows those rows, and the programmes'
headline numbers.

Nothing here re-derives a rule: each line counts the rows of the admin list it links to, with
that admin's own programme scoping (`ProgrammeScopedMixin.scope`) and the `Q` of its "needs
attention" filter (the rules in matching.selectors and sessions_log.selectors). Every count is
read in one SELECT (`Together`), the central matching queues in one GROUP BY, whatever the
number of rows or programmes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from matching.admin import MenteeAttentionFilter, RequestAttentionFilter
from matching.models import (
    Engagement,
    MatchRun,
    Mentorship,
    MentorshipRequest,
    MessageReport,
    RequestReport,
)
from mentoring.admin_utils import (
    coordinated_programme_ids,
    coordinated_programmes,
    programme_choices,
)
from mentoring.backoffice.reports.query import Together
from mentoring.models import Outbox
from profiles.admin import listed_rule
from profiles.models import Membership, MenteeProfile, MentorProfile, Programme
from sessions_log.admin import CheckInAttentionFilter, MentorshipAttentionFilter
from sessions_log.models import CheckIn

REPORTS_SINCE = timedelta(days=30)  # reported messages and requests: the last 30 days


@dataclass
class Line:
    """One kind of thing waiting: how many, since when, and the list that shows them."""

    key: str
    label: str
    count: int
    url: str
    oldest: datetime | None = None

    @property
    def waiting_days(self) -> int | None:
        if self.oldest is None:
            return None
        # Calendar days, as the review queue counts them: sent on the 15th, 12 days on the 27th.
        return max((timezone.localdate() - timezone.localdate(self.oldest)).days, 0)


@dataclass
class Headline:
    label: str
    count: int
    url: str


@dataclass
class Dashboard:
    waiting: list[Line]  # lines with something waiting, oldest first
    clear: list[Line]  # lines with nothing waiting
    headlines: list[Headline]
    programmes: list[str]  # names, for "Your programmes: …"


def _url(name: str, args: tuple = (), **query: Any) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _rule(filter_class, value: str, request: HttpRequest) -> Q:
    """The `Q` of an attention filter's rule, exactly as the list applies it."""
    return filter_class.rules[value][1](request)


def _admin_for(model):
    return admin.site.get_model_admin(model)


def _viewable(request: HttpRequest, model) -> Any:
    """The model's admin when the person may see its list, else None."""
    model_admin = _admin_for(model)
    return model_admin if model_admin.has_view_permission(request) else None


def applicant_queues(request: HttpRequest) -> list[tuple[int, str, int, datetime | None]]:
    """(programme id, name, applicants, oldest application) for each of the person's programmes
    that matches centrally with someone waiting: the rule of matching.admin.applicants (approved
    mentees who applied, with no long-term pair in that programme), counted in one GROUP BY."""
    central = [Programme.Matching.CENTRAL, Programme.Matching.BOTH]  # matches_centrally
    paired = Mentorship.objects.active().filter(
        mentee=OuterRef("user"), programme=OuterRef("programme"), engagement=Engagement.LONG_TERM
    )
    waiting = Membership.objects.approved().mentees().filter(programme__matching__in=central)
    ids = coordinated_programme_ids(request)  # read once a request; None: every programme
    if ids is not None:
        # The ids themselves rather than a subquery: Postgres then knows how many applicants
        # to expect and sets the pairs against them in one hash (5 ms -> 1.6 ms at 100k).
        waiting = waiting.filter(programme__in=ids)
    rows = (
        waiting.filter(applied_at__isnull=False)
        .exclude(Exists(paired))
        .values("programme", "programme__name")
        .annotate(n=Count("pk"), oldest=Min("applied_at"))
        .order_by("programme__name")
    )
    return [(r["programme"], r["programme__name"], r["n"], r["oldest"]) for r in rows]


def draft_runs(request: HttpRequest) -> list[dict]:
    """The draft bulk matching runs of the person's programmes with their number of pairs (one
    query)."""
    return list(
        MatchRun.objects.filter(
            programme__in=coordinated_programmes(request), status=MatchRun.Status.DRAFT
        )
        .annotate(n=Count("pairs"))
        .values("pk", "programme__name", "n", "created_at")
        .order_by("programme__name")
    )


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard: the rows of `model`'s admin list, with that admin's
    programme scoping, that meet `condition`; with `oldest`, also the earliest of that date."""

    key: str
    label: str
    url: str
    model: type
    condition: Q
    oldest: str | None = None

    def rows(self, request: HttpRequest) -> QuerySet:
        """The rows counted. The condition is in the WHERE clause, not an aggregate's FILTER:
        the database then reads only those rows, through a partial index where there is one
        (the review queue, listed mentors), instead of every profile of the programme."""
        rows = self.model._default_manager.all()
        return _admin_for(self.model).scope(request, rows).filter(self.condition)

    def aggregates(self) -> dict[str, Any]:
        # COUNT(*), not COUNT(id): the rows are already the ones counted, and an index without
        # the id (an index-only scan) can answer it.
        aggregates: dict[str, Any] = {"n": Count("*")}
        if self.oldest:
            aggregates["oldest"] = Min(self.oldest)
        return aggregates


def waiting_figures(request: HttpRequest, now: datetime) -> list[Figure]:
    """What can wait for a coordinator, each counted with the rule of the list it links to."""
    # 30 days of dates where the reader is (their time zone, as the list's date filter), not of
    # UTC dates: just after midnight in summer those reached back 31 days.
    since = timezone.localdate(now) - REPORTS_SINCE
    return [
        Figure(
            "review",
            "Mentor profiles to review",
            _url("admin:profiles_mentorprofile_changelist", review="queue"),
            MentorProfile,
            Q(review_status=MentorProfile.ReviewStatus.SUBMITTED),
            "submitted_at",
        ),
        Figure(
            "requests",
            "Requests unanswered after a week",
            _url("admin:matching_mentorshiprequest_changelist", attention="waiting"),
            MentorshipRequest,
            _rule(RequestAttentionFilter, "waiting", request),
            "created_at",
        ),
        Figure(
            "pairs",
            "Pairs with no meeting in 60 days",
            _url("admin:matching_mentorship_changelist", attention="no_meeting"),
            Mentorship,
            _rule(MentorshipAttentionFilter, "no_meeting", request),
            "started_at",
        ),
        Figure(
            "check_ins",
            "Check-ins rated low or asking for contact (30 days)",
            _url("admin:sessions_log_checkin_changelist", attention="recent"),
            CheckIn,
            _rule(CheckInAttentionFilter, "recent", request),
            "answered_at",
        ),
        Figure(
            "message_reports",
            "Messages reported (30 days)",
            _url(
                "admin:matching_messagereport_changelist", created_at__date__gte=since.isoformat()
            ),
            MessageReport,
            Q(created_at__date__gte=since),
            "created_at",
        ),
        Figure(
            "request_reports",
            "Requests reported (30 days)",
            _url(
                "admin:matching_requestreport_changelist", created_at__date__gte=since.isoformat()
            ),
            RequestReport,
            Q(created_at__date__gte=since),
            "created_at",
        ),
        Figure(
            "failed_emails",
            "Emails that failed to send",
            _url("admin:mentoring_outbox_changelist", status__exact=Outbox.Status.FAILED),
            Outbox,
            Q(status=Outbox.Status.FAILED),
            "created_at",
        ),
    ]


def headline_figures(request: HttpRequest) -> list[Figure]:
    """The programmes' headline numbers."""
    return [
        Figure(
            "active_pairs",
            "Active pairs",
            _url("admin:matching_mentorship_changelist", status__exact=Mentorship.Status.ACTIVE),
            Mentorship,
            Q(status=Mentorship.Status.ACTIVE, engagement=Engagement.LONG_TERM),
        ),
        Figure(
            "mentors_listed",
            "Mentors listed",
            _url("admin:profiles_mentorprofile_changelist", listed="yes"),
            MentorProfile,
            listed_rule(request),
        ),
        Figure(
            "mentees_without_mentor",
            "Mentees without a mentor",
            _url("admin:profiles_menteeprofile_changelist", attention="no_mentor"),
            MenteeProfile,
            _rule(MenteeAttentionFilter, "no_mentor", request),
        ),
    ]


def build_dashboard(request: HttpRequest) -> Dashboard:
    now = timezone.now()
    together = Together()

    def counted(figures: list[Figure]) -> list[tuple[Figure, dict]]:
        """Each figure the person may see the list of, with the dict `together` fills in."""
        return [
            (figure, together.aggregate(figure.rows(request), **figure.aggregates()))
            for figure in figures
            if _viewable(request, figure.model) is not None
        ]

    parts = counted(waiting_figures(request, now))
    heads = counted(headline_figures(request))
    if parts or heads:
        together.run()

    lines = [
        Line(figure.key, figure.label, result["n"], figure.url, result.get("oldest"))
        for figure, result in parts
    ]
    menteeprofile_admin = _admin_for(MenteeProfile)
    if menteeprofile_admin.has_match_permission(request):
        for pk, name, n, first in applicant_queues(request):
            lines.append(
                Line(
                    f"applicants-{pk}",
                    f"Applicants to match: {name}",
                    n,
                    _url("admin:profiles_menteeprofile_applicants", args=(pk,)),
                    first,
                )
            )
        # A bulk matching run proposed and not yet published (or discarded).
        for run in draft_runs(request):
            lines.append(
                Line(
                    f"match-run-{run['pk']}",
                    f"Proposed pairs to publish: {run['programme__name']}",
                    run["n"],
                    _url("admin:profiles_menteeprofile_run", args=(run["pk"],)),
                    run["created_at"],
                )
            )
    far_future = now + timedelta(days=1)
    waiting = sorted(
        (line for line in lines if line.count),
        key=lambda line: (line.oldest or far_future, line.label),
    )
    clear = [line for line in lines if not line.count]
    everything = coordinated_programme_ids(request) is None
    names = [] if everything else [name for _, name in programme_choices(request)]
    return Dashboard(
        waiting=waiting,
        clear=clear,
        headlines=[Headline(figure.label, result["n"], figure.url) for figure, result in heads],
        programmes=names,
    )
