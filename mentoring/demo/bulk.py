"""The bulk of the demo data: realistic mentors and mentees at any scale, for `make run`, manual
testing and benchmarks (the demo accounts' own data is in `showcase`).

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
from matching.models import Mentorship, MentorshipRequest
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
from profiles.services import recount_places

BATCH = 5000
INDUSTRY_LABELS = dict(Industry.choices)
INDUSTRIES = list(V.ROLES)
FORMATS = [f.value for f in MeetingFormat]
FREQUENCIES = [f.value for f in MeetingFrequency]


def _short(industry: str) -> str:
    if industry == "other":
        return "business"  # "9 years in other" reads oddly
    return INDUSTRY_LABELS[industry].split(",")[0].split(" and ")[0].lower()


def next_ids(model, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, rows: list[dict]) -> None:
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


class BulkBuilder:
    """Thousands of realistic mentors and mentees, their requests and pairs, written with COPY.

    One random generator for everything, so the same seed gives the same people.
    """

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
                    for pk, user_id in zip(next_ids(MentorProfile, len(todo)), todo, strict=True):
                        profile, profile_areas, profile_jobs = self.mentor_rows(pk, user_id)
                        profiles.append(profile)
                        areas.extend(profile_areas)
                        jobs.extend(profile_jobs)
                    copy_rows(MentorProfile, profiles)
                    copy_rows(MentorProfile.areas.through, areas)
                    copy_rows(JobHistoryEntry, jobs)
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
                for pk, user_id in zip(next_ids(MenteeProfile, len(todo)), todo, strict=True):
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
                copy_rows(MenteeProfile, profiles)
                copy_rows(MenteeProfile.areas.through, areas)
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
                request_id = next_ids(MentorshipRequest, 1)[0]
                requests.append(
                    self.request_row(
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
                    self.request_row(
                        next_ids(MentorshipRequest, 1)[0],
                        mentee_id,
                        mentor_id,
                        sent,
                        status="pending",
                    )
                )
        with transaction.atomic():
            copy_rows(MentorshipRequest, requests)
            copy_rows(Mentorship, pairs)
            recount_places(Mentorship.objects.active())
        return len(pairs), sum(1 for r in requests if r["status"] == "pending")

    def request_row(self, pk, mentee_id, mentor_id, created, *, status, responded_at=None):
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


def _index(profile_ids: list[int]) -> None:
    try:
        update_search_documents(profile_ids)
    finally:
        connections.close_all()
