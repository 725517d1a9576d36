"""Read-side queries for the mentor directory and profile pages."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchConfig, SearchQuery, SearchRank
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils.translation import pgettext

from accounts.models import User
from accounts.staff import has_staff_access
from mentoring.prepared import PreparedQuery
from profiles import rules
from profiles.models import (
    ExpertiseArea,
    Membership,
    MenteeProfile,
    MentorProfile,
    MentorProfileQuerySet,
    Programme,
    ShortlistEntry,
)
from profiles.search import SEARCH_CONFIG, country_names, industry_labels

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations

    # A mentor profile as mentor_for_viewer returns it.
    type MentorForViewer = WithAnnotations[MentorProfile, _ViewerExtras]


class _ViewerExtras(TypedDict):
    area_names: list[str]
    viewer_is_mentee: bool
    viewer_saved: bool


PAGE_SIZE = 20
COUNT_LIMIT = 1000  # "1,000+ mentors": the count never scans the whole table
MAX_PAGE = COUNT_LIMIT // PAGE_SIZE

# What a directory card needs; the search document stays in the database.
CARD_FIELDS = [
    "id",
    "headline",
    "job_title",
    "organisation",
    "industry",
    "city",
    "country",
    "capacity",
    "mentee_count",
    "confirmed_at",
    "reply_hours",
    "advice_per_month",
    "area_ids",
    "formats",
    "photo",
    "user__id",
    "user__full_name",
]


# Programmes ride inside other queries as JSON (a page's people and its programmes in one
# query): every column the pages and the rules read, but the long description and the secret.
_PROGRAMME_COLUMNS = [
    f.attname
    for f in Programme._meta.concrete_fields
    if f.attname not in {"description", "invitation_token", "created_at"}
]


_PROGRAMME_LEFT_OUT = sorted(
    str(f.column) for f in Programme._meta.concrete_fields if f.attname not in _PROGRAMME_COLUMNS
)


class _RowJson(Func):
    """The row of the table its query reads, as JSON (Postgres's `to_jsonb` of the row),
    without the columns `left_out`. One expression instead of one per column: a programme's
    forty columns cost the ORM more to build one by one than the database to read."""

    output_field = JSONField()

    def __init__(self, left_out: list[str]) -> None:
        super().__init__(F("pk"))
        self.left_out = left_out

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        # The table's alias as this query names it (relabelled inside a subquery), from its
        # primary key's column.
        column, params = compiler.compile(self.source_expressions[0])
        table = column.rsplit(".", 1)[0]
        return f"(to_jsonb({table}) - %s::text[])", [*params, self.left_out]


def programme_json(**extra: Any) -> Func:
    """A programme row as a JSON object, with `extra` expressions beside its columns."""
    row = _RowJson(_PROGRAMME_LEFT_OUT)
    if not extra:
        return row
    return Func(
        row,
        JSONObject(**extra),
        arg_joiner=" || ",
        template="(%(expressions)s)",
        output_field=JSONField(),
    )


def programme_from_json(data: dict) -> Programme:
    """The programme `programme_json` wrote (read-only: its description is not loaded); the
    extra values stay in `data`."""
    programme = Programme(**{name: data[name] for name in _PROGRAMME_COLUMNS})
    programme._state.adding, programme._state.db = False, "default"
    return programme


@dataclass
class DirectoryViewer:
    """Who is looking at the directory: every area and the ones they want help with, the
    programmes whose directory they may ask for and the ones they belong to, and what their
    mentee profile says for programmes that keep mentors outside the mentee's line management."""

    areas: list[ExpertiseArea]
    wanted_area_ids: list[int]
    programmes: list[Programme]
    member_of: set[int]  # programme ids, in any role
    mentee_in: set[int]
    mentee: MenteeProfile | None
    # The programmes whose directory the person reads as staff: those they coordinate (every
    # one for a superuser), with two-factor authentication when staff need it.
    coordinates: set[int]
    # The mentors on the person's shortlist (profiles.shortlist), for their cards' buttons.
    shortlist: set[int] = field(default_factory=set)

    @property
    def visible(self) -> list[Programme]:
        return [p for p in self.programmes if p.status in _VISIBLE]

    def programme(self, slug: str) -> Programme | None:
        return next((p for p in self.programmes if p.slug == slug), None)

    def may_read(self, programme: Programme) -> bool:
        """A programme's directory is for its members and staff; an installation with one
        programme shows it to everyone signed in, as before programmes."""
        return (
            programme.pk in self.coordinates
            or programme.pk in self.member_of
            or self.visible == [programme]
        )

    @property
    def readable(self) -> list[Programme]:
        return [p for p in self.programmes if self.may_read(p)]

    def default_programme(self) -> Programme | None:
        """Without `?programme=`: the first (by position) the person is a mentee in, else a
        member of, else the only one there is; coordinators start at the first they run."""
        for candidates in (
            [p for p in self.programmes if p.pk in self.mentee_in],
            [p for p in self.programmes if p.pk in self.member_of],
            self.visible if len(self.visible) == 1 else [],
            [p for p in self.programmes if p.pk in self.coordinates],
        ):
            if candidates:
                return candidates[0]
        return None

    def exclusion(self, programme: Programme) -> Q:
        """Mentors this person must not see in `programme` (profiles.rules)."""
        return rules.line_management_exclusion(programme, self.mentee)

    def exclusion_key(self, programme: Programme) -> str:
        """What the exclusion depends on, for the cache key: one person's exclusions must never
        be served to another."""
        if not programme.outside_line_management or self.mentee is None:
            return ""
        department = " ".join(self.mentee.department.lower().split())
        manager = self.mentee.line_manager_email.strip().lower()
        return f"{department}|{manager}" if department or manager else ""


_VISIBLE = {Programme.Status.OPEN, Programme.Status.CLOSED}


def line_management_profile(user: User, *, department: str, manager: str) -> MenteeProfile:
    """A stand-in for `user`'s mentee profile holding only what the line-management rule reads
    (profiles.rules), for pages that read those two columns inside another query. It is never
    cached on `user` (`MenteeProfile(user=...)` would be): code that later reads
    `user.mentee_profile` (the emails of a request) gets the real one."""
    profile = MenteeProfile(user_id=user.pk, department=department, line_manager_email=manager)
    MenteeProfile._meta.get_field("user").set_cached_value(profile, user)
    return profile


def _directory_viewer_query(*, user_id: int, coordinates: Collection[int] = ()) -> QuerySet:
    """directory_viewer's query: the areas (each marked when the person's mentee profile wants
    it), the programmes they may see (with those they coordinate), their approved memberships,
    their shortlist and their mentee profile's line-management columns."""
    programmes = Programme.objects.visible()
    if coordinates:
        programmes = Programme.objects.filter(Q(pk__in=programmes) | Q(pk__in=coordinates))
    wanted = MenteeProfile.areas.through.objects.filter(
        menteeprofile__user=OuterRef(OuterRef("pk")), expertisearea=OuterRef("pk")
    )
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            area_rows=ArraySubquery(
                ExpertiseArea.objects.values(
                    j=JSONObject(
                        id="id",
                        name="name",
                        slug="slug",
                        description="description",
                        position="position",
                        wanted=Exists(wanted),
                    )
                )
            ),
            programme_rows=ArraySubquery(programmes.values(j=programme_json())),
            # The person's approved memberships, one short list for both questions (member,
            # mentee) of every programme.
            member_rows=ArraySubquery(
                Membership.objects.filter(user=OuterRef("pk"), status=Membership.Status.APPROVED)
                .order_by()
                .values(j=JSONObject(programme="programme_id", role="role"))
            ),
            shortlist_ids=ArraySubquery(
                ShortlistEntry.objects.filter(mentee=OuterRef("pk")).values("mentor_profile_id")
            ),
        )
        .values(
            "area_rows",
            "programme_rows",
            "member_rows",
            "shortlist_ids",
            # The mentee profile by its one-to-one join: no subquery to build for each column.
            mentee_id=F("mentee_profile__id"),
            mentee_department=F("mentee_profile__department"),
            mentee_manager=F("mentee_profile__line_manager_email"),
        )
    )


# A placeholder no real input has (mentoring.prepared).
_DIRECTORY_VIEWER = PreparedQuery(_directory_viewer_query, user_id=-900_000_201)


def directory_viewer(user: User) -> DirectoryViewer:
    """One query for everything about the viewer the directory needs (the rendered results are
    cached, so this is most of what a page costs). Its SQL is built once per process
    (`mentoring.prepared`), except for staff who coordinate programmes (theirs join in)."""
    coordinates: set[int] = set()
    if has_staff_access(user):
        coordinated = Programme.objects.coordinated_by(user).exclude(
            status=Programme.Status.ARCHIVED
        )
        coordinates = set(coordinated.values_list("pk", flat=True))
    if coordinates:
        row = _directory_viewer_query(user_id=user.pk, coordinates=coordinates).get()
    else:
        (row,) = _DIRECTORY_VIEWER.rows(user_id=user.pk)
    areas = [
        ExpertiseArea(**{k: v for k, v in a.items() if k != "wanted"}) for a in row["area_rows"]
    ]
    programmes = [programme_from_json(p) for p in row["programme_rows"]]
    member_of = {m["programme"] for m in row["member_rows"]}
    mentee_in = {m["programme"] for m in row["member_rows"] if m["role"] == Membership.Role.MENTEE}
    mentee_profile = None
    if row["mentee_id"] is not None:
        mentee_profile = line_management_profile(
            user, department=row["mentee_department"], manager=row["mentee_manager"]
        )
    return DirectoryViewer(
        areas=areas,
        wanted_area_ids=[a["id"] for a in row["area_rows"] if a["wanted"]],
        programmes=programmes,
        member_of=member_of & {p.pk for p in programmes},
        mentee_in=mentee_in & {p.pk for p in programmes},
        mentee=mentee_profile,
        coordinates=coordinates,
        shortlist=set(row["shortlist_ids"]),
    )


def asks_line_management(user: User) -> bool:
    """Whether the mentee profile asks for the person's department and line manager: they are a
    mentee in a programme that keeps mentors outside the mentee's line management, or about to
    become one (a first profile in an installation whose one open programme does)."""
    mine = Membership.objects.current().mentees().filter(user=user)
    if mine.exists():
        return mine.filter(programme__outside_line_management=True).exists()
    open_programmes = list(
        Programme.objects.filter(status=Programme.Status.OPEN).values_list(
            "outside_line_management", flat=True
        )[:2]
    )
    return open_programmes == [True]


def areas_for(user: User | AnonymousUser) -> list[ExpertiseArea]:
    """Every area, each marked `wanted` when the signed-in user's mentee profile lists it."""
    areas = ExpertiseArea.objects.all()
    if user.is_authenticated:
        through = MenteeProfile.areas.through
        areas = areas.annotate(
            wanted=Exists(
                through.objects.filter(menteeprofile__user=user, expertisearea=OuterRef("pk"))
            )
        )
    return list(areas)


@dataclass
class DirectoryPage:
    mentors: list[MentorProfile]
    number: int
    has_next: bool
    total: int  # capped at COUNT_LIMIT + 1
    ranking: str  # "relevance", "shared_areas" or "recent"
    wanted_area_ids: set[int] = field(default_factory=set)
    # Mentors with a free place come before full ones (not said when only those are asked for).
    places_first: bool = False
    # The page asked for when it was past the last one (this is then the last page).
    requested: int | None = None
    # For a search: per mentor id, what the words matched, e.g. [("NHS", "job history")].
    matched_on: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_LIMIT

    @property
    def pages(self) -> int:
        """How many pages there are (at most MAX_PAGE: the pages one can open)."""
        return min(max(math.ceil(self.total / PAGE_SIZE), 1), MAX_PAGE)


ADVICE = "advice"  # matching.models.Engagement.ADVICE (profiles cannot import matching)


def allows_advice(programme: Programme) -> bool:
    """Whether `programme` allows one-off advice conversations: only there does a mentor's
    "Offers one-off advice" badge show, and the filter offered."""
    return ADVICE in (programme.engagement_types or [])


def advice_programme_ids(programme: Programme | int | None) -> list[int]:
    """The programmes a mentor must be in for the advice filter: `programme` if it allows
    advice (none if not), or, across programmes (None), every programme that does."""
    if isinstance(programme, Programme):
        return [programme.pk] if allows_advice(programme) else []
    found = Programme.objects.filter(engagement_types__contains=[ADVICE])
    if programme is not None:
        found = found.filter(pk=programme)
    return list(found.values_list("pk", flat=True))


_TERM = re.compile(r"[^\W_]+")
MAX_TERMS = 8


def search_terms(q: str) -> list[str]:
    """The words of a search, lower-cased, without repeats: letters and digits only, so
    nothing a person types is read as query syntax. A one-letter word beside longer ones is
    left out (the "o" of "O'Brien" would match nearly every mentor as a prefix); a search of
    one-letter words only keeps them."""
    terms = list(dict.fromkeys(t.lower() for t in _TERM.findall(q)))
    longer = [t for t in terms if len(t) > 1]
    return (longer or terms)[:MAX_TERMS]


def prefix_query(terms: list[str]) -> SearchQuery:
    """Every word, each as a prefix ("neg" finds "negotiation"): quoted lexemes of letters and
    digits joined by AND, passed as a parameter (never into the SQL)."""
    return SearchQuery(
        " & ".join(f"'{t}':*" for t in terms), search_type="raw", config=SEARCH_CONFIG
    )


def search_directory(
    *,
    q: str = "",
    area_ids: list[int] | None = None,
    industry: str = "",
    country: str = "",
    meeting_format: str = "",
    available: bool = False,
    advice: bool = False,
    wanted_area_ids: set[int] | None = None,
    page: int = 1,
    programme: Programme | int | None = None,
    exclude: Q | None = None,
) -> DirectoryPage:
    """One page of the directory: the listed mentors of `programme` (every listed mentor when
    None, for tools that look across programmes), less those `exclude` leaves out. Mentors with
    a free place come first. A page past the last match gives the last page (`requested` says
    which was asked for)."""
    page = min(max(page, 1), MAX_PAGE)
    qs: MentorProfileQuerySet = (
        MentorProfile.objects.listed().select_related("user").only(*CARD_FIELDS)
    )
    if programme is not None:
        qs = qs.in_programme(programme)
    if exclude:
        qs = qs.filter(exclude)
    if area_ids:
        qs = qs.filter(area_ids__contains=sorted(area_ids))
    if industry:
        qs = qs.filter(industry=industry)
    if country:
        qs = qs.filter(country=country)
    if meeting_format:
        qs = qs.filter(formats__contains=[meeting_format])
    if available:
        qs = qs.with_free_place()
    if advice:  # offers one-off advice conversations where the programme allows them
        qs = qs.filter(
            advice_per_month__gt=0, programme_ids__overlap=advice_programme_ids(programme)
        )
    filtered = qs

    newest_first = [F("confirmed_at").desc(nulls_last=True), F("id").desc()]
    offset = (page - 1) * PAGE_SIZE
    matches = None
    matched_on: dict[int, list[tuple[str, str]]] = {}
    if q:
        terms = search_terms(q)
        if terms:
            query = prefix_query(terms)
            filtered = filtered.filter(search_vector=query)
            rows, matches, matched_on = _ranked_page(
                filtered, query, newest_first, offset, places_first=not available
            )
        else:  # nothing but punctuation: nothing to find
            filtered, rows = filtered.none(), []
        ranking = "relevance"
    else:
        tiers = [Q()]
        if wanted_area_ids:
            wanted = sorted(wanted_area_ids)
            tiers = [
                Q(area_ids__contains=wanted),
                Q(area_ids__overlap=wanted) & ~Q(area_ids__contains=wanted),
                ~Q(area_ids__overlap=wanted),
            ]
            ranking = "shared_areas"
        else:
            ranking = "recent"
        if not available:
            has_place = Q(mentee_count__lt=F("capacity"))
            tiers = [has_place & t for t in tiers] + [~has_place & t for t in tiers]
        if len(tiers) > 1:
            rows = list(_tiers_first(qs, tiers, limit=offset + PAGE_SIZE + 1)[offset:])
        else:
            rows = list(qs.order_by(*newest_first)[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE and page < MAX_PAGE
    mentors = rows[:PAGE_SIZE]
    if page == 1 and len(rows) <= PAGE_SIZE:
        total = len(rows)
    elif matches is not None:
        total = min(matches, COUNT_LIMIT + 1)
    else:
        total = filtered.values("pk")[: COUNT_LIMIT + 1].count()
    last = min(max(math.ceil(total / PAGE_SIZE), 1), MAX_PAGE)
    if not total:  # no mentor at all: the first (empty) page, whichever was asked for
        page = 1
    elif not mentors and page > last:
        # Past the end (an old link, a typed number): the last page, saying so. Only this
        # case costs the queries again.
        found = search_directory(
            q=q,
            area_ids=area_ids,
            industry=industry,
            country=country,
            meeting_format=meeting_format,
            available=available,
            advice=advice,
            wanted_area_ids=wanted_area_ids,
            page=last,
            programme=programme,
            exclude=exclude,
        )
        found.requested = page
        return found
    return DirectoryPage(
        mentors=mentors,
        number=page,
        has_next=has_next,
        total=total,
        ranking=ranking,
        wanted_area_ids=set(wanted_area_ids or ()),
        places_first=not available,
        matched_on=matched_on,
    )


def _has_place() -> ExpressionWrapper:
    return ExpressionWrapper(Q(mentee_count__lt=F("capacity")), output_field=BooleanField())


def _ranked_page(
    filtered: QuerySet, query: SearchQuery, newest_first: list, offset: int, *, places_first: bool
) -> tuple[list[MentorProfile], int | None, dict[int, list[tuple[str, str]]]]:
    """One page of search results, mentors with a free place first, then best matches first;
    how many mentors match; and what each of the page's mentors matched on.

    Ranking reads every match, so the same query counts them (a window aggregate) rather than
    a second pass over them; and it reads only ids, so the cards' columns and the user join
    are fetched for the page's rows alone, after the sort (joining first can mean reading
    every user). The "matched on" highlights ride in that same query, for the page's rows
    only. The count is None when the page is past the last match.
    """
    ordering = [F("rank").desc(), *newest_first]
    if places_first:
        ordering.insert(0, _has_place().desc())
    ranked = (
        filtered.annotate(rank=SearchRank(F("search_vector"), query), matches=Window(Count("*")))
        .order_by(*ordering)
        .values_list("pk", "matches")[offset : offset + PAGE_SIZE + 1]
    )
    ids = list(ranked)
    if not ids:
        return [], None, {}
    fields = _match_fields()
    cards = (
        MentorProfile.objects.select_related("user")
        .only(*CARD_FIELDS)
        .annotate(**{f"hl_{i}": _highlight(e, query) for i, (_, e) in enumerate(fields)})
        .in_bulk([pk for pk, _ in ids])
    )
    labels = [label for label, _ in fields]
    matched_on = {pk: _matched_on(card, labels) for pk, card in cards.items()}
    return [cards[pk] for pk, _ in ids if pk in cards], ids[0][1], matched_on


# ts_headline marks each matched word between these (characters no profile text holds).
_START, _STOP = "\x02", "\x03"
_HIGHLIGHTED = re.compile(f"{_START}([^{_STOP}]*){_STOP}")


def _match_fields() -> list[tuple[str, Any]]:
    """What a search can match on, named as a card's reader knows it (in the page's language:
    the cached page is per language): the text of the search document (profiles.search),
    field by field."""
    mentor = "profiles_mentorprofile"
    return [
        (pgettext("matched on", "name"), F("user__full_name")),
        (pgettext("matched on", "headline"), F("headline")),
        (pgettext("matched on", "job title"), F("job_title")),
        (pgettext("matched on", "organisation"), F("organisation")),
        (
            pgettext("matched on", "areas"),
            RawSQL(
                "(SELECT string_agg(a.name, ', ') FROM profiles_mentorprofile_areas pa"
                " JOIN profiles_expertisearea a ON a.id = pa.expertisearea_id"
                f" WHERE pa.mentorprofile_id = {mentor}.id)",
                [],
            ),
        ),
        (pgettext("matched on", "how they help"), F("help_offered")),
        (
            pgettext("matched on", "job history"),
            RawSQL(
                "(SELECT string_agg(concat_ws(' ', j.title, j.organisation, j.description), ' ')"
                f" FROM profiles_jobhistoryentry j WHERE j.profile_id = {mentor}.id)",
                [],
            ),
        ),
        (pgettext("matched on", "department"), F("department")),
        (pgettext("matched on", "course"), F("course")),
        (pgettext("matched on", "key areas"), F("key_areas")),
        (pgettext("matched on", "experience of moving"), F("moves_experience")),
        (
            pgettext("matched on", "industry"),
            RawSQL(f"%s::jsonb ->> {mentor}.industry", [json.dumps(industry_labels())]),
        ),
        (pgettext("matched on", "city"), F("city")),
        (
            pgettext("matched on", "country"),
            RawSQL(f"%s::jsonb ->> {mentor}.country", [json.dumps(country_names())]),
        ),
        (pgettext("matched on", "languages"), F("languages")),
    ]


MAX_MATCHED_ON = 4


def _highlight(expression: Any, query: SearchQuery) -> Func:
    """The text with each matched word between _START and _STOP."""
    return Func(
        SearchConfig(SEARCH_CONFIG),
        Func(expression, Value(""), function="COALESCE", output_field=TextField()),
        query,
        Value(f"HighlightAll=true, StartSel={_START}, StopSel={_STOP}"),
        function="ts_headline",
        output_field=TextField(),
    )


def _matched_on(card: MentorProfile, labels: list[str]) -> list[tuple[str, str]]:
    """("NHS", "job history") for each field a search matched, from the card's highlights."""
    found = []
    for i, label in enumerate(labels):
        words = dict.fromkeys(
            w.strip() for w in _HIGHLIGHTED.findall(getattr(card, f"hl_{i}", "") or "")
        )
        words.pop("", None)
        if words:
            found.append((", ".join(list(words)[:3]), label))
    return found[:MAX_MATCHED_ON]


def _tiers_first(qs: MentorProfileQuerySet, tiers: list[Q], *, limit: int) -> MentorProfileQuerySet:
    """Order mentors tier by tier (the first tier first), newest confirmation first in each.

    Each tier is read in index order and cut at the page's end, so a page costs a few short
    index walks instead of sorting every mentor. Tiers are: with a free place, then full;
    and within each, mentors who offer every area the mentee wants, then some, then none.
    """
    newest_first = [F("confirmed_at").desc(nulls_last=True), F("id").desc()]
    first, *rest = (qs.filter(t).order_by(*newest_first).values("id")[:limit] for t in tiers)
    candidates = first.union(*rest, all=True)
    return (
        MentorProfile.objects.filter(pk__in=candidates)
        .select_related("user")
        .only(*CARD_FIELDS)
        .annotate(
            tier=Case(
                *(When(t, then=len(tiers) - i) for i, t in enumerate(tiers)),
                default=0,
                output_field=IntegerField(),
            )
        )
        .order_by(F("tier").desc(), *newest_first)[:limit]
    )


def mentor_for_viewer(pk: int, viewer: User) -> MentorForViewer | None:
    """A mentor profile as `viewer` may see it: listed ones, their own and, for staff (with
    two-factor authentication when it is required), any.

    One query for the profile (with its area names and the viewer's mentee status) and one for
    the job history.
    """
    qs = (
        MentorProfile.objects.select_related("user").prefetch_related("jobs").defer("search_vector")
    )
    if not has_staff_access(viewer):
        qs = qs.filter(
            Q(
                review_status=MentorProfile.ReviewStatus.APPROVED,
                is_active=True,
                user__is_active=True,
            )
            | Q(user=viewer)
        )
    area_names = ExpertiseArea.objects.filter(mentor_profiles=OuterRef("pk")).values("name")
    return (
        qs.annotate(
            area_names=ArraySubquery(area_names),
            viewer_is_mentee=Exists(MenteeProfile.objects.filter(user=viewer)),
            # On the viewer's own shortlist (profiles.shortlist; never shown to the mentor).
            viewer_saved=Exists(
                ShortlistEntry.objects.filter(mentee=viewer.pk, mentor_profile=OuterRef("pk"))
            ),
        )
        .filter(pk=pk)
        .first()
    )
