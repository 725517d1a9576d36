from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["objective", "meeting", "checkin"])
def test_staff_open_the_lists(client_for, admin_user, objective, held, model):
    CheckInFactory(mentorship=objective.mentorship, rating=2, answered_at=held.starts_at)

    response = client_for(admin_user).get(reverse(f"admin:sessions_log_{model}_changelist"))

    assert response.status_code == 200


def test_a_check_in_shows_its_answer_but_not_its_token(client_for, admin_user, mentorship):
    check_in = CheckInFactory(
        mentorship=mentorship, rating=2, comment="Hard to meet", answered_at=mentorship.started_at
    )

    html = (
        client_for(admin_user)
        .get(reverse("admin:sessions_log_checkin_change", args=[check_in.pk]))
        .content.decode()
    )

    assert "Hard to meet" in html
    assert check_in.token not in html


def test_calendar_feeds_are_not_in_the_admin(client_for, admin_user):
    response = client_for(admin_user).get("/admin/sessions_log/calendarfeed/")

    assert response.status_code == 404
