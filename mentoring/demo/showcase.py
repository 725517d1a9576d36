"""The hand-made showcase: the demo accounts' profiles, the requests waiting for the demo mentor
and the demo pair with its objectives and meetings, so every page has something to show."""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import User
from matching.models import Mentorship, MentorshipRequest, StatusChange
from mentoring.demo.bulk import BulkBuilder, copy_rows, next_ids
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
from profiles.services import take_place
from sessions_log.models import Meeting, Objective, ObjectiveUpdate


def give_demo_requests(mentor: User, bulk: BulkBuilder) -> None:
    """Two seeded mentees ask the demo mentor, so the mentor's home has work waiting. Their
    messages come from the bulk data's generator, after the bulk rows (same seed, same text)."""
    if MentorshipRequest.objects.filter(mentor=mentor).exists():
        return
    mentees = list(
        MenteeProfile.objects.filter(user__email__endswith="@mentees.demo.test")
        .exclude(user__sent_requests__status="pending")
        .exclude(user__mentorships_as_mentee__status="active")
        .values_list("user_id", flat=True)[:2]
    )
    copy_rows(
        MentorshipRequest,
        [
            bulk.request_row(
                pk,
                mentee_id,
                mentor.pk,
                bulk.now - timedelta(days=days, hours=3),
                status="pending",
            )
            for pk, mentee_id, days in zip(
                next_ids(MentorshipRequest, len(mentees)), mentees, (1, 4), strict=False
            )
        ],
    )


def give_demo_pair(mentor: User, *, now: datetime) -> None:
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
    now = now
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


def give_demo_profiles(mentor: User, mentee: User, *, now: datetime) -> None:
    """The demo mentor's and mentee's profiles, written by hand."""
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
            submitted_at=now - timedelta(days=40),
            approved_at=now - timedelta(days=38),
            confirmed_at=now - timedelta(days=38),
            training_completed_on=(now - timedelta(days=45)).date(),
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
