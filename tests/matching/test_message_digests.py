"""People who chose the daily digest get one email a day listing their unread messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts.services import set_message_emails
from matching import jobs
from matching.models import Message
from tests.factories import MentorProfileFactory, MentorshipRequestFactory
from tests.matching.messaging import T0, conversation, read, say
from tests.support import queued, run_counting_queries

pytestmark = pytest.mark.django_db
# Digests go after 07:00 (settings.MESSAGE_DIGEST_HOUR) with what arrived before.
EVENING = T0.replace(hour=18)
NEXT_MORNING = (T0 + timedelta(days=1)).replace(hour=7, minute=2)


@pytest.fixture(autouse=True)
def _digest_at_seven(settings):
    settings.MESSAGE_DIGEST_HOUR = 7


def _digest_reader(conv):
    set_message_emails(conv.mentor, choice="digest")
    conv.mentor.refresh_from_db()
    return conv.mentor


def test_one_digest_lists_every_conversation_with_unread_messages():
    mentor = MentorProfileFactory().user
    set_message_emails(mentor, choice="digest")
    first = conversation(mentor=mentor)
    second = conversation(mentor=mentor)
    say(first, first.mentee, "Question one", EVENING)
    say(first, first.mentee, "Question two", EVENING + timedelta(minutes=1))
    say(second, second.mentee, "Another conversation", EVENING + timedelta(minutes=2))

    assert jobs.send_message_digests(now=NEXT_MORNING) == 1

    [digest] = queued("message_digest")
    assert digest.recipient == mentor
    assert digest.subject.startswith("3 unread messages")
    for text in ("Question one", "Question two", "Another conversation"):
        assert text in digest.body_text and text in digest.body_html
    assert first.mentee.full_name in digest.body_text
    assert second.mentee.full_name in digest.body_text
    assert f"/requests/{first.request_id}/" in digest.body_text
    assert f"/requests/{second.request_id}/" in digest.body_text
    assert digest.dedupe_key == f"message-digest:{mentor.pk}:{NEXT_MORNING.date().isoformat()}"
    assert not Message.objects.filter(notified_at__isnull=True).exists()


def test_the_immediate_job_leaves_them_to_the_digest():
    conv = conversation()
    _digest_reader(conv)
    say(conv, conv.mentee, "Hello", EVENING)

    assert jobs.notify_new_messages(now=EVENING + timedelta(hours=1)) == 0
    assert jobs.send_message_digests(now=NEXT_MORNING) == 1


def test_nothing_before_the_digest_hour_and_nothing_twice_a_day():
    conv = conversation()
    _digest_reader(conv)
    say(conv, conv.mentee, "Hello", EVENING)

    assert jobs.send_message_digests(now=EVENING + timedelta(hours=3)) == 0
    assert jobs.send_message_digests(now=NEXT_MORNING) == 1
    say(conv, conv.mentee, "After the digest hour", NEXT_MORNING + timedelta(minutes=30))
    assert jobs.send_message_digests(now=NEXT_MORNING + timedelta(hours=2)) == 0
    assert len(queued("message_digest")) == 1

    # The next day's digest has only what came since the last one.
    assert jobs.send_message_digests(now=NEXT_MORNING + timedelta(days=1)) == 1
    latest = queued("message_digest")[-1]
    assert "After the digest hour" in latest.body_text
    assert "Hello" not in latest.body_text.split("since the last digest", 1)[1].split("===")[0]


def test_messages_read_on_the_site_are_left_out():
    conv = conversation()
    _digest_reader(conv)
    say(conv, conv.mentee, "Already read", EVENING)
    read(conv, conv.mentor, EVENING + timedelta(minutes=5))

    assert jobs.send_message_digests(now=NEXT_MORNING) == 0
    assert queued("message_digest") == []
    assert not Message.objects.filter(notified_at__isnull=True).exists()


def test_people_who_chose_immediate_or_off_get_no_digest():
    conv = conversation()
    set_message_emails(conv.mentor, choice="off")
    say(conv, conv.mentee, "Hello", EVENING)

    assert jobs.send_message_digests(now=NEXT_MORNING) == 0
    assert queued("message_digest") == []


def test_query_count_is_the_same_for_many_people():
    def run_with(n: int, day: int) -> int:
        for _ in range(n):
            conv = conversation(req=MentorshipRequestFactory())
            _digest_reader(conv)
            say(conv, conv.mentee, "Hello", EVENING + timedelta(days=day))
        now = NEXT_MORNING + timedelta(days=day)
        sent, queries = run_counting_queries(lambda: jobs.send_message_digests(now=now))
        assert sent == n
        return queries

    assert run_with(2, 0) == run_with(10, 1)


def test_the_command_sends_them(time_machine):
    conv = conversation()
    _digest_reader(conv)
    say(conv, conv.mentee, "Hello", EVENING)
    time_machine.move_to(NEXT_MORNING, tick=False)

    call_command("send_message_digests")

    assert len(queued("message_digest")) == 1
