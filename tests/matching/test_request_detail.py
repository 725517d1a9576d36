"""A request's page: what each side sees and may do."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship
from tests.factories import ProgrammeFactory
from tests.support import text_of

pytestmark = pytest.mark.django_db


def test_the_mentor_sees_the_mentee_profile_and_the_answer_buttons(client_for, pending, mentor):
    response = client_for(mentor).get(pending.get_absolute_url())

    html = text_of(response)
    assert "About Maya" in html
    assert "BSc Economics (Final year)" in html
    assert reverse("matching:request-accept", args=[pending.pk]) in html
    assert reverse("matching:request-decline", args=[pending.pk]) in html
    assert reverse("matching:request-withdraw", args=[pending.pk]) not in html


def test_the_mentee_sees_withdraw_but_not_accept(client_for, pending, mentee):
    response = client_for(mentee).get(pending.get_absolute_url())

    html = text_of(response)
    assert reverse("matching:request-withdraw", args=[pending.pk]) in html
    assert reverse("matching:request-accept", args=[pending.pk]) not in html
    assert "About Maya" not in html


def test_a_declined_request_shows_the_answer_to_the_mentee(client_for, pending, mentor, mentee):
    client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]),
        {"reason": "not_my_area", "message": "Priya in audit could help."},
    )

    response = client_for(mentee).get(pending.get_absolute_url())

    html = text_of(response)
    assert "This is not my area of expertise" in html
    assert "Priya in audit could help." in html
    assert reverse("profiles:directory") in html


def test_an_accepted_request_links_to_the_mentorship(client_for, pending, mentor, mentee):
    client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    response = client_for(mentee).get(pending.get_absolute_url())

    assert Mentorship.objects.get().get_absolute_url() in text_of(response)


def _join(user, programme, role="mentee"):
    user.memberships.create(
        programme=programme, role=role, status="approved", approved_at=timezone.now()
    )


def test_the_request_says_its_programme_to_someone_in_several(client_for, pending, mentee):
    single = text_of(client_for(mentee).get(pending.get_absolute_url()))
    _join(mentee, ProgrammeFactory(name="Advice point", slug="advice"))

    several = text_of(client_for(mentee).get(pending.get_absolute_url()))

    assert "In Mentoring scheme" not in single
    assert "In Mentoring scheme" in several


def test_a_declined_request_points_to_its_programmes_directory(client_for, pending, mentor, mentee):
    client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]), {"reason": "full"}
    )

    html = text_of(client_for(mentee).get(pending.get_absolute_url()))

    assert (
        f'href="{reverse("profiles:directory")}?programme=mentoring">Approach another mentor'
        in html
    )
