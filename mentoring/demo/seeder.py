"""Realistic demo data at any scale, for `make run`, manual testing and benchmarks.

Bulk rows are written with COPY and primary keys taken from the sequences up front, so 100,000
mentors with their areas and job history take about a minute; Postgres computes each chunk's
search documents in a second thread while Python builds the next chunk.
"""

from __future__ import annotations

import importlib
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from matching.models import Mentorship, MentorshipRequest, StatusChange
from mentoring.demo import vocabulary as V
from profiles.models import (
    ExpertiseArea,
    Industry,
    JobHistoryEntry,
    MeetingFormat,
    MeetingFrequency,
    MenteeProfile,
    MentorProfile,
)
from profiles.search import update_search_documents
from profiles.services import recount_places, take_place
from sessions_log.models import Meeting, Objective, ObjectiveUpdate

BATCH = 5000
INDUSTRY_LABELS = dict(Industry.choices)
INDUSTRIES = list(V.ROLES)
FORMATS = [f.value for f in MeetingFormat]
FREQUENCIES = [f.value for f in MeetingFrequency]


def _short(industry: str) -> str:
    if industry == "other":
        return "business"  # "9 years in other" reads oddly
    return INDUSTRY_LABELS[industry].split(",")[0].split(" and ")[0].lower()


def _next_ids(model, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, rows: list[dict]) -> None:
    """COPY rows (dicts of column -> value, all with the same keys) into the model's table."""
    if not rows:
        return
    columns = list(rows[0])
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


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


class DemoBuilder:
    def __init__(self, *, seed: int, password: str):
        ensure_expertise_areas()
        self.rng = random.Random(seed)
        self.password_hash = make_password(password)
        self.areas = list(ExpertiseArea.objects.order_by("pk").values_list("pk", flat=True))
        self.now = timezone.now()
        self.this_year = self.now.year

    # People -----------------------------------------------------------------------------
    def _create_users(self, emails: list[str]) -> dict[str, int]:
        """Create the users that do not exist yet (verified); returns email -> id for all."""
        rng = self.rng
        existing = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
        missing = [e for e in emails if e not in existing]
        ids = _next_ids(User, len(missing))
        _copy(
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
                    "time_zone": settings.TIME_ZONE,
                }
                for pk, email in zip(ids, missing, strict=True)
            ],
        )
        _copy(
            EmailAddress,
            [
                {"user_id": pk, "email": email, "verified": True, "primary": True}
                for pk, email in zip(ids, missing, strict=True)
            ],
        )
        return existing | dict(zip(missing, ids, strict=True))

    # Mentors ----------------------------------------------------------------------------
    def mentor_rows(self, pk: int, user_id: int) -> tuple[dict, list[dict], list[dict]]:
        """One mentor: the profile row, its area rows and its job history rows."""
        rng, now = self.rng, self.now
        industry = rng.choice(INDUSTRIES)
        titles, orgs = V.ROLES[industry]
        title, org = rng.choice(titles), rng.choice(orgs)
        story = _Story(rng, title=title, org=org, industry_short=_short(industry))
        city, country = rng.choice(V.PLACES)
        roll = rng.random()
        status = MentorProfile.ReviewStatus.APPROVED.value
        if roll < 0.04:
            status = MentorProfile.ReviewStatus.SUBMITTED.value
        elif roll < 0.06:
            status = MentorProfile.ReviewStatus.DRAFT.value
        elif roll < 0.07:
            status = MentorProfile.ReviewStatus.CHANGES_REQUESTED.value
        approved = status == MentorProfile.ReviewStatus.APPROVED
        alumni = rng.random() < 0.6
        profile = {
            "id": pk,
            "user_id": user_id,
            "headline": rng.choice(V.HEADLINES).format_map(story)[:120],
            "job_title": title,
            "organisation": org,
            "industry": industry,
            "department": rng.choice(V.DEPARTMENTS) if industry == "higher_education" else "",
            "city": city,
            "country": country,
            "languages": ", ".join(["English", *rng.sample(V.LANGUAGES, rng.randint(0, 2))]),
            "course": rng.choice(V.COURSES) if alumni else "",
            "graduation_year": rng.randint(1980, 2018) if alumni else None,
            "key_areas": rng.choice(V.KEY_AREAS).format_map(story),
            "moves_experience": rng.choice(V.MOVES_TEXT).format_map(story),
            "help_offered": rng.choice(V.HELP_TEXT),
            "formats": sorted(rng.sample(FORMATS, rng.randint(1, 3))),
            "frequency": rng.choice(FREQUENCIES),
            "capacity": rng.choice((1, 2, 2, 2, 2, 3, 3, 4)),
            "mentee_count": 0,
            "is_active": rng.random() > 0.05,
            "review_status": status,
            "review_note": "",
            "submitted_at": now - timedelta(days=rng.randint(30, 700)),
            "approved_at": now - timedelta(days=rng.randint(1, 600)) if approved else None,
            "confirmed_at": now - timedelta(days=rng.randint(1, 540)) if approved else None,
            "training_completed_on": (now - timedelta(days=rng.randint(30, 700))).date()
            if rng.random() < 0.7
            else None,
            "created_at": now,
            "updated_at": now,
            "is_listed": False,  # computed with the search document
            "search_vector": None,
            "area_ids": [],
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
        return profile, areas, jobs

    def create_mentors(self, count: int) -> int:
        emails = [f"mentor{i}@mentors.demo.test" for i in range(1, count + 1)]
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
                    profiles, areas, jobs = [], [], []
                    for pk, user_id in zip(_next_ids(MentorProfile, len(todo)), todo, strict=True):
                        profile, profile_areas, profile_jobs = self.mentor_rows(pk, user_id)
                        profiles.append(profile)
                        areas.extend(profile_areas)
                        jobs.extend(profile_jobs)
                    _copy(MentorProfile, profiles)
                    _copy(MentorProfile.areas.through, areas)
                    _copy(JobHistoryEntry, jobs)
                created += len(profiles)
                pending.append(indexer.submit(_index, [p["id"] for p in profiles]))
            for future in pending:
                future.result()
        return created

    # Mentees ----------------------------------------------------------------------------
    def create_mentees(self, count: int) -> int:
        rng, now = self.rng, self.now
        emails = [f"mentee{i}@mentees.demo.test" for i in range(1, count + 1)]
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
                profiles, areas = [], []
                for pk, user_id in zip(_next_ids(MenteeProfile, len(todo)), todo, strict=True):
                    industry = rng.choice(INDUSTRIES)
                    profiles.append(
                        {
                            "id": pk,
                            "user_id": user_id,
                            "role": rng.choice(V.MENTEE_ROLES),
                            "stage": rng.choice(V.MENTEE_STAGES),
                            "goals": rng.choice(V.MENTEE_GOALS).format(
                                industry_short=_short(industry)
                            ),
                            "preferred_formats": sorted(rng.sample(FORMATS, rng.randint(1, 2))),
                            "introduction": "",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    areas.extend(
                        {"menteeprofile_id": pk, "expertisearea_id": a}
                        for a in rng.sample(self.areas, rng.randint(1, 3))
                    )
                _copy(MenteeProfile, profiles)
                _copy(MenteeProfile.areas.through, areas)
            created += len(profiles)
        return created

    # Requests and mentorships -----------------------------------------------------------
    def create_matches(self) -> tuple[int, int]:
        """Pair about a third of the demo mentees with a listed mentor who has a free place, and
        give a fifth of them a pending request. Returns (pairs, requests). Runs once: a second
        run finds the requests and does nothing."""
        rng, now = self.rng, self.now
        if MentorshipRequest.objects.filter(mentee__email__endswith="@mentees.demo.test").exists():
            return 0, 0  # matched on an earlier run
        mentees = list(
            MenteeProfile.objects.filter(user__email__endswith="@mentees.demo.test").values_list(
                "user_id", flat=True
            )
        )
        places = dict(
            MentorProfile.objects.listed()
            .with_free_place()
            .filter(user__email__endswith="@mentors.demo.test")
            .values_list("user_id", F("capacity") - F("mentee_count"))
        )
        mentors = list(places)
        if not mentors:
            return 0, 0
        pairs, requests = [], []
        for mentee_id in mentees:
            roll = rng.random()
            mentor_id = rng.choice(mentors)
            if roll < 0.33 and places[mentor_id] > 0:
                places[mentor_id] -= 1
                started = now - timedelta(days=rng.randint(5, 300))
                request_id = _next_ids(MentorshipRequest, 1)[0]
                requests.append(
                    self._request_row(
                        request_id,
                        mentee_id,
                        mentor_id,
                        started,
                        status="accepted",
                        responded_at=started,
                    )
                )
                pairs.append(
                    {
                        "mentor_id": mentor_id,
                        "mentee_id": mentee_id,
                        "request_id": request_id,
                        "created_by_id": None,
                        "status": "active",
                        "started_at": started,
                        "ended_at": None,
                        "ended_by_id": None,
                        "end_reason": "",
                        "end_message": "",
                        "feedback_rating": None,
                        "feedback_comment": "",
                    }
                )
            elif roll < 0.53:
                sent = now - timedelta(days=rng.randint(0, 12), hours=rng.randint(0, 23))
                requests.append(
                    self._request_row(
                        _next_ids(MentorshipRequest, 1)[0],
                        mentee_id,
                        mentor_id,
                        sent,
                        status="pending",
                    )
                )
        with transaction.atomic():
            _copy(MentorshipRequest, requests)
            _copy(Mentorship, pairs)
            recount_places(Mentorship.objects.active())
        return len(pairs), sum(1 for r in requests if r["status"] == "pending")

    def _request_row(self, pk, mentee_id, mentor_id, created, *, status, responded_at=None):
        rng = self.rng
        goal = rng.choice(V.MENTEE_GOALS).format(industry_short=_short(rng.choice(INDUSTRIES)))
        return {
            "id": pk,
            "mentee_id": mentee_id,
            "mentor_id": mentor_id,
            "message": f"Hello, I read your profile with interest. {goal} I could meet about once "
            "a month, by video or in person, and I am happy to arrange the meetings.",
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

    def give_demo_requests(self, mentor: User) -> None:
        """Two seeded mentees ask the demo mentor, so the mentor's home has work waiting."""
        if MentorshipRequest.objects.filter(mentor=mentor).exists():
            return
        mentees = list(
            MenteeProfile.objects.filter(user__email__endswith="@mentees.demo.test")
            .exclude(user__sent_requests__status="pending")
            .exclude(user__mentorships_as_mentee__status="active")
            .values_list("user_id", flat=True)[:2]
        )
        _copy(
            MentorshipRequest,
            [
                self._request_row(
                    pk,
                    mentee_id,
                    mentor.pk,
                    self.now - timedelta(days=days, hours=3),
                    status="pending",
                )
                for pk, mentee_id, days in zip(
                    _next_ids(MentorshipRequest, len(mentees)), mentees, (1, 4), strict=False
                )
            ],
        )

    def give_demo_pair(self, mentor: User) -> None:
        """The demo mentor mentors one seeded mentee, with a plan and meetings, so the pair's
        space has something to show (one of the mentor's two places stays free)."""
        if Mentorship.objects.filter(mentor=mentor).exists():
            return
        mentee = (
            User.objects.filter(email__endswith="@mentees.demo.test", mentee_profile__isnull=False)
            .exclude(sent_requests__isnull=False)
            .exclude(mentorships_as_mentee__isnull=False)
            .first()
        )
        if mentee is None:
            return
        now = self.now
        started = now - timedelta(days=75)
        pair = Mentorship.objects.create(mentor=mentor, mentee=mentee, started_at=started)
        StatusChange.objects.create(mentorship=pair, to_status="active", actor=mentor, at=started)
        take_place(MentorProfile.objects.get(user=mentor))
        cv, interviews, network = Objective.objects.bulk_create(
            [
                Objective(
                    mentorship=pair,
                    position=0,
                    created_by=mentee,
                    created_at=started,
                    title="A CV that gets me interviews for finance graduate schemes",
                    success="Three applications sent with a CV Daniel thinks is ready.",
                    target_date=(started + timedelta(days=45)).date(),
                    status=Objective.Status.ACHIEVED,
                    achieved_on=(started + timedelta(days=40)).date(),
                ),
                Objective(
                    mentorship=pair,
                    position=1,
                    created_by=mentee,
                    created_at=started,
                    title="Feel ready for assessment centres",
                    success="A mock assessment day done, with feedback I can act on.",
                    target_date=(now + timedelta(days=30)).date(),
                    status=Objective.Status.IN_PROGRESS,
                ),
                Objective(
                    mentorship=pair,
                    position=2,
                    created_by=mentor,
                    created_at=started,
                    title="Build a network in corporate finance",
                    success="Five conversations with people in roles I am aiming for.",
                    status=Objective.Status.NOT_STARTED,
                ),
            ]
        )
        ObjectiveUpdate.objects.bulk_create(
            [
                ObjectiveUpdate(
                    objective=cv,
                    author=mentee,
                    status=Objective.Status.ACHIEVED,
                    created_at=started + timedelta(days=40),
                    note="Two interview invitations already!",
                ),
                ObjectiveUpdate(
                    objective=interviews,
                    author=mentee,
                    status=Objective.Status.IN_PROGRESS,
                    created_at=started + timedelta(days=41),
                    note="Practised the group exercise with Daniel.",
                ),
            ]
        )
        zone = mentee.time_zone
        first, second = Meeting.objects.bulk_create(
            [
                Meeting(
                    mentorship=pair,
                    status=Meeting.Status.HELD,
                    created_by=mentee,
                    starts_at=(started + timedelta(days=6)).replace(hour=17, minute=0),
                    time_zone=zone,
                    duration_minutes=60,
                    format="video",
                    location="Video call",
                    summary="Agreed our objectives and how often to meet "
                    "(about once a month). Went through my CV line by line.",
                    next_steps="Rewrite the CV around achievements; send it to Daniel.",
                ),
                Meeting(
                    mentorship=pair,
                    status=Meeting.Status.HELD,
                    created_by=mentee,
                    starts_at=(started + timedelta(days=38)).replace(hour=12, minute=30),
                    time_zone=zone,
                    duration_minutes=45,
                    format="in_person",
                    location="Café near Northbridge Capital",
                    summary="The new CV is ready. Talked about assessment centres.",
                    next_steps="Book a mock assessment day.",
                ),
                Meeting(
                    mentorship=pair,
                    status=Meeting.Status.PLANNED,
                    created_by=mentee,
                    starts_at=(now + timedelta(days=5)).replace(
                        hour=17, minute=30, second=0, microsecond=0
                    ),
                    time_zone=zone,
                    duration_minutes=60,
                    format="video",
                    location="Video call",
                    agenda="Mock interview: competency questions.",
                ),
            ]
        )[:2]
        first.objectives.set([cv])
        second.objectives.set([cv, interviews])

    # The three known accounts -----------------------------------------------------------
    def give_demo_profiles(self, mentor: User, mentee: User) -> None:
        by_slug = dict(ExpertiseArea.objects.values_list("slug", "pk"))
        if not MentorProfile.objects.filter(user=mentor).exists():
            profile = MentorProfile.objects.create(
                user=mentor,
                headline="Finance director who moved from engineering; happy to talk career changes",
                job_title="Finance Director",
                organisation="Northbridge Capital",
                industry=Industry.FINANCE,
                city="Manchester",
                country="GB",
                languages="English, Yoruba",
                course="BEng Civil Engineering",
                graduation_year=2004,
                key_areas="I lead a finance team of 24 and sit on the executive board. I am proudest of "
                "the graduate programme I set up, which has trained more than 60 people, four of "
                "whom now lead teams of their own.",
                moves_experience="I trained as a civil engineer and moved into finance after eight "
                "years, studying for my accountancy qualification in the evenings.",
                help_offered="I can review CVs, run a mock interview and explain how finance "
                "recruitment really works.",
                formats=[MeetingFormat.VIDEO, MeetingFormat.IN_PERSON],
                frequency=MeetingFrequency.MONTHLY,
                capacity=2,
                review_status=MentorProfile.ReviewStatus.APPROVED,
                submitted_at=self.now - timedelta(days=40),
                approved_at=self.now - timedelta(days=38),
                confirmed_at=self.now - timedelta(days=38),
                training_completed_on=(self.now - timedelta(days=45)).date(),
            )
            profile.areas.set(
                [
                    by_slug[s]
                    for s in (
                        "salary-negotiation",
                        "changing-sector",
                        "becoming-a-team-leader",
                        "cvs-applications-and-interviews",
                    )
                ]
            )
            JobHistoryEntry.objects.bulk_create(
                [
                    JobHistoryEntry(
                        profile=profile,
                        title="Finance Director",
                        organisation="Northbridge Capital",
                        start_year=2018,
                        description="Lead the finance team; member of the executive board.",
                    ),
                    JobHistoryEntry(
                        profile=profile,
                        title="Financial Controller",
                        organisation="Harbour Bank",
                        start_year=2012,
                        end_year=2018,
                        description="Ran month-end and audit; built the graduate programme.",
                    ),
                    JobHistoryEntry(
                        profile=profile,
                        title="Structural Engineer",
                        organisation="Atlas Infrastructure",
                        start_year=2004,
                        end_year=2012,
                        description="Bridges and rail projects.",
                    ),
                ]
            )
            update_search_documents([profile.pk])
        if not MenteeProfile.objects.filter(user=mentee).exists():
            profile = MenteeProfile.objects.create(
                user=mentee,
                role="BSc Economics",
                stage="Final year",
                goals="I want to find a first graduate job in finance and get better at salary "
                "negotiation. I would also like to understand what moving from study into a big "
                "organisation is really like.",
                preferred_formats=[MeetingFormat.VIDEO],
                introduction="I am the first in my family to go to university and I volunteer as a "
                "peer mentor for first-year students.",
            )
            profile.areas.set(
                [by_slug[s] for s in ("salary-negotiation", "finding-a-first-graduate-job")]
            )


def _index(profile_ids: list[int]) -> None:
    try:
        update_search_documents(profile_ids)
    finally:
        connections.close_all()
