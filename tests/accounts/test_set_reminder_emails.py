import pytest

from accounts.models import ReminderKind
from accounts.services import set_reminder_choices, set_reminder_emails
from tests.writers import writers_of

pytestmark = pytest.mark.django_db


def test_turning_reminders_off_is_saved(mentee):
    set_reminder_emails(mentee, on=False)

    mentee.refresh_from_db()
    assert mentee.reminder_emails is False


def test_turning_reminders_back_on_is_saved(mentee):
    set_reminder_emails(mentee, on=False)
    set_reminder_emails(mentee, on=True)

    mentee.refresh_from_db()
    assert mentee.reminder_emails is True


@pytest.mark.parametrize(
    "field",
    ["reminder_emails", "meeting_reminder_emails", "nudge_emails", "request_reminder_emails"],
)
def test_only_the_service_writes_the_reminder_switches(field):
    # The preferences page and the unsubscribe link both go through it.
    assert writers_of(field) == ["accounts.services:set_reminder_choices"]


def test_turning_one_kind_off_leaves_the_others(mentee):
    set_reminder_emails(mentee, on=False, kinds=[ReminderKind.NUDGES])

    mentee.refresh_from_db()
    assert not mentee.wants_reminder(ReminderKind.NUDGES)
    assert mentee.wants_reminder(ReminderKind.MEETINGS)
    assert mentee.wants_reminder(ReminderKind.REQUESTS)
    assert mentee.wants_reminder(ReminderKind.PROFILE)


def test_turning_all_off_turns_every_kind_off(mentee):
    set_reminder_emails(mentee, on=False)

    mentee.refresh_from_db()
    assert not any(mentee.wants_reminder(kind) for kind in ReminderKind.values)


def test_an_unknown_kind_is_refused(mentee):
    with pytest.raises(ValueError, match="unknown kinds"):
        set_reminder_choices(mentee, {"birthdays": False})
