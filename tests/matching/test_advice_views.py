"""The pages of one-off advice (issue 14): the Interested page's choice and topic, the mentor's
page, the pair space of a conversation, marking its meeting held, the feedback page, the
directory filter and badge, the mentor's form, and the coordinators' report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Engagement, Mentorship, MentorshipRequest
from matching.services import accept_request, send_request
from mentoring.backoffice.reports.present import present_report
from mentoring.backoffice.reports.query import Period, monthly_counts, period_figures
from profiles.models import MeetingFrequency
from sessions_log.models import CheckIn
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    default_programme,
)
from tests.matching.conftest import MESSAGE
from tests.sessions_log.conftest import hours_ago, local_input

pytestmark = pytest.mark.django_db

TOPIC = "Negotiating a first salary"


@pytest.fixture
def programme(db):
    programme = default_programme()
    programme.engagement_types = [Engagement.LONG_TERM, Engagement.ADVICE]
    programme.max_active_mentorships = 1
    programme.save()
    return programme


@pytest.fixture
def adviser(programme):
    return MentorProfileFactory(user__full_name="Ana Adviser", capacity=1, advice_per_month=3)


def _interested(adviser) -> str:
    return reverse("matching:request-create", args=[adviser.pk])


def test_the_interested_page_offers_both_where_both_exist(client_for, mentee_profile, adviser):
    page = client_for(mentee_profile.user).get(_interested(adviser)).content.decode()

    assert "Long-term mentoring" in page and "One conversation on a topic" in page
    assert 'name="topic"' in page


def test_a_mentee_with_a_mentor_is_offered_advice_only(client_for, mentee_profile, adviser):
    MentorshipFactory(mentee=mentee_profile.user)
    client = client_for(mentee_profile.user)

    detail = client.get(reverse("matching:mentor-detail", args=[adviser.pk])).content.decode()
    assert 'id="advice-offer"' in detail
    page = client.get(_interested(adviser) + "?engagement=advice").content.decode()
    assert "Ask Ana for advice" in page
    assert 'type="hidden" name="engagement" value="advice"' in page

    response = client.post(_interested(adviser), {"topic": TOPIC, "message": MESSAGE})

    req = MentorshipRequest.objects.get()
    assert response["Location"] == req.get_absolute_url()
    assert (req.engagement, req.topic) == ("advice", TOPIC)


def test_the_topic_is_required_for_advice_beside_its_field(client_for, mentee_profile, adviser):
    response = client_for(mentee_profile.user).post(
        _interested(adviser), {"engagement": "advice", "topic": "", "message": MESSAGE}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["topic"] == ["Please say what you would like advice on, in one line."]
    assert MESSAGE in response.content.decode()  # nothing typed is lost
    assert not MentorshipRequest.objects.exists()


def test_an_advice_only_form_marks_the_topic_required_and_asks_for_a_question(
    client_for, mentee_profile, adviser
):
    MentorshipFactory(mentee=mentee_profile.user)  # a mentor already: advice only here
    client = client_for(mentee_profile.user)

    response = client.post(_interested(adviser), {"topic": "", "message": MESSAGE})

    form = response.context["form"]
    assert form.fields["topic"].required
    assert form.errors["topic"] == ["Please say what you would like advice on, in one line."]
    page = response.content.decode()
    assert "What you would like to ask, what you have tried so far" in page
    assert "How often you could meet" not in page  # the long-term tips are not offered


def test_the_mentor_page_names_an_advice_conversation_as_one_not_as_your_mentor(
    client_for, mentee_profile, adviser
):
    MentorshipFactory(mentee=mentee_profile.user, mentor=adviser.user, engagement="advice")

    page = client_for(mentee_profile.user).get(reverse("matching:mentor-detail", args=[adviser.pk]))

    assert "You have an advice conversation with Ana." in page.content.decode()
    assert "Ana is your mentor." not in page.content.decode()


def test_a_double_submit_of_an_advice_request_makes_one(client_for, mentee_profile, adviser):
    client = client_for(mentee_profile.user)
    data = {"engagement": "advice", "topic": TOPIC, "message": MESSAGE}

    first, second = client.post(_interested(adviser), data), client.post(_interested(adviser), data)

    assert first["Location"] == second["Location"]
    assert MentorshipRequest.objects.count() == 1


def test_a_mentor_who_offers_no_advice_shows_no_choice(client_for, mentee_profile, mentor_profile):
    page = client_for(mentee_profile.user).get(_interested(mentor_profile)).content.decode()

    assert "One conversation on a topic" not in page


@pytest.fixture
def advice_pair(programme, mentee_profile, adviser):
    req = send_request(
        mentee=mentee_profile.user,
        mentor=adviser.user,
        message=MESSAGE,
        engagement=Engagement.ADVICE,
        topic=TOPIC,
    )
    accept_request(req, by=adviser.user)
    pair = req.mentorship
    pair.started_at = timezone.now() - timedelta(days=2)
    pair.save(update_fields=["started_at"])
    return pair


def test_the_pair_space_shows_a_one_off_conversation_and_its_topic(client_for, advice_pair):
    page = client_for(advice_pair.mentee).get(advice_pair.get_absolute_url()).content.decode()

    assert "Advice conversation with Ana Adviser" in page
    assert TOPIC in page
    assert 'id="objectives"' not in page
    assert 'id="meetings"' in page


def test_marking_the_meeting_held_completes_it_and_asks_both_two_questions(client_for, advice_pair):
    meeting = MeetingFactory(mentorship=advice_pair, starts_at=hours_ago(3))
    client = client_for(advice_pair.mentee)
    url = reverse("sessions_log:meeting-held", args=[advice_pair.pk, meeting.pk])
    data = {"starts_at": local_input(hours_ago(3)), "duration_minutes": "60", "summary": "Useful."}

    response = client.post(url, data, follow=True)

    assert "Your advice conversation is complete" in response.content.decode()
    advice_pair.refresh_from_db()
    assert advice_pair.status == Mentorship.Status.COMPLETED
    feedback = CheckIn.objects.filter(mentorship=advice_pair, kind="advice_feedback")
    assert feedback.count() == 2 and all(c.sent_at for c in feedback)
    # Marking it again (correcting the record) completes nothing twice.
    client.post(url, data)
    assert advice_pair.history.filter(to_status="completed").count() == 1


def test_the_feedback_page_asks_how_useful_it_was(client_for, advice_pair):
    MeetingFactory(mentorship=advice_pair, held=True)
    from sessions_log.advice import complete_if_held

    assert complete_if_held(advice_pair)
    check_in = CheckIn.objects.get(mentorship=advice_pair, person=advice_pair.mentee)
    client = client_for(advice_pair.mentee)

    page = client.get(check_in.get_absolute_url()).content.decode()
    assert "How useful was the conversation?" in page
    assert "contact me" not in page

    bad = client.post(check_in.get_absolute_url(), {"comment": "Kind and clear."})
    assert bad.context["form"].errors["rating"] == ["Choose how useful it was, from 1 to 5."]
    assert "Kind and clear." in bad.content.decode()

    client.post(check_in.get_absolute_url(), {"rating": "5", "comment": "Kind and clear."})
    check_in.refresh_from_db()
    assert (check_in.rating, check_in.comment) == (5, "Kind and clear.")


def test_the_directory_filters_mentors_who_offer_advice_and_badges_them(
    client_for, mentee_profile, adviser
):
    MentorProfileFactory(user__full_name="Long Lou")
    client = client_for(mentee_profile.user)
    url = reverse("profiles:directory")

    everyone = client.get(url)
    filtered = client.get(url, {"advice": "1"})

    assert len(everyone.context["cards"]) == 2
    assert [c["mentor"].user.full_name for c in filtered.context["cards"]] == ["Ana Adviser"]
    assert filtered.content.decode().count("Offers one-off advice</span>") == 1


def test_the_advice_filter_query_count_does_not_grow(client_for, mentee_profile, programme):
    client = client_for(mentee_profile.user)
    url = reverse("profiles:directory")
    counts = {}
    for total in (1, 10):
        MentorProfileFactory.create_batch(total - sum(1 for _ in counts), advice_per_month=2)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"advice": "1", "industry": "finance"})
        assert len(response.context["cards"]) == total
        counts[total] = len(queries)

    assert counts[1] == counts[10]


def test_the_mentor_form_offers_advice_only_where_a_programme_allows_it(
    client_for, mentor_profile, programme
):
    client = client_for(mentor_profile.user)
    url = reverse("profiles:mentor-edit")

    page = client.get(url).content.decode()
    assert 'name="advice_per_month"' in page
    assert "advice point" not in page  # the old one-off frequency is no longer offered

    programme.engagement_types = [Engagement.LONG_TERM]
    programme.save()
    assert 'name="advice_per_month"' not in client.get(url).content.decode()


def test_a_profile_with_the_old_one_off_frequency_still_saves(mentor_profile, programme):
    from profiles.forms import MentorProfileForm

    mentor_profile.frequency = MeetingFrequency.ONE_OFF
    mentor_profile.save()
    form = MentorProfileForm(instance=mentor_profile)

    assert MeetingFrequency.ONE_OFF in dict(form.fields["frequency"].choices)


def test_the_report_counts_advice_and_informal_apart_from_long_term(
    programme, advice_pair, mentee_profile
):
    MentorshipFactory(mentee=MenteeProfileFactory().user, programme=programme)
    MentorshipFactory(engagement=Engagement.INFORMAL, scheme_emails=False, programme=programme)
    MeetingFactory(mentorship=advice_pair, held=True)
    from sessions_log.advice import complete_if_held

    complete_if_held(advice_pair)
    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today)

    figures = period_figures(period, timezone.now())
    report = present_report(period, figures, monthly_counts(period))

    assert figures.pairs["started"] == 1  # the long-term pair only
    assert figures.requests["sent"] == 0  # the advice request is counted apart
    assert figures.engagements["advice_asked"] == 1
    assert figures.engagements["advice_completed"] == 1
    assert figures.engagements["informal_started"] == 1
    assert figures.check_ins["sent"] == 0  # the feedback questions are not check-ins
    assert report.section("engagements").title == "Advice conversations and informal pairs"
    assert report.figure("Advice conversations completed").shown == "<5"
