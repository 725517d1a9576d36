""" "Export selected to CSV" on the mentor, mentee, request and mentorship lists."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import delete_account
from sessions_log.models import MeetingPrivateNote
from tests.factories import (
    ExpertiseAreaFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def export(client, changelist: str, objects, **extra) -> list[dict[str, str]]:
    response = client.post(
        reverse(f"admin:{changelist}_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra},
    )
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def client(client_for, admin_user):
    return client_for(admin_user)


def test_mentor_profiles(client):
    area = ExpertiseAreaFactory(name="Career change")
    profile = MentorProfileFactory(
        user=UserFactory(full_name="Dana Mentor", email="dana@example.org"),
        organisation="Harbour Bank",
        areas=[area],
        training_completed_on=timezone.localdate(),
    )
    MentorProfileFactory()  # not selected

    [row] = export(client, "profiles_mentorprofile", [profile])

    assert row["Name"] == "Dana Mentor"
    assert row["Email"] == "dana@example.org"
    assert row["Organisation"] == "Harbour Bank"
    assert row["Industry"] == "Banking and finance"
    assert row["Country"] == "United Kingdom"
    assert row["Areas"] == "Career change"
    assert row["Review"] == "Approved"
    assert row["Visible to mentees"] == "yes"
    assert row["Training completed on"] == timezone.localdate().isoformat()


def test_mentee_profiles_say_whether_they_have_a_mentor(client):
    alone = MenteeProfileFactory(user=UserFactory(full_name="Ali Alone"))
    paired = MenteeProfileFactory(user=UserFactory(full_name="Pat Paired"))
    MentorshipFactory(mentee=paired.user)

    rows = export(client, "profiles_menteeprofile", [alone, paired])

    assert {r["Name"]: r["Has a mentor now"] for r in rows} == {
        "Ali Alone": "no",
        "Pat Paired": "yes",
    }


def test_requests_without_the_mentees_letter(client):
    request = MentorshipRequestFactory(
        mentee=MenteeProfileFactory(user=UserFactory(full_name="Maya Mentee")).user,
        declined=True,
        message="My private hopes for the year",
    )

    [row] = export(client, "matching_mentorshiprequest", [request])

    assert row["Mentee"] == "Maya Mentee"
    assert row["Status"] == "Declined"
    assert row["Decline reason"] == "I am not available now"
    assert row["Responded at"]
    assert "My private hopes" not in str(row)


def test_mentorships_with_feedback_but_never_private_notes(client, admin_user):
    pair = MentorshipFactory(
        ended=True,
        end_reason="not_a_fit",
        feedback_rating=2,
        feedback_comment="We never found a time",
        created_by=admin_user,
    )
    meeting = MeetingFactory(
        mentorship=pair, held=True, starts_at=timezone.now() - timedelta(days=3)
    )
    MeetingPrivateNote.objects.create(meeting=meeting, author=pair.mentee, text="Only for me")

    [row] = export(client, "matching_mentorship", [pair])

    assert row["End reason"] == "Not a good fit"
    assert row["Feedback rating"] == "2"
    assert row["Feedback for the scheme team"] == "We never found a time"
    assert row["Matched centrally by"] == admin_user.full_name
    assert row["Last meeting held"] == timezone.localtime(meeting.starts_at).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert "Only for me" not in str(row)


def test_select_all_exports_every_row_the_filter_finds(client):
    waiting = [
        MentorshipRequestFactory(created_at=timezone.now() - timedelta(days=10)) for _ in range(3)
    ]
    MentorshipRequestFactory()

    response = client.post(
        reverse("admin:matching_mentorshiprequest_changelist") + "?attention=waiting",
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [waiting[0].pk], "select_across": "1"},
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(int(r["ID"]) for r in rows) == sorted(r.pk for r in waiting)


def test_cells_cannot_become_spreadsheet_formulas(client):
    profile = MenteeProfileFactory(
        user=UserFactory(full_name='=HYPERLINK("http://evil.example","x")'), role="+44 role"
    )

    [row] = export(client, "profiles_menteeprofile", [profile])

    assert row["Name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["Course, department or role"] == "'+44 role"


def test_the_export_reads_rows_in_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    profiles = [MentorProfileFactory(areas=[ExpertiseAreaFactory()]) for _ in range(12)]

    with django_assert_max_num_queries(8):
        rows = export(client, "profiles_mentorprofile", profiles)

    assert len(rows) == 12


def test_requests_and_mentorships_of_a_deleted_person(client):
    pair = MentorshipFactory()
    mentee = pair.mentee
    request = MentorshipRequestFactory(mentee=mentee, mentor=pair.mentor, declined=True)
    delete_account(pair.mentor)

    [req_row] = export(client, "matching_mentorshiprequest", [request])
    [pair_row] = export(client, "matching_mentorship", [pair])

    assert (req_row["Mentor"], req_row["Mentor email"]) == ("a former participant", "")
    assert (pair_row["Mentor"], pair_row["Mentee"]) == ("a former participant", mentee.full_name)
    for changelist in ("matching_mentorshiprequest", "matching_mentorship"):
        response = client.get(reverse(f"admin:{changelist}_changelist"))
        assert response.status_code == 200
        assert "a former participant" in response.content.decode()
