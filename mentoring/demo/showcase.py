"""The hand-made showcase: the demo accounts' profiles and memberships, the requests waiting for
the demo mentor and the demo mentee, the demo pair with its objectives and meetings, and the
staff programme's applicant and pair, so every page and every role has something to show.

Memberships, requests and the staff pair are written as history with COPY, like the bulk data
(dated before what each person did next); the demo pair, its plan and meetings with the ORM.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import User
from matching.models import Mentorship, MentorshipRequest, StatusChange
from mentoring.demo import vocabulary as V
from mentoring.demo.bulk import MENTEE_DOMAIN, MENTOR_DOMAIN, BulkBuilder
from mentoring.demo.programmes import ADVICE, CAREERS, STAFF
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
    Round,
)
from profiles.search import update_search_documents
from profiles.services import take_place
from sessions_log.models import Meeting, Objective, ObjectiveUpdate

# The staff mentor's department is one no generated person works in, so the line-management
# rule never hides them from the staff mentee.
STAFF_MENTOR_DEPARTMENT = "Planning and Strategy"
STAFF_MENTEE_DEPARTMENT = "Research Office"  # when there is no generated line manager

MENTEE_REQUEST = (
    "Hello, I am in the final year of BSc Economics and your profile is the closest to the "
    "career I hope for. Could you help me understand how graduate recruitment works in your "
    "sector and what I should do this year? I could meet once a month by video and will "
    "arrange the calls."
)


# The demo accounts' memberships: (account, programme, role, days since joining, days since
# approval). Dated so that each came before what the person did there.
DEMO_MEMBERSHIPS = [
    ("mentor", CAREERS, Membership.Role.MENTOR, 400, 398),
    ("mentor", ADVICE, Membership.Role.MENTOR, 150, 150),
    ("mentee", CAREERS, Membership.Role.MENTEE, 90, 90),
    ("mentee", ADVICE, Membership.Role.MENTEE, 20, 20),
    ("staff-mentor", STAFF, Membership.Role.MENTOR, 120, 110),
    ("staff-mentee", STAFF, Membership.Role.MENTEE, 30, 30),
]
STAFF_APPLICATION = (
    "A mentor from another part of the University who has led a team, to help me prepare for "
    "my first management role. Someone in planning or finance would be ideal."
)


def give_demo_memberships(
    accounts: dict[str, User], *, programmes: dict[str, Programme], now: datetime
) -> None:
    """The demo accounts take part in their programmes, written as history like the bulk
    people's (each programme accepts them: the tests check its eligibility rules do). The staff
    mentee has applied to be matched, naming the staff mentor as someone they would like."""
    have = set(
        Membership.objects.filter(user__in=accounts.values()).values_list(
            "user_id", "programme_id", "role"
        )
    )
    rows = []
    for account, slug, role, joined, approved in DEMO_MEMBERSHIPS:
        user, programme = accounts[account], programmes[slug]
        if (user.pk, programme.pk, role) in have:
            continue
        applying = account == "staff-mentee"
        rows.append(
            {
                "id": next_ids(Membership, 1)[0],
                "user_id": user.pk,
                "programme_id": programme.pk,
                "role": role.value,
                "status": Membership.Status.APPROVED.value,
                "joined_at": now - timedelta(days=joined),
                "approved_at": now - timedelta(days=approved),
                "approved_by_id": None if role == Membership.Role.MENTEE else accounts["admin"].pk,
                "left_at": None,
                "by_invitation": False,
                "application": STAFF_APPLICATION if applying else "",
                "applied_at": now - timedelta(days=joined - 2) if applying else None,
            }
        )
    copy_rows(Membership, rows)
    if any(r["application"] for r in rows):
        Membership.objects.get(
            user=accounts["staff-mentee"], programme=programmes[STAFF]
        ).preferred_mentors.set([accounts["staff-mentor"]])
    # Their programmes in the directory's column.
    update_search_documents(
        MentorProfile.objects.filter(user__in=accounts.values()).values_list("pk", flat=True)
    )


def give_demo_requests(mentor: User, bulk: BulkBuilder) -> None:
    """Two seeded mentees ask the demo mentor, one in careers and one at the advice point, so
    the mentor's home has work waiting. Their messages come from the bulk data's generator,
    after the bulk rows (same seed, same text)."""
    if MentorshipRequest.objects.filter(mentor=mentor).exists():
        return
    rows = []
    for slug, days in ((CAREERS, 1), (ADVICE, 4)):
        programme = bulk.programmes[slug]
        mentee_id = (
            Membership.objects.approved()
            .mentees()
            .filter(programme=programme, user__email__endswith="@" + MENTEE_DOMAIN)
            .exclude(
                user__sent_requests__status="pending", user__sent_requests__programme=programme
            )
            .exclude(
                user__mentorships_as_mentee__status="active",
                user__mentorships_as_mentee__programme=programme,
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .first()
        )
        if mentee_id is None:
            continue
        rows.append(
            bulk.request_row(
                next_ids(MentorshipRequest, 1)[0],
                mentee_id,
                mentor.pk,
                bulk.now - timedelta(days=days, hours=3),
                programme=programme,
                status="pending",
            )
        )
    copy_rows(MentorshipRequest, rows)


def give_mentee_request(mentee: User, *, programme: Programme, now: datetime) -> None:
    """The demo mentee waits for a second careers mentor's answer (a consultant, when there is
    one with a free place)."""
    if MentorshipRequest.objects.filter(mentee=mentee, status="pending").exists():
        return
    mentors = (
        MentorProfile.objects.listed()
        .in_programme(programme)
        .with_free_place()
        .filter(user__email__endswith="@" + MENTOR_DOMAIN)
        .order_by("user_id")
    )
    mentor_id = (
        mentors.filter(industry=Industry.CONSULTING).values_list("user_id", flat=True).first()
        or mentors.values_list("user_id", flat=True).first()
    )
    if mentor_id is None:
        return
    copy_rows(
        MentorshipRequest,
        [
            {
                "id": next_ids(MentorshipRequest, 1)[0],
                "mentee_id": mentee.pk,
                "mentor_id": mentor_id,
                "programme_id": programme.pk,
                "message": MENTEE_REQUEST,
                "status": "pending",
                "decline_reason": "",
                "response_message": "",
                "closing_note": "",
                "created_at": now - timedelta(days=2, hours=5),
                "reminders_sent": 0,
                "responded_at": None,
                "withdrawn_at": None,
                "expired_at": None,
            }
        ],
    )


def give_demo_pair(
    mentor: User, mentee: User, *, programme: Programme, in_round: Round | None, now: datetime
) -> None:
    """The demo mentor mentors the demo mentee in this year's careers round, with a plan and
    meetings, so the pair's space has something to show to both (one of the mentor's two
    places stays free)."""
    if Mentorship.objects.filter(mentor=mentor, mentee=mentee).exists():
        return
    started = now - timedelta(days=75)
    pair = Mentorship.objects.create(
        mentor=mentor, mentee=mentee, programme=programme, round=in_round, started_at=started
    )
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


def give_staff_mentee(mentee: User, *, programme: Programme) -> MenteeProfile:
    """The staff mentee's profile, with their department and line manager (a generated staff
    mentor, so the line-management rule visibly leaves someone out of their suggestions)."""
    profile = MenteeProfile.objects.filter(user=mentee).first()
    if profile is None:
        manager = (
            MentorProfile.objects.listed()
            .in_programme(programme)
            .filter(user__email__endswith="@" + MENTOR_DOMAIN)
            .exclude(department="")
            .order_by("user_id")
            .values_list("user__email", "department")
            .first()
        )
        email, department = manager or ("", STAFF_MENTEE_DEPARTMENT)
        profile = MenteeProfile.objects.create(
            user=mentee,
            role=f"Senior Administrator, {department}",
            stage="Three years in role",
            goals="I would like to become a team leader within two years. I want to understand "
            "how other services plan their work and budgets, and to build the confidence to "
            "manage people.",
            preferred_formats=[MeetingFormat.IN_PERSON, MeetingFormat.VIDEO],
            introduction="I coordinate the grant applications of two schools and chair our "
            "service's staff forum.",
            department=department,
            line_manager_email=email,
        )
        by_slug = dict(ExpertiseArea.objects.values_list("slug", "pk"))
        profile.areas.set(
            [by_slug[s] for s in ("becoming-a-team-leader", "changing-sector") if s in by_slug]
        )
    return profile


def give_staff_pair(
    mentor: User, *, coordinator: User, programme: Programme, now: datetime
) -> None:
    """The staff mentor already mentors one generated applicant, matched centrally by the
    coordinator six weeks ago (one of their two places stays free for the staff mentee)."""
    if Mentorship.objects.filter(mentor=mentor).exists():
        return
    mentee_id = (
        Membership.objects.approved()
        .mentees()
        .filter(
            programme=programme,
            applied_at__isnull=False,
            user__email__endswith="@" + MENTEE_DOMAIN,
        )
        .exclude(user__mentorships_as_mentee__status="active")
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    if mentee_id is None:
        return
    started = now - timedelta(days=42)
    pk = next_ids(Mentorship, 1)[0]
    copy_rows(
        Mentorship,
        [
            {
                "id": pk,
                "mentor_id": mentor.pk,
                "mentee_id": mentee_id,
                "programme_id": programme.pk,
                "round_id": None,
                "request_id": None,
                "created_by_id": coordinator.pk,
                "status": "active",
                "started_at": started,
                "ended_at": None,
                "ended_by_id": None,
                "end_reason": "",
                "end_message": "",
                "feedback_rating": None,
                "feedback_comment": "",
                "nudged_at": None,
            }
        ],
    )
    StatusChange.objects.create(
        mentorship_id=pk,
        to_status="active",
        actor=coordinator,
        at=started,
        note="Matched centrally by the scheme team.",
    )
    take_place(MentorProfile.objects.get(user=mentor))


def give_demo_profiles(mentor: User, mentee: User, staff_mentor: User, *, now: datetime) -> None:
    """The demo mentor's, mentee's and staff mentor's profiles, written by hand (the staff
    mentee's waits for the generated staff: see give_staff_mentee)."""
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
            submitted_at=now - timedelta(days=400),
            approved_at=now - timedelta(days=398),
            confirmed_at=now - timedelta(days=98),
            training_completed_on=(now - timedelta(days=405)).date(),
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
    if not MentorProfile.objects.filter(user=staff_mentor).exists():
        profile = MentorProfile.objects.create(
            user=staff_mentor,
            headline="Head of Planning; I moved from a school office to university management",
            job_title="Head of Planning",
            organisation=V.UNIVERSITY,
            industry=Industry.HIGHER_EDUCATION,
            department=STAFF_MENTOR_DEPARTMENT,
            city="Leeds",
            country="GB",
            languages="English, Welsh",
            key_areas="I lead the team of eleven that prepares the University's budget and "
            "plans with every school and service. I am proudest of the development programme "
            "for new team leaders that I started in 2021.",
            moves_experience="I started as an administrator in a school office and moved into "
            "planning after a part-time master's degree.",
            help_offered="Preparing for a first management role, understanding budgets, and "
            "applying for promotion.",
            formats=[MeetingFormat.IN_PERSON, MeetingFormat.VIDEO],
            frequency=MeetingFrequency.BIMONTHLY,
            capacity=2,
            review_status=MentorProfile.ReviewStatus.APPROVED,
            submitted_at=now - timedelta(days=120),
            approved_at=now - timedelta(days=110),
            confirmed_at=now - timedelta(days=110),
            training_completed_on=(now - timedelta(days=115)).date(),
        )
        by_slug = dict(ExpertiseArea.objects.values_list("slug", "pk"))
        profile.areas.set(
            [by_slug[s] for s in ("becoming-a-team-leader", "salary-negotiation") if s in by_slug]
        )
        JobHistoryEntry.objects.bulk_create(
            [
                JobHistoryEntry(
                    profile=profile,
                    title="Head of Planning",
                    organisation=V.UNIVERSITY,
                    start_year=2019,
                    description="Budget and planning round with every school and service.",
                ),
                JobHistoryEntry(
                    profile=profile,
                    title="School Manager",
                    organisation=V.UNIVERSITY,
                    start_year=2012,
                    end_year=2019,
                    description="Ran the School of Engineering's office of twelve.",
                ),
            ]
        )
        update_search_documents([profile.pk])
