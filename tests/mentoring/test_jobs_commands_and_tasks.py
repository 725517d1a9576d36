"""The two entry points of every scheduled job: a management command for cron users, which
prints what it did, and a Celery task for beat, which returns the count. `run_jobs` runs all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.services import set_message_emails
from matching import tasks as matching_tasks
from mentoring import tasks as mentoring_tasks
from mentoring.celery import app as celery_app
from mentoring.models import Outbox
from profiles import tasks as profiles_tasks
from profiles.models import Membership, MentorProfile, RecruitmentWindow, Round
from sessions_log import tasks as sessions_tasks
from tests.factories import (
    MeetingFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.matching.messaging import conversation, say
from tests.support import pairs_started_at, requests_made_at

pytestmark = pytest.mark.django_db

# In August, so the profile confirmation job has work too.
NOW = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)


def _unanswered_request() -> None:
    requests_made_at(NOW - timedelta(days=3))


def _stale_request() -> None:
    requests_made_at(NOW - timedelta(days=14))


def _pair_at_six_weeks() -> None:
    (pair,) = pairs_started_at(NOW - timedelta(weeks=6))
    # A meeting tomorrow keeps this pair from being nudged.
    MeetingFactory(mentorship=pair, starts_at=NOW + timedelta(hours=23))


def _meeting_tomorrow() -> None:
    (pair,) = pairs_started_at(NOW - timedelta(days=10))
    MeetingFactory(mentorship=pair, starts_at=NOW + timedelta(hours=23))


def _quiet_pair() -> None:
    pairs_started_at(NOW - timedelta(days=31))


def _mentor_to_ask() -> None:
    MentorProfileFactory(confirmed_at=NOW - timedelta(days=365))


def _round(name: str, *, term_ends_in: timedelta) -> Round:
    """A round of a programme that runs in rounds, whose term ends `term_ends_in` from NOW."""
    programme = ProgrammeFactory(name=f"Rounds {name}", rhythm="rounds")
    ends = (NOW + term_ends_in).date()
    return Round.objects.create(
        programme=programme,
        name=name,
        mentee_opens_on=ends - timedelta(days=300),
        mentee_closes_on=ends - timedelta(days=200),
        term_ends_on=ends,
    )


def _pair_near_its_term_end() -> None:
    rnd = _round("wrap-up", term_ends_in=timedelta(days=10))
    MentorshipFactory(programme=rnd.programme, round=rnd, started_at=NOW - timedelta(days=9))


def _pair_at_its_term_end() -> None:
    rnd = _round("term-end", term_ends_in=timedelta(0))
    MentorshipFactory(programme=rnd.programme, round=rnd, started_at=NOW - timedelta(days=9))


def _advice_conversation_held() -> None:
    pair = MentorshipFactory(engagement="advice", started_at=NOW - timedelta(days=5))
    MeetingFactory(mentorship=pair, status="held", starts_at=NOW - timedelta(days=1))


def _recruitment_opening_today() -> None:
    rnd = _round("recruitment", term_ends_in=timedelta(days=360))
    RecruitmentWindow.objects.create(
        round=rnd, opens_on=NOW.date(), closes_on=NOW.date() + timedelta(days=20)
    )
    MentorProfileFactory(programmes=[rnd.programme])


def _mentor_back_today() -> None:
    MentorProfileFactory(confirmed_at=NOW, away_until=NOW.date())


def _profile_submitted_yesterday() -> None:
    programme = ProgrammeFactory(name="Review digest scheme")
    programme.coordinators.add(UserFactory(email="cora.digest@example.org", is_staff=True))
    profile = MentorProfileFactory(
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        submitted_at=NOW - timedelta(hours=20),
        programmes=[programme],
    )
    Membership.objects.filter(user=profile.user_id).update(status=Membership.Status.PENDING)


def _mentor_who_answered_three_requests() -> None:
    profile = MentorProfileFactory()
    for hours in (5, 20, 40):
        MentorshipRequestFactory(
            mentor=profile.user,
            status="accepted",
            created_at=NOW - timedelta(days=20, hours=hours),
            responded_at=NOW - timedelta(days=20),
        )


def _mentor_nobody_approached_in_six_weeks() -> None:
    profile = MentorProfileFactory()
    listed = NOW - timedelta(weeks=6, days=1)
    MentorProfile.objects.filter(pk=profile.pk).update(approved_at=listed)
    Membership.objects.filter(user=profile.user_id, role="mentor").update(approved_at=listed)


def _training_expiring_soon() -> None:
    from profiles.models import Training, TrainingRecord
    from profiles.training import add_months

    profile = MentorProfileFactory(confirmed_at=NOW)
    item = Training.objects.create(
        programme=profile.user.memberships.get().programme, name="Briefing", valid_months=24
    )
    completed_on = add_months(NOW.date(), -24) + timedelta(days=20)
    TrainingRecord.objects.create(
        training=item,
        user=profile.user,
        completed_on=completed_on,
        expires_on=add_months(completed_on, 24),
    )


def _unpublished_email() -> None:
    # As if the broker was down when the row was written: the sweep publishes it.
    Outbox.objects.create(
        kind="request_received",
        to_email="daniel@example.org",
        subject="A mentee is interested",
        body_text="Maya would like you to mentor her.",
        dedupe_key="request-received:test",
        message_id="<request-received-test@example.org>",
        queued_at=None,
    )


def _message_unread_for_ten_minutes() -> None:
    conv = conversation()
    say(conv, conv.mentee, "Hello", NOW - timedelta(minutes=10))


def _message_for_a_digest_reader() -> None:
    conv = conversation()
    set_message_emails(conv.mentor, choice="digest")
    say(conv, conv.mentee, "Hello", NOW - timedelta(days=1))


# (command, task, arrange, how many it does, what the command prints)
JOBS: list[tuple[str, Callable[[], int], Callable[[], None], int, str]] = [
    (
        "remind_requests",
        matching_tasks.remind_unanswered_requests,
        _unanswered_request,
        1,
        "Reminded mentors of 1 unanswered request.",
    ),
    (
        "expire_requests",
        matching_tasks.expire_requests,
        _stale_request,
        1,
        "Expired 1 unanswered request.",
    ),
    (
        "ask_pairs_to_wrap_up",
        sessions_tasks.ask_pairs_to_wrap_up,
        _pair_near_its_term_end,
        2,
        "Asked 2 people to wrap up before their round's term ends.",
    ),
    (
        "complete_rounds",
        matching_tasks.complete_rounds,
        _pair_at_its_term_end,
        1,
        "Completed 1 pair at the end of its round's term.",
    ),
    (
        "complete_advice_conversations",
        matching_tasks.complete_advice_conversations,
        _advice_conversation_held,
        1,
        "Completed 1 advice conversation.",
    ),
    (
        "send_check_ins",
        sessions_tasks.send_check_ins,
        _pair_at_six_weeks,
        2,
        "Sent 2 check-ins.",
    ),
    (
        "remind_upcoming_meetings",
        sessions_tasks.remind_upcoming_meetings,
        _meeting_tomorrow,
        2,
        "Queued 2 meeting reminders.",
    ),
    (
        "nudge_quiet_pairs",
        sessions_tasks.nudge_quiet_pairs,
        _quiet_pair,
        1,
        "Nudged 1 quiet pair.",
    ),
    (
        "ask_mentors_to_confirm",
        profiles_tasks.ask_mentors_to_confirm,
        _mentor_to_ask,
        1,
        "Asked 1 mentor to confirm their profile.",
    ),
    (
        "announce_recruitment_windows",
        profiles_tasks.announce_recruitment_windows,
        _recruitment_opening_today,
        1,
        "Invited 1 mentor to a round's recruitment.",
    ),
    (
        "remind_expiring_training",
        profiles_tasks.remind_expiring_training,
        _training_expiring_soon,
        1,
        "Reminded 1 person of training that expires soon.",
    ),
    (
        "return_away_mentors",
        profiles_tasks.return_away_mentors,
        _mentor_back_today,
        1,
        "1 mentor is back in the directory.",
    ),
    (
        "digest_submitted_profiles",
        profiles_tasks.digest_submitted_profiles,
        _profile_submitted_yesterday,
        1,
        "Queued 1 review digest for coordinators.",
    ),
    (
        "update_reply_times",
        matching_tasks.update_reply_times,
        _mentor_who_answered_three_requests,
        1,
        "Updated the reply time of 1 mentor.",
    ),
    (
        "email_never_approached_mentors",
        matching_tasks.email_never_approached_mentors,
        _mentor_nobody_approached_in_six_weeks,
        1,
        "Emailed 1 mentor nobody has approached yet.",
    ),
    (
        "notify_new_messages",
        matching_tasks.notify_new_messages,
        _message_unread_for_ten_minutes,
        1,
        "Queued 1 new-message email.",
    ),
    (
        "send_message_digests",
        matching_tasks.send_message_digests,
        _message_for_a_digest_reader,
        1,
        "Queued 1 message digest.",
    ),
    (
        "sweep_outbox",
        mentoring_tasks.sweep_outbox,
        _unpublished_email,
        1,
        "Published 1 outbox email.",
    ),
]
IDS = [job[0] for job in JOBS]
# What a command prints when it did nothing, where its one thing above was said in the singular.
NOTHING_DONE = {
    "remind_requests": "Reminded mentors of 0 unanswered requests.",
    "expire_requests": "Expired 0 unanswered requests.",
    "complete_rounds": "Completed 0 pairs at the end of their round's term.",
    "complete_advice_conversations": "Completed 0 advice conversations.",
    "nudge_quiet_pairs": "Nudged 0 quiet pairs.",
    "ask_mentors_to_confirm": "Asked 0 mentors to confirm their profile.",
    "announce_recruitment_windows": "Invited 0 mentors to a round's recruitment.",
    "remind_expiring_training": "Reminded 0 people of training that expires soon.",
    "return_away_mentors": "0 mentors are back in the directory.",
    "digest_submitted_profiles": "Queued 0 review digests for coordinators.",
    "update_reply_times": "Updated the reply times of 0 mentors.",
    "email_never_approached_mentors": "Emailed 0 mentors nobody has approached yet.",
    "sweep_outbox": "Published 0 outbox emails.",
    "notify_new_messages": "Queued 0 new-message emails.",
    "send_message_digests": "Queued 0 message digests.",
}


@pytest.fixture
def clock(time_machine):
    """Time stands still at NOW (this module's jobs run in August)."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("command", "task", "arrange", "count", "printed"), JOBS, ids=IDS)
def test_each_command_prints_what_it_did(clock, command, task, arrange, count, printed):
    arrange()

    assert _run(command) == printed + "\n"


@pytest.mark.parametrize(("command", "task", "arrange", "count", "printed"), JOBS, ids=IDS)
def test_each_command_run_again_does_nothing(
    clock, command, task, arrange, count, printed, django_capture_on_commit_callbacks
):
    arrange()
    with django_capture_on_commit_callbacks(execute=True):
        _run(command)

    again = _run(command)

    assert again == NOTHING_DONE.get(command, printed.replace(f" {count} ", " 0 ")) + "\n"


@pytest.mark.parametrize(("command", "task", "arrange", "count", "printed"), JOBS, ids=IDS)
def test_each_task_runs_eagerly_and_returns_the_count(
    clock, command, task, arrange, count, printed
):
    arrange()

    result = task.delay()

    assert result.successful()
    assert result.get() == count


def _email_sent_long_ago() -> None:
    Outbox.objects.create(
        kind="request_received",
        to_email="daniel@example.org",
        subject="A mentee is interested",
        body_text="Maya would like you to mentor her.",
        dedupe_key="request-received:long-ago",
        message_id="<request-received-long-ago@example.org>",
        status=Outbox.Status.SENT,
        created_at=NOW - timedelta(days=400),
        sent_at=NOW - timedelta(days=400),
    )


def test_run_jobs_runs_every_job_once(clock):
    for _, _, arrange, _, _ in JOBS:
        arrange()
    _email_sent_long_ago()

    printed = _run("run_jobs").splitlines()

    assert printed == [
        "Reminded mentors of 1 unanswered request.",
        "Expired 1 unanswered request.",
        "Asked 2 people to wrap up before their round's term ends.",
        "Completed 1 pair at the end of its round's term.",
        "Completed 1 advice conversation.",
        # The pair at six weeks, and the pair its round completed, which began too late to be
        # asked to wrap up: its ending check-in (the pair near its term end has had theirs);
        # and the advice conversation's two feedback questions.
        "Sent 6 check-ins.",
        # The pair with a meeting tomorrow (two reminders each).
        "Queued 4 meeting reminders.",
        "Nudged 1 quiet pair.",
        "Asked 1 mentor to confirm their profile.",
        "Invited 1 mentor to a round's recruitment.",
        "Reminded 1 person of training that expires soon.",
        "1 mentor is back in the directory.",
        "Queued 1 review digest for coordinators.",
        "Updated the reply time of 1 mentor.",
        "Emailed 1 mentor nobody has approached yet.",
        "Queued 1 new-message email.",
        "Queued 1 message digest.",
        # The email the broker missed; those queued a moment ago are published on commit.
        "Published 1 outbox email.",
        "Blanked the content of 0 outbox emails older than 30 days; deleted 1 older than 365 days.",
    ]


def test_run_jobs_run_again_does_nothing(clock, django_capture_on_commit_callbacks):
    for _, _, arrange, _, _ in JOBS:
        arrange()
    _email_sent_long_ago()
    with django_capture_on_commit_callbacks(execute=True):
        _run("run_jobs")

    assert _run("run_jobs").splitlines() == [
        "Reminded mentors of 0 unanswered requests.",
        "Expired 0 unanswered requests.",
        "Asked 0 people to wrap up before their round's term ends.",
        "Completed 0 pairs at the end of their round's term.",
        "Completed 0 advice conversations.",
        "Sent 0 check-ins.",
        "Queued 0 meeting reminders.",
        "Nudged 0 quiet pairs.",
        "Asked 0 mentors to confirm their profile.",
        "Invited 0 mentors to a round's recruitment.",
        "Reminded 0 people of training that expires soon.",
        "0 mentors are back in the directory.",
        "Queued 0 review digests for coordinators.",
        "Updated the reply times of 0 mentors.",
        "Emailed 0 mentors nobody has approached yet.",
        "Queued 0 new-message emails.",
        "Queued 0 message digests.",
        "Published 0 outbox emails.",
        "Blanked the content of 0 outbox emails older than 30 days; deleted 0 older than 365 days.",
    ]


@pytest.mark.parametrize(("command", "task", "arrange", "count", "printed"), JOBS, ids=IDS)
def test_beat_runs_each_job_task(command, task, arrange, count, printed):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert task.name in scheduled
    assert task.name in celery_app.tasks
