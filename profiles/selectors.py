"""Read-side queries for the mentor directory and profile pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
    Window,
)
from django.db.models.functions import JSONObject

from accounts.models import User
from accounts.staff import has_staff_access
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
from profiles.search import SEARCH_CONFIG

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


def programme_json(**extra: Any) -> JSONObject:
    """A programme row as a JSON object, with `extra` expressions beside its columns."""
    return JSONObject(**{name: name for name in _PROGRAMME_COLUMNS}, **extra)


def programme_from_json(data: dict) -> Programme:
    """The programme `programme_json` wrote (read-only: its description is not loaded); the
    extra values stay in `data`."""
    programme = Programme(**{name: data[name] for name in _PROGRAMME_COLUMNS})
    programme._state.adding, programme._state.db = False, "default"
    return programme


def _member_of(role: str | None = None) -> Exists:
    """For a programme row inside a query of users: the user is an approved member (in
    `role`)."""
    memberships = Membership.objects.approved().filter(
        user=OuterRef(OuterRef("pk")), programme=OuterRef("pk")
    )
    return Exists(memberships.filter(role=role) if role else memberships)


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


def directory_viewer(user: User) -> DirectoryViewer:
    """One query for everything about the viewer the directory needs (the rendered results are
    cached, so this is most of what a page costs)."""
    coordinates: set[int] = set()
    programmes = Programme.objects.visible()
    if has_staff_access(user):
        coordinated = Programme.objects.coordinated_by(user).exclude(
            status=Programme.Status.ARCHIVED
        )
        coordinates = set(coordinated.values_list("pk", flat=True))
        programmes = Programme.objects.filter(Q(pk__in=programmes) | Q(pk__in=coordinates))
    wanted = MenteeProfile.areas.through.objects.filter(
        menteeprofile__user=OuterRef(OuterRef("pk")), expertisearea=OuterRef("pk")
    )
    mentee = MenteeProfile.objects.filter(user=OuterRef("pk"))
    row = (
        User.objects.filter(pk=user.pk)
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
            programme_rows=ArraySubquery(
                programmes.values(
                    j=programme_json(
                        is_member=_member_of(), is_mentee=_member_of(Membership.Role.MENTEE)
                    )
                )
            ),
            mentee_id=Subquery(mentee.values("pk")[:1]),
            mentee_department=Subquery(mentee.values("department")[:1]),
            mentee_manager=Subquery(mentee.values("line_manager_email")[:1]),
            shortlist_ids=ArraySubquery(
                ShortlistEntry.objects.filter(mentee=OuterRef("pk")).values("mentor_profile_id")
            ),
        )
        .values(
            "area_rows",
            "programme_rows",
            "mentee_id",
            "mentee_department",
            "mentee_manager",
            "shortlist_ids",
        )
        .get()
    )
    areas = [
        ExpertiseArea(**{k: v for k, v in a.items() if k != "wanted"}) for a in row["area_rows"]
    ]
    programmes = [programme_from_json(p) for p in row["programme_rows"]]
    mentee_profile = None
    if row["mentee_id"] is not None:
        mentee_profile = line_management_profile(
            user, department=row["mentee_department"], manager=row["mentee_manager"]
        )
    return DirectoryViewer(
        areas=areas,
        wanted_area_ids=[a["id"] for a in row["area_rows"] if a["wanted"]],
        programmes=programmes,
        member_of={p["id"] for p in row["programme_rows"] if p["is_member"]},
        mentee_in={p["id"] for p in row["programme_rows"] if p["is_mentee"]},
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

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def total_is_capped(self) -> bool:
        return self.total > COUNT_LIMIT


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
    None, for tools that look across programmes), less those `exclude` leaves out."""
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
    if q:
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        filtered = filtered.filter(search_vector=query)
        rows, matches = _ranked_page(filtered, query, newest_first, offset)
        ranking = "relevance"
    else:
        if wanted_area_ids:
            qs = _shared_areas_first(qs, sorted(wanted_area_ids), limit=offset + PAGE_SIZE + 1)
            ordering, ranking = [F("shared_tier").desc(), *newest_first], "shared_areas"
        else:
            ordering, ranking = newest_first, "recent"
        rows = list(qs.order_by(*ordering)[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE and page < MAX_PAGE
    mentors = rows[:PAGE_SIZE]
    if page == 1 and len(rows) <= PAGE_SIZE:
        total = len(rows)
    elif matches is not None:
        total = min(matches, COUNT_LIMIT + 1)
    else:
        total = filtered.values("pk")[: COUNT_LIMIT + 1].count()
    return DirectoryPage(
        mentors=mentors,
        number=page,
        has_next=has_next,
        total=total,
        ranking=ranking,
        wanted_area_ids=set(wanted_area_ids or ()),
    )


def _ranked_page(
    filtered: QuerySet, query: SearchQuery, newest_first: list, offset: int
) -> tuple[list[MentorProfile], int | None]:
    """One page of search results, best matches first, and how many mentors match.

    Ranking reads every match, so the same query counts them (a window aggregate) rather than
    a second pass over them; and it reads only ids, so the cards' columns and the user join
    are fetched for the page's rows alone, after the sort (joining first can mean reading
    every user). The count is None when the page is past the last match.
    """
    ranked = (
        filtered.annotate(rank=SearchRank(F("search_vector"), query), matches=Window(Count("*")))
        .order_by(F("rank").desc(), *newest_first)
        .values_list("pk", "matches")[offset : offset + PAGE_SIZE + 1]
    )
    ids = list(ranked)
    if not ids:
        return [], None
    cards = (
        MentorProfile.objects.select_related("user")
        .only(*CARD_FIELDS)
        .in_bulk([pk for pk, _ in ids])
    )
    return [cards[pk] for pk, _ in ids if pk in cards], ids[0][1]


def _shared_areas_first(
    qs: MentorProfileQuerySet, wanted: list[int], *, limit: int
) -> MentorProfileQuerySet:
    """Order mentors who offer every area the mentee wants first, then those who offer some.

    Each tier is read in index order (newest confirmation first) and cut at the page's end, so
    a page costs three short index walks instead of ranking every mentor.
    """
    newest_first = [F("confirmed_at").desc(nulls_last=True), F("id").desc()]
    tiers = [
        qs.filter(area_ids__contains=wanted),
        qs.filter(area_ids__overlap=wanted).exclude(area_ids__contains=wanted),
        qs.exclude(area_ids__overlap=wanted),
    ]
    first, *rest = (t.order_by(*newest_first).values("id")[:limit] for t in tiers)
    candidates = first.union(*rest, all=True)
    return (
        MentorProfile.objects.filter(pk__in=candidates)
        .select_related("user")
        .only(*CARD_FIELDS)
        .annotate(
            shared_tier=Case(
                When(area_ids__contains=wanted, then=2),
                When(area_ids__overlap=wanted, then=1),
                default=0,
                output_field=IntegerField(),
            )
        )
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
