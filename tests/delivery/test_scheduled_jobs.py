"""Two beats firing the request-reminder job at once, and two cron runs of it at the same
moment: each reminder reaches the mentor exactly once."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from matching.models import MentorshipRequest
from mentoring.models import Outbox
from tests.delivery.conftest import REPO, make_pairs, wait_for
from tests.factories import default_programme

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

N = 50
RUN_LINE = re.compile(
    r"(\S+ \S+) INFO .*Task matching\.tasks\.remind_unanswered_requests\[([^\]]+)\] "
    r"(?:received|succeeded in \S+: (\d+))$"
)


def _due_requests(n: int, *, prefix: str = "") -> tuple[list[MentorshipRequest], set[str]]:
    """`n` unanswered requests to `n` mentors: the first half due for their first reminder
    (4 days old), the second half for their second (8 days old, reminded once already).
    Returns them with the dedupe keys of the reminders they are due."""
    profiles, mentees = make_pairs(n, prefix=prefix)
    now = timezone.now()
    requests = MentorshipRequest.objects.bulk_create(
        MentorshipRequest(
            mentee=mentee,
            mentor=profile.user,
            programme=default_programme(),
            message="Could we meet once a month by video?",
            created_at=now - timedelta(days=4 if i < n // 2 else 8),
            reminders_sent=0 if i < n // 2 else 1,
        )
        for i, (profile, mentee) in enumerate(zip(profiles, mentees, strict=True))
    )
    keys = {f"request-reminder:{r.pk}:{1 if r.reminders_sent == 0 else 2}" for r in requests}
    return requests, keys


def _assert_each_reminder_sent_once(smtp_sink, requests, keys) -> None:
    rows = Outbox.objects.filter(kind="request_reminder")
    assert set(rows.values_list("dedupe_key", flat=True)) == keys
    assert not rows.exclude(status=Outbox.Status.SENT).exists()
    counts = smtp_sink.message_ids()
    assert set(counts) == set(rows.values_list("message_id", flat=True))
    assert sum(counts.values()) == len(requests), "no reminder twice"
    assert smtp_sink.recipients() == {r.mentor.email: 1 for r in requests}
    reminded = dict(MentorshipRequest.objects.values_list("pk", "reminders_sent"))
    assert reminded == {r.pk: r.reminders_sent + 1 for r in requests}


def _received(worker_log: str) -> int:
    """How many runs of the job the worker took from the queue."""
    return sum(
        bool(match) and match.group(3) is None
        for match in map(RUN_LINE.match, worker_log.splitlines())
    )


def _runs(worker_log: str) -> list[tuple[float, float, int]]:
    """(received, finished, reminders queued) of each run of the job, from the worker's log."""
    received, runs = {}, []
    for line in worker_log.splitlines():
        if match := RUN_LINE.match(line):
            stamp, task_id, result = match.groups()
            at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if result is None:
                received[task_id] = at
            else:
                runs.append((received[task_id], at, int(result)))
    return runs


def test_two_beats_firing_the_reminder_job_send_each_reminder_once(
    smtp_sink, redis_server, celery_processes
):
    requests, keys = _due_requests(N)
    # Two beats (a misconfigured deploy: one per host), each firing the job every second. They
    # fire before the worker starts, so the job's tasks pile up...
    beats = [
        celery_processes("beat", wait=False, BEAT_INTERVALS="remind-unanswered-requests=1")
        for _ in range(2)
    ]
    for beat in beats:
        beat.wait_ready()
    fired = "Sending due task remind-unanswered-requests"
    wait_for(
        lambda: all(beat.log().count(fired) >= 2 for beat in beats),
        timeout=30,
        what="each beat to fire the reminder job twice",
    )
    assert redis_server.queued() >= 4
    # ...and two worker processes (as in production) start on two of them at the same moment.
    worker = celery_processes("worker", pool="prefork", concurrency=2)

    wait_for(
        lambda: smtp_sink.recipients().total() >= N,
        timeout=60,
        what=f"{N} reminders at the SMTP sink",
    )
    # Both beats go on firing after the reminders went out: those runs must find nothing.
    wait_for(
        lambda: all(beat.log().count(fired) >= 5 for beat in beats),
        timeout=30,
        what="each beat to fire the reminder job five times",
    )
    for beat in beats:
        beat.stop()
    total_fired = sum(beat.log().count(fired) for beat in beats)
    # Every run the beats published has finished once nothing is queued or unacknowledged (the
    # job's tasks are acknowledged after they run) and every run received has finished.
    wait_for(
        lambda: (
            redis_server.queued() == 0
            and redis_server.unacked() == 0
            and len(_runs(worker.log())) == _received(worker.log())
        ),
        # Generous: on a loaded 2-core machine the queued runs drain slowly (each is quick).
        timeout=90,
        what="the worker to finish every reminder job the beats published",
    )
    runs = _runs(worker.log())
    # A beat logs a firing before it publishes it, so a beat stopped between the two has logged
    # one run that never reached Redis: each beat may be one short, never more.
    assert total_fired - len(beats) <= len(runs) <= total_fired, (len(runs), total_fired)

    runs.sort()
    overlapping = [(a, b) for a, b in zip(runs, runs[1:], strict=False) if b[0] < a[1]]
    assert overlapping, f"two runs of the job overlapped in time: {runs}"
    assert sum(n for _, _, n in runs) == N, f"the runs queued {runs} reminders between them"
    _assert_each_reminder_sent_once(smtp_sink, requests, keys)


def test_two_cron_runs_at_the_same_moment_send_each_reminder_once(
    smtp_sink, celery_processes, delivery_env
):
    requests, keys = _due_requests(N, prefix="cron-")
    worker = celery_processes("worker", pool="prefork", concurrency=2, wait=False)
    # Two `manage.py remind_requests` at once, as two crontabs (or two hosts) would start them.
    command = [sys.executable, "manage.py", "remind_requests"]
    runs = [
        subprocess.Popen(
            command, cwd=REPO, env=delivery_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = []
    try:
        for run in runs:
            output, _ = run.communicate(timeout=60)
            assert run.returncode == 0, output.decode()
            outputs.append(output.decode())
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait(timeout=10)
    reminded = [int(m) for out in outputs for m in re.findall(r"Reminded mentors of (\d+)", out)]
    assert len(reminded) == 2 and sum(reminded) == N, outputs

    worker.wait_ready()
    wait_for(
        lambda: not Outbox.objects.exclude(status=Outbox.Status.SENT).exists(),
        timeout=60,
        what="the reminders to be sent",
    )
    _assert_each_reminder_sent_once(smtp_sink, requests, keys)
