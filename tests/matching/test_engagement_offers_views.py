"""What a mentor's page and the Interested page offer before anyone types (issue 14's review):
the same counts as `services.send_request`, long-term and advice requests limited apart, and a
mentor's advice requests waiting counted against the conversations they offer this month."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Engagement
from matching.services import accept_request, send_request
from tests.factories import MenteeProfileFactory, MentorProfileFactory, default_programme
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db

TOPIC = "Negotiating a first salary"


@pytest.fixture
def programme(db):
    """Long-term mentoring and advice; one request of each kind waiting at a time."""
    programme = default_programme()
    programme.engagement_types = [Engagement.LONG_TERM, Engagement.ADVICE]
    programme.max_pending_requests = 1
    programme.save()
    return programme


def _mentor(programme, name, advice_per_month=2):
    return MentorProfileFactory(
        user__full_name=name, capacity=2, advice_per_month=advice_per_month, programmes=[programme]
    )


@pytest.fixture
def ana(programme):
    return _mentor(programme, "Ana Adviser")


@pytest.fixture
def ben(programme):
    return _mentor(programme, "Ben Brook")


@pytest.fixture
def mia(programme):
    return MenteeProfileFactory(programmes=[programme]).user


def _ask(mentee, profile, engagement):
    return send_request(
        mentee=mentee,
        mentor=profile.user,
        message=MESSAGE,
        engagement=engagement,
        topic=TOPIC if engagement == Engagement.ADVICE else "",
    )


def _page(client_for, user, profile):
    return client_for(user).get(reverse("matching:mentor-detail", args=[profile.pk]))


def test_a_waiting_advice_request_leaves_the_long_term_allowance_whole(
    client_for, programme, ana, ben, mia
):
    _ask(mia, ben, Engagement.ADVICE)

    response = _page(client_for, mia, ana)

    interest = response.context["interest"]
    assert interest["state"] == "available"
    assert interest["allowance"].endswith("1 left.")
    # Her one advice request waits already: no second one is offered.
    assert response.context["advice_offered"] is False


def test_at_her_long_term_limit_a_mentee_is_still_offered_advice(
    client_for, programme, ana, ben, mia
):
    _ask(mia, ben, Engagement.LONG_TERM)

    response = _page(client_for, mia, ana)

    assert response.context["interest"]["state"] == "limit"
    assert response.context["advice_offered"] is True
    form_page = client_for(mia).get(reverse("matching:request-create", args=[ana.pk]))
    assert form_page.context["offers"] == [Engagement.ADVICE.value]


def test_at_her_advice_limit_the_advice_form_is_not_offered(client_for, programme, ana, ben, mia):
    _ask(mia, ben, Engagement.ADVICE)

    form_page = client_for(mia).get(reverse("matching:request-create", args=[ana.pk]))

    assert form_page.context["offers"] == [Engagement.LONG_TERM.value]
    assert 'name="topic"' not in form_page.content.decode()


def test_a_mentor_whose_advice_is_all_asked_for_is_not_offered_for_advice(
    client_for, programme, mia
):
    ana = _mentor(programme, "Ana Adviser", advice_per_month=2)
    first, second = (MenteeProfileFactory(programmes=[programme]).user for _ in range(2))
    accept_request(_ask(first, ana, Engagement.ADVICE), by=ana.user)
    _ask(second, ana, Engagement.ADVICE)  # one taken this month, one waiting: both offered

    response = _page(client_for, mia, ana)

    assert response.context["interest"]["state"] == "available"
    assert response.context["advice_offered"] is False
    assert 'id="advice-offer"' not in response.content.decode()
