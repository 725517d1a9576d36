from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import delete_account
from matching.services import report_request
from mentoring.models import Outbox
from profiles.models import Membership
from sessions_log.models import MeetingPrivateNote
from tests.factories import (
    CheckInFactory,
    JobHistoryEntryFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("accounts:personal-data")


@pytest.fixture
def held_pair(mentor, mentee):
    """Maya (mentee) and Daniel (mentor): a request, a mentorship with an objective, a held
    meeting carrying a private note by each, a check-in Maya answered and an email to her."""
    MentorProfileFactory(user=mentor, headline="Finance director who moved from engineering")
    MenteeProfileFactory(user=mentee, goals="A graduate job in corporate finance.")
    MentorshipRequestFactory(
        mentee=mentee, mentor=mentor, message="Could we meet monthly?", accepted=True
    )
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)
    ObjectiveFactory(mentorship=pair, title="Land a finance internship")
    meeting = MeetingFactory(mentorship=pair, held=True, summary="We rewrote the CV.")
    MeetingPrivateNote.objects.create(meeting=meeting, author=mentee, text="Maya: ask about MBA")
    MeetingPrivateNote.objects.create(meeting=meeting, author=mentor, text="Daniel: seems anxious")
    CheckInFactory(mentorship=pair, person=mentee, rating=5, answered_at=timezone.now())
    Outbox.objects.create(
        kind="password_reset",
        recipient=mentee,
        to_email=mentee.email,
        subject="Reset your password",
        body_text="https://example.org/reset/secret-link/",
        dedupe_key="reset-1",
        message_id="<reset-1@example.org>",
    )
    return pair


@pytest.mark.parametrize("query", ["", "?format=json"])
def test_anonymous_is_sent_to_sign_in(client, query):
    response = client.get(URL + query)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_shows_what_is_held_about_me(client_for, mentee, held_pair):
    html = client_for(mentee).get(URL).content.decode()

    for held in [
        mentee.email,
        "A graduate job in corporate finance.",
        "Could we meet monthly?",
        "Land a finance internship",
        "We rewrote the CV.",
        "Maya: ask about MBA",
        "Reset your password",
    ]:
        assert held in html


def test_the_page_never_shows_the_other_persons_private_note(client_for, mentee, held_pair):
    html = client_for(mentee).get(URL).content.decode()

    assert "Daniel: seems anxious" not in html


def test_json_download_is_an_attachment_with_my_data(client_for, mentee, held_pair):
    response = client_for(mentee).get(URL, {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.content)
    assert data["Account"][0]["Email address (sign-in)"] == mentee.email
    assert data["Mentee profile"][0]["What I hope to achieve"] == (
        "A graduate job in corporate finance."
    )
    assert data["Requests you sent"][0]["Message"] == "Could we meet monthly?"
    assert data["Mentorships"][0]["With"] == "Daniel Mentor"
    [meeting] = data["Meetings"]
    assert meeting["Your private note"] == "Maya: ask about MBA"
    assert data["Check-ins you were sent"][0]["Rating"] == 5


def test_json_holds_no_other_private_note_and_no_email_body(client_for, mentee, held_pair):
    body = client_for(mentee).get(URL, {"format": "json"}).content.decode()

    assert "Daniel: seems anxious" not in body
    assert "secret-link" not in body
    assert "Reset your password" in body


def test_a_mentor_gets_their_profile_and_job_history(client_for, mentor, held_pair):
    JobHistoryEntryFactory(profile=mentor.mentor_profile, title="Head of audit")

    data = json.loads(client_for(mentor).get(URL, {"format": "json"}).content)

    assert data["Mentor profile"][0]["Headline"] == "Finance director who moved from engineering"
    assert data["Job history"][0]["Job title"] == "Head of audit"
    assert data["Requests you received"][0]["From"] == "Maya Mentee"
    assert data["Meetings"][0]["Your private note"] == "Daniel: seems anxious"


def test_a_mentor_gets_the_reports_they_filed_and_the_mentee_never_learns_of_them(
    client_for, mentor, mentee
):
    MentorProfileFactory(user=mentor)
    MenteeProfileFactory(user=mentee)
    req = MentorshipRequestFactory(mentee=mentee, mentor=mentor, message="Call me tonight.")
    report_request(req, by=mentor, reason="Asked for my private phone number.")

    mine = json.loads(client_for(mentor).get(URL, {"format": "json"}).content)
    theirs = client_for(mentee).get(URL, {"format": "json"}).content.decode()

    [report] = mine["Requests you reported"]
    assert report["Request from"] == mentee.full_name
    assert report["What was inappropriate"] == "Asked for my private phone number."
    assert "private phone number" not in theirs
    assert json.loads(theirs)["Requests you reported"] == []


def _add_pairs(mentee, n: int) -> None:
    for _ in range(n):
        pair = MentorshipFactory(mentee=mentee, status="ended", ended_at=timezone.now())
        ObjectiveFactory(mentorship=pair)
        MeetingFactory(mentorship=pair, held=True)
        CheckInFactory(mentorship=pair, person=mentee)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"format": "json"}])
def test_the_number_of_queries_does_not_grow_with_the_data(
    client_for, mentee, held_pair, params, django_assert_max_num_queries
):
    client = client_for(mentee)
    client.get(URL)  # the first request of a session writes to it
    few = _queries(client, **params)
    _add_pairs(mentee, 5)

    # A handful for the session and the signed-in user, one or two per section.
    with django_assert_max_num_queries(30):
        many = _queries(client, **params)
    assert many == few


def test_a_deleted_other_person_shows_as_a_former_participant(
    client_for, mentee, mentor, held_pair
):
    delete_account(mentor)

    data = json.loads(client_for(mentee).get(URL, {"format": "json"}).content)

    assert data["Requests you sent"][0]["To"] == "a former participant"
    assert data["Mentorships"][0]["With"] == "a former participant"


def test_the_page_shows_times_in_my_time_zone(client_for, mentee):
    mentee.time_zone = "Asia/Tokyo"
    mentee.date_joined = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    mentee.save()

    html = client_for(mentee).get(URL).content.decode()

    assert "2 March 2026, 08:30" in html


def test_a_person_gets_their_programmes_and_their_application(client_for, mentee, held_pair):
    Membership.objects.filter(user=mentee).update(application="Someone from the NHS")

    data = json.loads(client_for(mentee).get(URL, {"format": "json"}).content)

    [membership] = data["Programmes"]
    assert (membership["Programme"], membership["As"], membership["Status"]) == (
        "Mentoring scheme",
        "Mentee",
        "Taking part",
    )
    assert membership["What I am looking for in a mentor"] == "Someone from the NHS"


def test_the_export_holds_advice_topics_agreements_training_and_away_settings(
    client_for, mentor, mentee, held_pair
):
    from datetime import date, timedelta

    from matching import agreements
    from profiles.models import MentorProfile, Training
    from profiles.training import record_completion

    MentorshipRequestFactory(
        mentee=mentee, mentor=mentor, engagement="advice", topic="Negotiating my first salary"
    )
    proposal = agreements.propose(
        held_pair,
        by=mentee,
        data={
            "frequency": "bimonthly",
            "formats": ["video", "phone"],
            "confidentiality": True,
            "review_on": timezone.localdate() + timedelta(days=90),
            "ends_on": timezone.localdate() + timedelta(days=365),
            "notes": "Maya books the calls.",
        },
    )
    agreements.agree(proposal, by=mentor)
    briefing = Training.objects.create(
        programme=held_pair.programme, name="Mentee briefing", audience="mentees"
    )
    record_completion(mentee, briefing, timezone.localdate())
    MentorProfile.objects.filter(user=mentor).update(
        away_until=date(2026, 3, 1), away_note="On leave", waiting_cap=3, advice_per_month=2
    )

    data = json.loads(client_for(mentee).get(URL, {"format": "json"}).content)

    advice = next(
        r for r in data["Requests you sent"] if r["Asking for"] == "One-off advice conversation"
    )
    assert advice["Topic of the advice conversation"] == "Negotiating my first salary"
    assert data["Mentorships"][0]["Kind"] == "Long-term mentoring"
    [agreement] = data["Agreements"]
    assert agreement["With"] == "Daniel Mentor"
    assert agreement["Status"] == "Agreed"
    assert agreement["How often we meet"] == "Every two months"
    assert agreement["How we meet"] == ["Video call", "Phone"]
    assert agreement["We keep what we discuss confidential"] is True
    assert (agreement["We review how it is going on"], agreement["We intend to finish by"]) == (
        (timezone.localdate() + timedelta(days=90)).isoformat(),
        (timezone.localdate() + timedelta(days=365)).isoformat(),
    )
    assert (agreement["Proposed by"], agreement["Agreed by"]) == ("You", "Daniel Mentor")
    [training] = data["Training"]
    assert (training["Training"], training["Recorded by"]) == ("Mentee briefing", "You")

    theirs = json.loads(client_for(mentor).get(URL, {"format": "json"}).content)
    profile = theirs["Mentor profile"][0]
    assert profile["Away until"] == "2026-03-01"
    assert profile["Note for mentees while I am away"] == "On leave"
    assert profile["Requests waiting for my answer at most"] == 3
    assert profile["One-off advice conversations a month"] == 2
    assert theirs["Agreements"][0]["Proposed by"] == "Maya Mentee"
    assert theirs["Agreements"][0]["Agreed by"] == "You"


def test_a_welsh_readers_page_names_the_data_in_welsh_and_the_download_keeps_its_keys(
    client_for, mentee, held_pair
):
    mentee.language = "cy"
    mentee.save(update_fields=["language"])
    client = client_for(mentee)

    html = client.get(URL).content.decode()
    data = json.loads(client.get(URL, {"format": "json"}).content)

    for welsh in [
        "Cyfrif",
        "Cyfeiriad e-bost (mewngofnodi)",
        "Ceisiadau a anfonoch",
        "Proffil mentorai",
    ]:
        assert welsh in html
    assert "Requests you sent" not in html
    assert "Mentorai" in html  # her role in the pair
    # The download is in one language, keys and values alike.
    assert data["Account"][0]["Email address (sign-in)"] == mentee.email
    assert data["Mentorships"][0]["Your role"] == "Mentee"
    assert data["Account"][0]["Scheme team (staff) access"] is False
