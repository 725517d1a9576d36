from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from matching import jobs, services
from matching.models import MentorshipRequest, StatusChange

pytestmark = pytest.mark.django_db


def _lines(obj):
    return list(obj.history.values_list("from_status", "to_status", "actor_id"))


def test_sending_and_accepting_are_recorded_with_who_did_it(mentee_profile, mentor_profile):
    req = services.send_request(
        mentee=mentee_profile.user, mentor=mentor_profile.user, message="x" * 60
    )

    services.accept_request(req, by=mentor_profile.user)

    mentor, mentee = mentor_profile.user.pk, mentee_profile.user.pk
    assert _lines(req) == [("", "pending", mentee), ("pending", "accepted", mentor)]
    assert _lines(req.mentorship) == [("", "active", mentor)]


def test_decline_withdraw_and_end_are_recorded(pending, mentorship, mentee):
    services.withdraw_request(pending, by=mentee)
    services.end_mentorship(mentorship, by=mentee, reason="achieved")

    assert _lines(pending)[-1] == ("pending", "withdrawn", mentee.pk)
    end = mentorship.history.get(to_status="ended")
    assert (end.actor_id, end.note) == (mentee.pk, "Objectives achieved")


def test_expiry_is_recorded_as_done_by_the_scheme(pending):
    MentorshipRequest.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )

    jobs.expire_requests()

    line = StatusChange.objects.get(request=pending, to_status="expired")
    assert line.actor is None
    assert line.note == "The mentor did not answer in time."


def test_central_matching_is_recorded_with_the_administrator(
    mentee_profile, mentor_profile, admin_user
):
    mentorship = services.create_mentorship(
        mentor=mentor_profile.user, mentee=mentee_profile.user, by=admin_user
    )

    line = mentorship.history.get()
    assert (line.to_status, line.actor_id) == ("active", admin_user.pk)
    assert "centrally" in line.note


def test_the_admin_shows_the_history(client_for, admin_user, pending, mentor):
    services.decline_request(pending, by=mentor, reason="full")

    html = (
        client_for(admin_user)
        .get(reverse("admin:matching_mentorshiprequest_change", args=[pending.pk]))
        .content.decode()
    )

    assert "declined" in html
    assert escape(mentor.full_name) in html


def test_a_history_line_belongs_to_exactly_one_thing(pending, mentorship):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.create(request=pending, mentorship=mentorship, to_status="x")
