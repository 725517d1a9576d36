import pytest

from accounts.services import set_reminder_emails
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


def test_only_the_service_writes_reminder_emails():
    # The preferences page and the unsubscribe link both go through it.
    assert writers_of("reminder_emails") == ["accounts.services:set_reminder_emails"]
