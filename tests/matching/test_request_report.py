"""A mentor reports a request as inappropriate (issue 10): the request is closed, the scheme
team is emailed and sees the report in the admin, and the mentee is not told of it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from matching.models import MentorshipRequest, RequestReport, StatusChange
from matching.services import MatchingError, accept_request, report_request
from tests.factories import MentorshipRequestFactory, UserFactory, default_programme
from tests.support import messages_of

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status
REASON = "The message asked for my home address and was rude about my colleagues."


def _report_url(req) -> str:
    return reverse("matching:request-report", args=[req.pk])


# The service


def test_reporting_a_waiting_request_declines_it_and_keeps_the_report(pending, mentor):
    report = report_request(pending, by=mentor, reason=f"  {REASON}\n")

    pending.refresh_from_db()
    assert pending.status == Status.DECLINED
    assert pending.decline_reason == MentorshipRequest.DeclineReason.OTHER
    assert pending.response_message == ""
    assert (report.request, report.reported_by, report.reason) == (pending, mentor, REASON)
    change = StatusChange.objects.get(request=pending, to_status=Status.DECLINED)
    assert (change.actor, change.note) == (mentor, "Reported as inappropriate by the mentor.")


def test_reporting_a_closed_request_keeps_its_state(mentee_profile, mentor_profile):
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=mentor_profile.user, withdrawn=True
    )

    report_request(req, by=mentor_profile.user, reason=REASON)

    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN
    assert RequestReport.objects.filter(request=req).exists()


def test_an_accepted_request_cannot_be_reported(settings, pending, mentor):
    settings.SCHEME_CONTACT_EMAIL = "team@example.org"
    accept_request(pending, by=mentor)

    with pytest.raises(MatchingError) as exc:
        report_request(pending, by=mentor, reason=REASON)

    assert str(exc.value) == (
        "You accepted this request, so it cannot be reported. To raise a concern about your "
        "mentorship, contact the scheme team at team@example.org."
    )
    assert not RequestReport.objects.exists()


def test_the_report_form_is_not_offered_on_an_accepted_request(client_for, pending, mentor):
    accept_request(pending, by=mentor)

    html = client_for(mentor).get(pending.get_absolute_url()).content.decode()

    assert _report_url(pending) not in html


def test_reporting_twice_returns_the_first_report(pending, mentor):
    first = report_request(pending, by=mentor, reason=REASON)

    second = report_request(pending, by=mentor, reason="Something else.")

    assert second == first
    assert RequestReport.objects.get().reason == REASON


@pytest.mark.parametrize("who", ["mentee", "stranger"])
def test_only_the_mentor_can_report(request, pending, who):
    with pytest.raises(MatchingError) as exc:
        report_request(pending, by=request.getfixturevalue(who), reason=REASON)

    assert str(exc.value) == "Only the mentor can report this request."
    pending.refresh_from_db()
    assert pending.is_pending
    assert not RequestReport.objects.exists()


def test_a_report_needs_a_reason(pending, mentor):
    with pytest.raises(MatchingError) as exc:
        report_request(pending, by=mentor, reason="   ")

    assert str(exc.value) == "Please tell the scheme team what was inappropriate."
    assert not RequestReport.objects.exists()


# The emails


def test_the_scheme_team_is_emailed_and_the_mentee_gets_the_usual_decline(
    settings, django_capture_on_commit_callbacks, mailoutbox, pending, mentor
):
    settings.SCHEME_CONTACT_EMAIL = "team@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(pending, by=mentor, reason=REASON)

    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert sorted(by_recipient) == [("maya@example.org",), ("team@example.org",)]
    team = by_recipient[("team@example.org",)]
    assert team.subject == "Report: Daniel Mentor reported a request from Maya Mentee"
    admin_url = f"http://testserver/admin/matching/requestreport/{report.pk}/change/"
    for body in (team.body, team.alternatives[0][0]):
        assert "rude about my colleagues" in body
        assert admin_url in body
    mentee_email = by_recipient[("maya@example.org",)]
    assert mentee_email.subject == "About your request to Daniel Mentor"
    for body in (mentee_email.body, mentee_email.alternatives[0][0]):
        assert "report" not in body.lower()
        assert "rude" not in body


def test_reporting_an_answered_request_emails_only_the_scheme_team(
    settings, django_capture_on_commit_callbacks, mailoutbox, mentee_profile, mentor_profile
):
    settings.SCHEME_CONTACT_EMAIL = "team@example.org"
    req = MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=mentor_profile.user, declined=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_request(req, by=mentor_profile.user, reason=REASON)

    assert [m.to for m in mailoutbox] == [["team@example.org"]]


def test_a_request_from_a_deleted_account_can_still_be_reported(
    django_capture_on_commit_callbacks, mailoutbox, client_for, admin_user, mentor_profile
):
    req = MentorshipRequestFactory(mentee=None, mentor=mentor_profile.user, withdrawn=True)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(req, by=mentor_profile.user, reason=REASON)

    (email,) = mailoutbox
    assert email.subject == "Report: Daniel Mentor reported a request from a former participant"
    listing = client_for(admin_user).get("/admin/matching/requestreport/")
    assert listing.status_code == 200
    assert "a former participant" in listing.content.decode()
    assert report.request.mentee_id is None


# The page


def test_the_mentor_reports_from_the_request_page(client_for, mailoutbox, pending, mentor):
    page = client_for(mentor).get(pending.get_absolute_url())
    assert _report_url(pending) in page.content.decode()

    response = client_for(mentor).post(_report_url(pending), {"report-reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == pending.get_absolute_url()
    assert messages_of(response) == [
        "Thank you for telling us. The scheme team has your report, and Maya Mentee cannot ask "
        "you again."
    ]
    assert RequestReport.objects.get().reason == REASON
    after = client_for(mentor).get(pending.get_absolute_url()).content.decode()
    assert "You reported this request to the scheme team on" in after
    assert _report_url(pending) not in after


def test_the_mentee_sees_neither_the_form_nor_the_report(client_for, pending, mentor, mentee):
    report_request(pending, by=mentor, reason=REASON)

    html = client_for(mentee).get(pending.get_absolute_url()).content.decode()

    assert _report_url(pending) not in html
    assert "reported" not in html
    assert "Another reason" in html


def test_a_report_with_no_reason_shows_the_error_beside_the_field(client_for, pending, mentor):
    response = client_for(mentor).post(_report_url(pending), {"report-reason": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["report_form"].errors["reason"] == [
        "Please tell the scheme team what was inappropriate."
    ]
    assert 'id="id_report-reason_error"' in html
    # The summary reads "What was inappropriate? Please tell…", not "inappropriate?: Please".
    assert "What was inappropriate? Please tell the scheme team" in html
    assert "<details" in html and " open>" in html  # the form is shown open, not folded away
    pending.refresh_from_db()
    assert pending.is_pending


def test_a_too_long_report_keeps_what_was_typed(client_for, pending, mentor):
    typed = "x" * 2001

    response = client_for(mentor).post(_report_url(pending), {"report-reason": typed})

    assert response.status_code == 200
    assert "Please keep it under 2,000 characters (you wrote 2001)." in response.content.decode()
    assert f">\n{typed}</textarea>" in response.content.decode()
    assert not RequestReport.objects.exists()


def test_the_mentee_pressing_report_is_refused_with_a_message(client_for, pending, mentee):
    response = client_for(mentee).post(_report_url(pending), {"report-reason": REASON})

    assert response.status_code == 302
    assert messages_of(response) == ["Only the mentor can report this request."]
    assert not RequestReport.objects.exists()


def test_a_stranger_gets_404(client_for, pending, stranger):
    response = client_for(stranger).post(_report_url(pending), {"report-reason": REASON})

    assert response.status_code == 404
    assert not RequestReport.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, pending):
    url = _report_url(pending)

    response = client.post(url, {"report-reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_get_is_405(client_for, pending, mentor):
    assert client_for(mentor).get(_report_url(pending)).status_code == 405


# The admin


def test_the_scheme_team_sees_reports_in_the_admin(client_for, admin_user, pending, mentor):
    report = report_request(pending, by=mentor, reason=REASON)
    client = client_for(admin_user)

    listing = client.get("/admin/matching/requestreport/")
    detail = client.get(f"/admin/matching/requestreport/{report.pk}/change/")

    assert listing.status_code == 200
    assert "Daniel Mentor" in listing.content.decode()
    assert "Maya Mentee" in listing.content.decode()
    assert detail.status_code == 200
    assert "rude about my colleagues" in detail.content.decode()
    assert "Could we meet once a month" in detail.content.decode()  # the mentee's message


def test_the_admin_list_filters_by_the_requests_state(client_for, admin_user, mentor_profile):
    waiting = MentorshipRequestFactory(mentor=mentor_profile.user)
    closed = MentorshipRequestFactory(mentor=mentor_profile.user, withdrawn=True)
    report_request(waiting, by=mentor_profile.user, reason="Spam, sent to everyone.")
    report_request(closed, by=mentor_profile.user, reason="Insulting.")

    html = (
        client_for(admin_user)
        .get("/admin/matching/requestreport/", {"request__status__exact": "withdrawn"})
        .content.decode()
    )

    assert "Insulting." in html
    assert "Spam, sent to everyone." not in html


def test_staff_who_may_view_reports_cannot_add_or_change_them(client_for, pending, mentor):
    report = report_request(pending, by=mentor, reason=REASON)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_requestreport"))
    default_programme().coordinators.add(viewer)  # staff see their programmes' reports
    client = client_for(viewer)

    detail = client.post(
        f"/admin/matching/requestreport/{report.pk}/change/", {"reason": "Nothing happened."}
    )

    assert client.get("/admin/matching/requestreport/add/").status_code == 403
    assert detail.status_code == 403
    report.refresh_from_db()
    assert report.reason == REASON
