"""The bulk of the demo data: realistic mentors and mentees at any scale, in the three demo
programmes, for `make run`, manual testing and benchmarks (the demo accounts' own data is in
`showcase`, the programmes in `programmes`).

Bulk rows are written with COPY and primary keys taken from the sequences up front, so 100,000
mentors with their areas, job history and memberships take about a minute; Postgres computes
each chunk's search documents (and `programme_ids`, from the memberships written in the same
transaction) in a second thread while Python builds the next chunk.

Mentors are spread over the programmes: half in careers (alumni), three in ten in staff
(University staff, with a department), a fifth at the advice point, and about one in ten of the
careers and staff mentors at the advice point too. Mentees likewise.
"""

from __future__ import annotations

import importlib
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from matching.models import Mentorship, MentorshipRequest
from mentoring.demo import vocabulary as V
from mentoring.demo.programmes import ADVICE, CAREERS, STAFF, current_round, previous_round
from mentoring.demo.rows import copy_rows, next_ids
from profiles.models import (
    ExpertiseArea,
    Industry,
    JobHistoryEntry,
    MeetingFormat,
    MeetingFrequency,
    Membership,
    MenteeProfile,
    MentorProfile,
    Programme,
)
from profiles.search import update_search_documents
from profiles.services import recount_places

BATCH = 5000
INDUSTRY_LABELS = dict(Industry.choices)
INDUSTRIES = list(V.ROLES)
FORMATS = [f.value for f in MeetingFormat]
FREQUENCIES = [f.value for f in MeetingFrequency]


def _no_one_off(frequency: str) -> str:
    """The old "single conversation" frequency is no longer offered (advice_per_month is): a
    draw of it becomes "flexible", so the generator's sequence, and the demo, stay the same."""
    return MeetingFrequency.FLEXIBLE.value if frequency == MeetingFrequency.ONE_OFF else frequency


MENTOR_DOMAIN = "mentors.demo.test"
MENTEE_DOMAIN = "mentees.demo.test"
APPROVED = MentorProfile.ReviewStatus.APPROVED.value

# Who takes part where: (upper bound of a uniform roll, programmes), in programme order.
MENTOR_SPREAD = [
    (0.42, (CAREERS,)),
    (0.50, (CAREERS, ADVICE)),
    (0.77, (STAFF,)),
    (0.80, (STAFF, ADVICE)),
    (1.00, (ADVICE,)),
]
MENTEE_SPREAD = [
    (0.40, (CAREERS,)),
    (0.50, (CAREERS, ADVICE)),
    (0.78, (STAFF,)),
    (0.80, (STAFF, ADVICE)),
    (1.00, (ADVICE,)),
]


def _short(industry: str) -> str:
    if industry == "other":
        return "business"  # "9 years in other" reads oddly
    return INDUSTRY_LABELS[industry].split(",")[0].split(" and ")[0].lower()


def _spread(rng: random.Random, spread) -> tuple[str, ...]:
    roll = rng.random()
    return next(slugs for bound, slugs in spread if roll < bound)


class _Story(dict):
    """Template values made only when a template asks for them."""

    def __init__(self, rng: random.Random, **fixed):
        super().__init__(**fixed)
        self.rng = rng

    def __missing__(self, key):
        rng = self.rng
        makers = {
            "topic": lambda: rng.choice(V.TOPICS),
            "move": lambda: rng.choice(V.MOVES).format(city=rng.choice(V.PLACES)[0]),
            "city": lambda: rng.choice(V.PLACES)[0],
            "years": lambda: rng.randint(5, 30),
            "year": lambda: rng.randint(1995, 2020),
            "n": lambda: rng.randint(4, 60),
            "m": lambda: rng.randint(1, 40),
            "k": lambda: rng.randint(5, 200),
        }
        value = makers[key]()
        self[key] = value
        return value


def ensure_expertise_areas() -> None:
    """The demo needs the default taxonomy; put it back if the table was emptied."""
    if ExpertiseArea.objects.exists():
        return
    migration = importlib.import_module("profiles.migrations.0002_expertise_areas")
    migration.add_areas(apps, None)


class BulkBuilder:
    """Thousands of realistic mentors and mentees, their memberships, requests and pairs,
    written with COPY.

    One random generator for everything, so the same seed gives the same people.
    """

    def __init__(
        self,
        *,
        seed: int,
        password: str,
        programmes: dict[str, Programme],
        coordinator: User | None = None,
    ):
        ensure_expertise_areas()
        self.rng = random.Random(seed)
        self.password_hash = make_password(password)
        self.areas = list(ExpertiseArea.objects.order_by("pk").values_list("pk", flat=True))
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.this_year = self.now.year
        self.programmes = programmes
        self.coordinator_id = coordinator.pk if coordinator is not None else None
        careers = programmes[CAREERS]
        self.previous_round = previous_round(careers, today=self.today)
        self.current_round = current_round(careers, today=self.today)
        self._request_ids: list[int] = []

    def next_request_id(self) -> int:
        """A request's primary key, from the sequence a thousand at a time (one round trip per
        thousand requests; unused ones are gaps, as after any rollback)."""
        if not self._request_ids:
            self._request_ids = next_ids(MentorshipRequest, 1000)[::-1]
        return self._request_ids.pop()

    # People -----------------------------------------------------------------------------
    def _create_users(self, emails: list[str]) -> dict[str, int]:
        """Create the users that do not exist yet (verified); returns email -> id for all."""
        rng = self.rng
        existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
        missing = [e for e in emails if e not in existing]
        ids = next_ids(User, len(missing))
        copy_rows(
            User,
            [
                {
                    "id": pk,
                    "password": self.password_hash,
                    "last_login": None,
                    "is_superuser": False,
                    "email": email,
                    "full_name": f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.LAST_NAMES)}",
                    "is_staff": False,
                    "is_active": True,
                    "date_joined": self.now,
                    "reminder_emails": True,
                    "meeting_reminder_emails": True,
                    "nudge_emails": True,
                    "request_reminder_emails": True,
                    "message_emails": User.MessageEmails.IMMEDIATE,
                    "time_zone": settings.TIME_ZONE,
                }
                for pk, email in zip(ids, missing, strict=True)
            ],
        )
        copy_rows(
            EmailAddress,
            [
                {"user_id": pk, "email": email, "verified": True, "primary": True}
                for pk, email in zip(ids, missing, strict=True)
            ],
        )
        return existing | dict(zip(missing, ids, strict=True))

    def membership_row(
        self,
        user_id: int,
        slug: str,
        role: str,
        *,
        joined_at: datetime,
        approved_at: datetime | None,
        application: str = "",
        applied_at: datetime | None = None,
    ) -> dict:
        """A membership as joining (and, for mentors, approval) leaves it."""
        approved = approved_at is not None
        return {
            "user_id": user_id,
            "programme_id": self.programmes[slug].pk,
            "role": role,
            "status": Membership.Status.APPROVED.value if approved else "pending",
            "joined_at": joined_at,
            "approved_at": approved_at,
            "approved_by_id": None,
            "left_at": None,
            "by_invitation": False,
            "application": application,
            "applied_at": applied_at,
        }

    # Mentors ----------------------------------------------------------------------------
    def mentor_rows(self, pk: int, user_id: int) -> tuple[dict, list[dict], list[dict], list[dict]]:
        """One mentor: the profile row, its area rows, its job history and memberships."""
        rng, now = self.rng, self.now
        slugs = _spread(rng, MENTOR_SPREAD)
        staff = STAFF in slugs
        if staff:
            # University staff: their job is at the University, in a department.
            industry = Industry.HIGHER_EDUCATION.value
            title, org = rng.choice(V.STAFF_MENTOR_TITLES), V.UNIVERSITY
            department = rng.choice(V.DEPARTMENTS)
        else:
            industry = rng.choice(INDUSTRIES)
            titles, orgs = V.ROLES[industry]
            title, org = rng.choice(titles), rng.choice(orgs)
            department = rng.choice(V.DEPARTMENTS) if industry == "higher_education" else ""
        story = _Story(rng, title=title, org=org, industry_short=_short(industry))
        city, country = rng.choice(V.PLACES)
        roll = rng.random()
        status = APPROVED
        if roll < 0.04:
            status = MentorProfile.ReviewStatus.SUBMITTED.value
        elif roll < 0.06:
            status = MentorProfile.ReviewStatus.DRAFT.value
        elif roll < 0.07:
            status = MentorProfile.ReviewStatus.CHANGES_REQUESTED.value
        if slugs == (ADVICE,) and status != MentorProfile.ReviewStatus.DRAFT:
            status = APPROVED  # nobody reviews advice-point mentors: submitting publishes
        approved = status == APPROVED
        alumni = CAREERS in slugs or rng.random() < (0.3 if staff else 0.6)
        trained = rng.random() < 0.7 or (staff and approved)  # staff: training before approval
        submitted_at = now - timedelta(days=rng.randint(30, 700))
        approved_at = (
            min(submitted_at + timedelta(days=rng.randint(1, 20)), now - timedelta(hours=1))
            if approved
            else None
        )
        profile = {
            "id": pk,
            "user_id": user_id,
            "headline": rng.choice(V.HEADLINES).format_map(story)[:120],
            "job_title": title,
            "organisation": org,
            "industry": industry,
            "department": department,
            "city": city,
            "country": country,
            "languages": ", ".join(["English", *rng.sample(V.LANGUAGES, rng.randint(0, 2))]),
            "course": rng.choice(V.COURSES) if alumni else "",
            "graduation_year": rng.randint(1980, 2018) if alumni else None,
            "key_areas": rng.choice(V.KEY_AREAS).format_map(story),
            "moves_experience": rng.choice(V.MOVES_TEXT).format_map(story),
            "help_offered": rng.choice(V.HELP_TEXT),
            "formats": sorted(rng.sample(FORMATS, rng.randint(1, 3))),
            # Advice-point mentors offer one-off conversations (a number a month), which take
            # none of their places; the frequency is for long-term mentoring.
            "frequency": MeetingFrequency.FLEXIBLE.value
            if slugs == (ADVICE,)
            else _no_one_off(rng.choice(FREQUENCIES)),
            "photo": "",  # generated mentors show their initials
            # From the id, not the generator: the rest of the demo data stays as it was.
            "advice_per_month": 2 + pk % 3 if ADVICE in slugs else 0,
            "capacity": rng.choice((1, 2, 2, 2, 2, 3, 3, 4)),
            "mentee_count": 0,
            "is_active": rng.random() > 0.05,
            "review_status": status,
            "review_note": "",
            "reviewed_by_id": None,
            "submitted_at": submitted_at,
            "approved_at": approved_at,
            "confirmed_at": self.between(approved_at, now) if approved_at else None,
            "confirmation_asked_at": None,
            "training_completed_on": (submitted_at - timedelta(days=rng.randint(1, 60))).date()
            if trained
            else None,
            "created_at": now,
            "updated_at": now,
            "is_listed": False,  # computed with the search document
            "search_vector": None,
            "area_ids": [],
            "programme_ids": [],  # computed with the search document, from the memberships
        }
        areas = [
            {"mentorprofile_id": pk, "expertisearea_id": a}
            for a in rng.sample(self.areas, rng.randint(2, 5))
        ]
        jobs = []
        year = self.this_year
        for i in range(rng.randint(1, 4)):
            start = year - rng.randint(2, 8)
            job_industry = industry if rng.random() < 0.7 else rng.choice(INDUSTRIES)
            job_titles, job_orgs = V.ROLES[job_industry]
            jobs.append(
                {
                    "profile_id": pk,
                    "title": title if i == 0 else rng.choice(job_titles),
                    "organisation": org if i == 0 else rng.choice(job_orgs),
                    "start_year": start,
                    "end_year": None if i == 0 else year,
                    "description": rng.choice(V.JOB_DESCRIPTIONS).format_map(story),
                }
            )
            year = start
        memberships = []
        for slug in slugs:
            # Approved where the programme approves this profile, or approves nobody.
            needs_approval = self.programmes[slug].mentor_approval_required
            memberships.append(
                self.membership_row(
                    user_id,
                    slug,
                    Membership.Role.MENTOR.value,
                    joined_at=submitted_at,
                    approved_at=(approved_at if needs_approval else submitted_at)
                    if approved or not needs_approval
                    else None,
                )
            )
        return profile, areas, jobs, memberships

    def create_mentors(self, count: int) -> int:
        emails = [f"mentor{i}@{MENTOR_DOMAIN}" for i in range(1, count + 1)]
        created = 0
        with ThreadPoolExecutor(max_workers=1) as indexer:
            pending = []
            for start in range(0, len(emails), BATCH):
                chunk = emails[start : start + BATCH]
                with transaction.atomic():
                    users = self._create_users(chunk)
                    have = set(
                        MentorProfile.objects.filter(user_id__in=users.values()).values_list(
                            "user_id", flat=True
                        )
                    )
                    todo = [users[e] for e in chunk if users[e] not in have]
                    profiles, areas, jobs, memberships = [], [], [], []
                    for pk, user_id in zip(next_ids(MentorProfile, len(todo)), todo, strict=True):
                        profile, profile_areas, profile_jobs, joined = self.mentor_rows(pk, user_id)
                        profiles.append(profile)
                        areas.extend(profile_areas)
                        jobs.extend(profile_jobs)
                        memberships.extend(joined)
                    copy_rows(MentorProfile, profiles)
                    copy_rows(MentorProfile.areas.through, areas)
                    copy_rows(JobHistoryEntry, jobs)
                    self._copy_memberships(memberships)
                created += len(profiles)
                # After the commit: the indexer's connection sees the chunk and its memberships.
                pending.append(indexer.submit(_index, [p["id"] for p in profiles]))
            for future in pending:
                future.result()
        return created

    def _copy_memberships(self, rows: list[dict]) -> None:
        for pk, row in zip(next_ids(Membership, len(rows)), rows, strict=True):
            row["id"] = pk
        copy_rows(Membership, rows)

    # Mentees ----------------------------------------------------------------------------
    def _staff_mentors(self) -> list[tuple[str, str]]:
        """(email, department) of the staff programme's mentors: the staff mentees' line
        managers come from them."""
        return list(
            Membership.objects.mentors()
            .filter(programme=self.programmes[STAFF], user__email__endswith="@" + MENTOR_DOMAIN)
            .order_by("user_id")
            .values_list("user__email", "user__mentor_profile__department")
        )

    def mentee_rows(
        self, pk: int, user_id: int, managers: list[tuple[str, str]]
    ) -> tuple[dict, list[dict], list[dict]]:
        """One mentee: the profile row, its area rows and its memberships."""
        rng, now = self.rng, self.now
        slugs = _spread(rng, MENTEE_SPREAD)
        industry = rng.choice(INDUSTRIES)
        department = manager = ""
        if STAFF in slugs:
            role = rng.choice(V.STAFF_MENTEE_ROLES)
            stage = rng.choice(V.STAFF_MENTEE_STAGES)
            goals = rng.choice(V.STAFF_GOALS)
            department = rng.choice(V.DEPARTMENTS)
            if managers and rng.random() < 0.6:
                manager, manager_department = rng.choice(managers)
                if manager_department and rng.random() < 0.8:
                    department = manager_department  # most people's manager is in their team
            role = f"{role}, {department}"
        else:
            role = rng.choice(V.STUDENT_ROLES)
            stage = rng.choice(V.STUDENT_STAGES)
            goals = rng.choice(V.MENTEE_GOALS).format(industry_short=_short(industry))
        joined_at = now - timedelta(days=rng.randint(5, 480), hours=rng.randint(0, 23))
        profile = {
            "id": pk,
            "user_id": user_id,
            "role": role,
            "stage": stage,
            "goals": goals,
            "preferred_formats": sorted(rng.sample(FORMATS, rng.randint(1, 2))),
            "introduction": "",
            "department": department,
            "line_manager_email": manager,
            "created_at": now,
            "updated_at": now,
        }
        areas = [
            {"menteeprofile_id": pk, "expertisearea_id": a}
            for a in rng.sample(self.areas, rng.randint(1, 3))
        ]
        memberships = []
        for slug in slugs:
            application, applied_at = "", None
            if slug == STAFF and rng.random() < 0.75:
                # Most staff mentees have applied to be matched: the coordinators' queue.
                application = rng.choice(V.STAFF_APPLICATIONS)
                applied_at = joined_at + timedelta(days=rng.randint(0, 4))
            memberships.append(
                self.membership_row(
                    user_id,
                    slug,
                    Membership.Role.MENTEE.value,
                    joined_at=joined_at,
                    approved_at=joined_at,  # mentees take part at once
                    application=application,
                    applied_at=applied_at,
                )
            )
        return profile, areas, memberships

    def create_mentees(self, count: int) -> int:
        emails = [f"mentee{i}@{MENTEE_DOMAIN}" for i in range(1, count + 1)]
        managers = self._staff_mentors() if emails else []
        created = 0
        for start in range(0, len(emails), BATCH):
            chunk = emails[start : start + BATCH]
            with transaction.atomic():
                users = self._create_users(chunk)
                have = set(
                    MenteeProfile.objects.filter(user_id__in=users.values()).values_list(
                        "user_id", flat=True
                    )
                )
                todo = [users[e] for e in chunk if users[e] not in have]
                profiles, areas, memberships = [], [], []
                for pk, user_id in zip(next_ids(MenteeProfile, len(todo)), todo, strict=True):
                    profile, profile_areas, joined = self.mentee_rows(pk, user_id, managers)
                    profiles.append(profile)
                    areas.extend(profile_areas)
                    memberships.extend(joined)
                copy_rows(MenteeProfile, profiles)
                copy_rows(MenteeProfile.areas.through, areas)
                self._copy_memberships(memberships)
            created += len(profiles)
        return created

    # Requests and mentorships -----------------------------------------------------------
    def create_matches(self) -> Counter:
        """Requests and pairs in each programme the seeded mentees belong to, with listed
        mentors of that programme who have a free place:

        - careers: a third paired (this round's pairs active, some of last round's completed at
          its term end), a fifth with a request waiting;
        - staff: about half of the applicants matched centrally by the coordinator, never with
          their line manager or someone in their department;
        - advice: a quarter paired after their request, a fifth with a request waiting.

        Returns how many of each were made, by (programme, what). Runs once: a second run finds
        the seeded mentees' requests or pairs and does nothing."""
        made: Counter = Counter()
        seeded = Q(mentee__email__endswith="@" + MENTEE_DOMAIN)
        if (
            MentorshipRequest.objects.filter(seeded).exists()
            or Mentorship.objects.filter(seeded).exists()
        ):
            return made  # matched on an earlier run
        rng = self.rng
        by_pk = {p.pk: slug for slug, p in self.programmes.items()}
        mentors = list(
            MentorProfile.objects.listed()
            .with_free_place()
            .filter(user__email__endswith="@" + MENTOR_DOMAIN)
            .order_by("user_id")
            .values_list(
                "user_id",
                F("capacity") - F("mentee_count"),
                "programme_ids",
                "department",
                "user__email",
            )
        )
        places = {m[0]: m[1] for m in mentors}
        about = {m[0]: (m[3].lower(), m[4].lower()) for m in mentors}
        pool: dict[str, list[int]] = {slug: [] for slug in self.programmes}
        for user_id, _, programme_ids, _, _ in mentors:
            for pk in programme_ids:
                if pk in by_pk:
                    pool[by_pk[pk]].append(user_id)
        memberships = (
            Membership.objects.approved()
            .mentees()
            .filter(user__email__endswith="@" + MENTEE_DOMAIN, programme__in=list(by_pk))
            .order_by("user_id", "programme__position", "programme_id")
            .values_list(
                "user_id",
                "programme_id",
                "joined_at",
                "applied_at",
                "user__mentee_profile__department",
                "user__mentee_profile__line_manager_email",
            )
        )
        advice_taken: Counter = Counter()
        requests, pairs = [], []
        for mentee_id, programme_id, joined_at, applied_at, department, manager in memberships:
            slug = by_pk[programme_id]
            candidates = pool[slug]
            if not candidates:
                continue
            roll = rng.random()
            mentor_id = rng.choice(candidates)
            if slug == STAFF:
                if applied_at is None or roll >= 0.45:
                    continue
                mentor_id = self._outside_line(
                    candidates, about, places, (department or "").lower(), (manager or "").lower()
                )
                if mentor_id is None:
                    continue
                places[mentor_id] -= 1
                started = self.between(
                    max(applied_at, self.now - timedelta(days=200)) + timedelta(days=3),
                    self.now - timedelta(hours=2),
                )
                pairs.append(
                    self.pair_row(
                        mentor_id, mentee_id, STAFF, started, created_by_id=self.coordinator_id
                    )
                )
                made[STAFF, "active"] += 1
            elif roll < (0.33 if slug == CAREERS else 0.25) and places[mentor_id] > 0:
                if slug == ADVICE:
                    cap = self.programmes[ADVICE].mentor_places_cap
                    if cap is not None and advice_taken[mentor_id] >= cap:
                        continue
                    advice_taken[mentor_id] += 1
                what = self._paired(
                    mentor_id, mentee_id, slug, places, requests, pairs, joined_at=joined_at
                )
                made[slug, what] += 1
            elif roll < (0.53 if slug == CAREERS else 0.45):
                days = 12 if slug == CAREERS else 5  # before the programme's expiry
                sent = self.between(
                    max(joined_at, self.now - timedelta(days=days)), self.now - timedelta(hours=1)
                )
                requests.append(
                    self.request_row(
                        self.next_request_id(),
                        mentee_id,
                        mentor_id,
                        sent,
                        programme=self.programmes[slug],
                        status="pending",
                    )
                )
                made[slug, "pending"] += 1
        with transaction.atomic():
            copy_rows(MentorshipRequest, requests)
            for pk, pair in zip(next_ids(Mentorship, len(pairs)), pairs, strict=True):
                pair["id"] = pk
            copy_rows(Mentorship, pairs)
            recount_places(Mentorship.objects.active().filter(engagement="long_term"))
        return made

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment from `start` to `end` (`start` when the span is empty), to the second."""
        seconds = int((end - start).total_seconds())
        return start + timedelta(seconds=self.rng.randint(0, seconds)) if seconds > 0 else start

    def _outside_line(
        self,
        candidates: list[int],
        about: dict[int, tuple[str, str]],
        places: dict[int, int],
        department: str,
        manager: str,
    ) -> int | None:
        """A staff mentor with a free place who is neither the mentee's line manager nor in
        their department (a few tries, as a coordinator would), or None."""
        for _ in range(6):
            mentor_id = self.rng.choice(candidates)
            mentor_department, email = about[mentor_id]
            if places[mentor_id] <= 0 or (manager and email == manager):
                continue
            if department and mentor_department == department:
                continue
            return mentor_id
        return None

    def _paired(
        self,
        mentor_id: int,
        mentee_id: int,
        slug: str,
        places: dict[int, int],
        requests: list[dict],
        pairs: list[dict],
        *,
        joined_at: datetime,
    ) -> str:
        """The mentor accepted the mentee's request: a pair, active or (a careers pair of last
        year's round, for a mentee who was there) completed at the round's term end. Everything
        happens after the mentee joined. Returns the pair's status."""
        rng = self.rng
        round_, ended_at = None, None
        after_joining = joined_at + timedelta(days=1)
        if slug == CAREERS:
            round_ = self.current_round
            last = self.previous_round
            if rng.random() < 0.3 and after_joining < _at(last.mentee_closes_on):
                round_ = last
                started = self.between(
                    max(_at(last.mentee_opens_on), after_joining), _at(last.mentee_closes_on)
                )
                ended_at = _at(last.term_ends_on)
            else:
                # Never after now: on the round's first morning its 09:00 is still to come.
                started = min(
                    self.between(
                        max(_at(round_.mentee_opens_on), after_joining),
                        self.now - timedelta(days=5),
                    ),
                    self.now,
                )
        else:
            started = self.between(
                max(after_joining, self.now - timedelta(days=60)), self.now - timedelta(days=3)
            )
        if ended_at is None:
            places[mentor_id] -= 1
        request_id = self.next_request_id()
        requests.append(
            self.request_row(
                request_id,
                mentee_id,
                mentor_id,
                max(started - timedelta(days=rng.randint(1, 6)), joined_at),
                programme=self.programmes[slug],
                status="accepted",
                responded_at=started,
            )
        )
        pairs.append(
            self.pair_row(
                mentor_id,
                mentee_id,
                slug,
                started,
                request_id=request_id,
                round_id=round_.pk if round_ is not None else None,
                ended_at=ended_at,
            )
        )
        return "completed" if ended_at else "active"

    def pair_row(
        self,
        mentor_id: int,
        mentee_id: int,
        slug: str,
        started: datetime,
        *,
        request_id: int | None = None,
        round_id: int | None = None,
        created_by_id: int | None = None,
        ended_at: datetime | None = None,
    ) -> dict:
        return {
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
            "programme_id": self.programmes[slug].pk,
            "round_id": round_id,
            "request_id": request_id,
            "created_by_id": created_by_id,
            "engagement": "advice" if slug == ADVICE else "long_term",
            "status": "completed" if ended_at else "active",
            "started_at": started,
            "ended_at": ended_at,
            "ended_by_id": None,
            "end_reason": "",
            "end_message": "",
            "feedback_rating": None,
            "feedback_comment": "",
            "nudged_at": None,
        }

    def request_row(
        self,
        pk,
        mentee_id,
        mentor_id,
        created,
        *,
        programme: Programme,
        status,
        responded_at=None,
    ):
        rng = self.rng
        industry_short = _short(rng.choice(INDUSTRIES))
        topic = ""
        if programme.slug == ADVICE:
            question = rng.choice(V.ADVICE_QUESTIONS).format(industry_short=industry_short)
            topic = question[:200]
            message = (
                f"Hello, I read your profile with interest. {question} A video call at a time "
                "that suits you would be ideal."
            )
        else:
            goal = rng.choice(V.MENTEE_GOALS).format(industry_short=industry_short)
            message = (
                f"Hello, I read your profile with interest. {goal} I could meet about once "
                "a month, by video or in person, and I am happy to arrange the meetings."
            )
        return {
            "id": pk,
            "mentee_id": mentee_id,
            "mentor_id": mentor_id,
            "programme_id": programme.pk,
            "engagement": "advice" if topic else "long_term",
            "topic": topic,
            "message": message,
            "status": status,
            "decline_reason": "",
            "response_message": "",
            "closing_note": "",
            "created_at": created,
            "reminders_sent": 0,
            "responded_at": responded_at,
            "withdrawn_at": None,
            "expired_at": None,
        }


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _index(profile_ids: list[int]) -> None:
    try:
        update_search_documents(profile_ids)
    finally:
        connections.close_all()
