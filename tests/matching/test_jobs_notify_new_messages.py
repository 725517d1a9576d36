"""New messages are emailed a few minutes later, once per burst, unless read on the site."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from accounts.services import set_message_emails
from matching import jobs
from matching.models import Conversation, Message
from matching.reply_address import read_token
from tests.factories import MentorshipFactory
from tests.matching.messaging import T0, burst, conversation, read, say
from tests.support import queued, run_counting_queries

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(minutes=10)


@pytest.fixture(scope="module", autouse=True)
def _reseed_expertise_areas(django_db_blocker):
    """Put back the areas profiles' data migration seeds, which the flush after the threaded
    test deletes."""
    yield
    seed = importlib.import_module("profiles.migrations.0002_expertise_areas")
    with django_db_blocker.unblock():
        seed.add_areas(apps, None)


def test_a_burst_of_five_is_one_email_quoting_each_newest_last():
    conv = conversation()
    messages = burst(conv, conv.mentee, 5)

    assert jobs.notify_new_messages(now=LATER) == 1

    [email] = queued("message_notification")
    assert email.recipient == conv.mentor
    assert email.subject == (f"5 new messages from {conv.mentee.full_name} ({conv.programme.name})")
    positions = [email.body_text.index(m.body) for m in messages]
    assert positions == sorted(positions)
    for message in messages:
        assert message.body in email.body_html
    assert f"/requests/{conv.request_id}/" in email.body_text
    assert conv.programme.name in email.body_text
    assert Message.objects.filter(notified_at=LATER).count() == 5


def test_a_second_run_sends_nothing_more():
    conv = conversation()
    burst(conv, conv.mentee, 3)
    jobs.notify_new_messages(now=LATER)

    assert jobs.notify_new_messages(now=LATER + timedelta(minutes=1)) == 0
    assert len(queued("message_notification")) == 1


def test_nothing_is_sent_before_the_delay(settings):
    settings.MESSAGE_EMAIL_DELAY_MINUTES = 5
    conv = conversation()
    say(conv, conv.mentee, "Hello", T0)

    assert jobs.notify_new_messages(now=T0 + timedelta(minutes=4)) == 0
    assert Message.objects.get().notified_at is None


def test_a_burst_still_going_waits_until_the_conversation_is_quiet():
    conv = conversation()
    say(conv, conv.mentee, "First", T0)
    say(conv, conv.mentee, "Still typing", T0 + timedelta(minutes=8))

    assert jobs.notify_new_messages(now=T0 + timedelta(minutes=9)) == 0
    assert jobs.notify_new_messages(now=T0 + timedelta(minutes=14)) == 1
    [email] = queued("message_notification")
    assert "First" in email.body_text and "Still typing" in email.body_text


def test_a_never_quiet_conversation_is_emailed_after_the_longest_wait(settings):
    settings.MESSAGE_EMAIL_MAX_WAIT_MINUTES = 30
    conv = conversation()
    say(conv, conv.mentee, "First", T0)
    say(conv, conv.mentee, "Again", T0 + timedelta(minutes=29))

    assert jobs.notify_new_messages(now=T0 + timedelta(minutes=31)) == 1
    [email] = queued("message_notification")
    assert "First" in email.body_text
    assert "Again" not in email.body_text  # too new: it waits for the next email


def test_messages_read_in_time_send_nothing_and_are_marked_notified():
    conv = conversation()
    burst(conv, conv.mentee, 2)
    read(conv, conv.mentor, T0 + timedelta(minutes=2))

    assert jobs.notify_new_messages(now=LATER) == 0
    assert queued("message_notification") == []
    assert not Message.objects.filter(notified_at__isnull=True).exists()


def test_only_the_messages_after_the_read_time_are_quoted():
    conv = conversation()
    say(conv, conv.mentee, "Seen on the site", T0)
    read(conv, conv.mentor, T0 + timedelta(minutes=1))
    say(conv, conv.mentee, "Not seen yet", T0 + timedelta(minutes=2))

    assert jobs.notify_new_messages(now=LATER) == 1
    [email] = queued("message_notification")
    assert "Not seen yet" in email.body_text
    assert "Seen on the site" not in email.body_text


def test_each_person_hears_only_of_the_other_persons_messages():
    conv = conversation()
    say(conv, conv.mentor, "A question before I answer", T0)
    say(conv, conv.mentee, "My answer", T0 + timedelta(seconds=30))

    assert jobs.notify_new_messages(now=LATER) == 2
    emails = {e.recipient: e for e in queued("message_notification")}
    assert "A question before I answer" in emails[conv.mentee].body_text
    assert "My answer" not in emails[conv.mentee].body_text
    assert "My answer" in emails[conv.mentor].body_text


def test_a_pairs_conversation_links_to_the_pair_page():
    pair = MentorshipFactory()
    conv = conversation(mentor=pair.mentor, mentee=pair.mentee, programme=pair.programme)
    conv.mentorship = pair
    conv.save()
    say(conv, pair.mentee, "Hello", T0)

    jobs.notify_new_messages(now=LATER)

    [email] = queued("message_notification")
    assert f"/mentorships/{pair.pk}/" in email.body_text


def test_preference_off_sends_nothing_but_marks_notified():
    conv = conversation()
    set_message_emails(conv.mentor, choice="off")
    burst(conv, conv.mentee, 2)

    assert jobs.notify_new_messages(now=LATER) == 0
    assert queued("message_notification") == []
    assert not Message.objects.filter(notified_at__isnull=True).exists()


def test_digest_people_are_left_to_the_digest():
    conv = conversation()
    set_message_emails(conv.mentor, choice="digest")
    burst(conv, conv.mentee, 2)

    assert jobs.notify_new_messages(now=LATER) == 0
    assert queued("message_notification") == []
    assert Message.objects.filter(notified_at__isnull=True).count() == 2


def test_a_message_of_a_deleted_account_notifies_nobody():
    conv = conversation()
    say(conv, conv.mentee, "Hello", T0)
    # What deleting the mentor's account leaves: "a former participant".
    Conversation.objects.filter(pk=conv.pk).update(mentor=None)

    assert jobs.notify_new_messages(now=LATER) == 0
    assert Message.objects.get().notified_at == LATER


def test_html_quotes_the_message_escaped():
    conv = conversation()
    say(conv, conv.mentee, "<script>alert(1)</script> & more", T0)

    jobs.notify_new_messages(now=LATER)

    [email] = queued("message_notification")
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in email.body_html
    assert "<script>alert(1)</script> & more" in email.body_text


def test_reply_to_is_a_signed_address_for_this_conversation_and_person(settings):
    settings.REPLY_EMAIL_DOMAIN = "reply.example.org"
    conv = conversation()
    say(conv, conv.mentee, "Hello", T0)

    jobs.notify_new_messages(now=LATER)

    [email] = queued("message_notification")
    local, domain = email.headers["Reply-To"].split("@")
    assert domain == "reply.example.org"
    assert len(local) <= 64
    assert read_token(local.removeprefix("reply+")) == (conv.pk, conv.mentor_id)
    assert "reply to this email" in email.body_text


def test_no_reply_to_without_a_reply_domain(settings):
    settings.REPLY_EMAIL_DOMAIN = ""
    conv = conversation()
    say(conv, conv.mentee, "Hello", T0)

    jobs.notify_new_messages(now=LATER)

    [email] = queued("message_notification")
    assert "Reply-To" not in email.headers
    assert "reply to this email" not in email.body_text


def test_query_count_is_the_same_for_many_conversations():
    def run_with(n: int) -> int:
        Message.objects.all().delete()
        for _ in range(n):
            conv = conversation()
            burst(conv, conv.mentee, 2)
        sent, queries = run_counting_queries(lambda: jobs.notify_new_messages(now=LATER))
        assert sent == n
        return queries

    assert run_with(2) == run_with(12)


def test_the_command_and_run_jobs_send_them(time_machine):
    time_machine.move_to(LATER, tick=False)
    conv = conversation()
    burst(conv, conv.mentee, 2)

    call_command("run_jobs")

    assert len(queued("message_notification")) == 1


@pytest.mark.django_db(transaction=True)
def test_exactly_once_with_two_concurrent_runs():
    convs = [conversation() for _ in range(6)]
    for conv in convs:
        burst(conv, conv.mentee, 3)
    barrier = threading.Barrier(2, timeout=30)
    results: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = jobs.notify_new_messages(now=LATER)
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 6  # type: ignore[arg-type]
    emails = queued("message_notification")
    assert len(emails) == 6
    assert {e.recipient_id for e in emails} == {c.mentor_id for c in convs}
    for email in emails:  # each burst whole in one email, never split between the two runs
        assert all(f"Message {i} of the burst." in email.body_text for i in (1, 2, 3)), (
            results,
            [(e.dedupe_key, e.body_text) for e in emails],
        )
    assert not Message.objects.filter(notified_at__isnull=True).exists()
