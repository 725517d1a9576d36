"""The agreement on the pair's page: "Our agreement", its form, Agree / Suggest changes /
Withdraw, "next meeting due by", and the programme's suggested objectives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from matching.agreements import agree, propose
from matching.models import Agreement
from profiles import handbook
from sessions_log.models import Objective
from tests.factories import (
    AgreementFactory,
    MeetingFactory,
    MentorshipFactory,
    ObjectiveFactory,
    ProgrammeFactory,
)
from tests.sessions_log.conftest import next_week
from tests.support import messages_of, text_of

pytestmark = pytest.mark.django_db

TERMS = {
    "frequency": "bimonthly",
    "formats": ["in_person", "email"],
    "confidentiality": "on",
    "notes": "Maya arranges the meetings.",
}


def _edit_url(pair) -> str:
    return reverse("sessions_log:agreement-edit", args=[pair.pk])


def _agree_url(proposal) -> str:
    return reverse("sessions_log:agreement-agree", args=[proposal.mentorship_id, proposal.pk])


def _withdraw_url(proposal) -> str:
    return reverse("sessions_log:agreement-withdraw", args=[proposal.mentorship_id, proposal.pk])


def _in_days(days: int) -> str:
    return f"{timezone.localdate() + timedelta(days=days):%Y-%m-%d}"


# The page


def test_every_long_term_pair_page_starts_with_our_agreement(client_for, mentorship, mentee):
    programme = mentorship.programme
    programme.agreement_text = "We treat each other with respect.\n\nWe end well."
    programme.save(update_fields=["agreement_text"])

    page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert page.index("Our agreement") < page.index('id="objectives-title"')
    assert "<p>We treat each other with respect.</p>" in page
    assert "Propose your agreement" in page


def test_an_advice_conversation_has_no_agreement(client_for, mentor, mentee):
    pair = MentorshipFactory(mentor=mentor, mentee=mentee, engagement="advice")

    page = text_of(client_for(mentee).get(pair.get_absolute_url()))
    response = client_for(mentee).get(_edit_url(pair))

    assert "Our agreement" not in page
    assert response.status_code == 302
    assert messages_of(response) == ["A one-off advice conversation has no mentoring agreement."]


def test_the_other_person_sees_agree_and_suggest_changes(client_for, mentorship, mentor, mentee):
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee)

    mentor_page = text_of(client_for(mentor).get(mentorship.get_absolute_url()))
    mentee_page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert "Maya Mentee proposed" in mentor_page
    assert _agree_url(proposal) in mentor_page
    assert "Suggest changes" in mentor_page
    assert _withdraw_url(proposal) not in mentor_page
    assert "Your proposal, waiting for Daniel" in mentee_page
    assert _withdraw_url(proposal) in mentee_page
    assert _agree_url(proposal) not in mentee_page


def test_the_agreed_terms_and_the_history(client_for, mentorship, mentor, mentee):
    first = agree(
        propose(
            mentorship,
            by=mentee,
            data={"frequency": "monthly", "formats": ["video"], "confidentiality": True},
        ),
        by=mentor,
    )
    propose(
        mentorship,
        by=mentor,
        data={"frequency": "bimonthly", "formats": ["email"], "confidentiality": True},
    )

    page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert f"Agreed on {dateformat.format(timezone.localtime(first.agreed_at), 'j F Y')}" in page
    assert "Monthly" in page
    assert "Daniel Mentor proposed a change" in page
    assert "Messages" in page  # "email" reads "Messages" in an agreement
    assert "You proposed monthly (video call)." in page
    assert "Daniel Mentor agreed on" in page


def test_the_page_reads_agreements_in_constant_queries(client_for, mentorship, mentor, mentee):
    def count() -> int:
        client = client_for(mentee)
        handbook.handbook_changed()  # the handbook's links uncached both times
        with CaptureQueriesContext(connection) as queries:
            assert client.get(mentorship.get_absolute_url()).status_code == 200
        return len(queries.captured_queries)

    AgreementFactory(mentorship=mentorship, proposed_by=mentee)
    one = count()
    Agreement.objects.update(status="withdrawn")
    for _ in range(6):
        AgreementFactory(mentorship=mentorship, proposed_by=mentor, status="withdrawn")
    AgreementFactory(mentorship=mentorship, proposed_by=mentor, agreed=True)
    AgreementFactory(mentorship=mentorship, proposed_by=mentee)

    assert count() == one


# The form


def test_proposing_emails_the_other_and_says_so(client_for, mentorship, mentor, mentee):
    data = {**TERMS, "review_on": _in_days(90), "ends_on": _in_days(365)}

    response = client_for(mentee).post(_edit_url(mentorship), data)

    assert response.status_code == 302
    assert response["Location"] == f"{mentorship.get_absolute_url()}#agreement"
    assert messages_of(response) == [
        "Your proposal is with Daniel Mentor, who has been emailed. It applies once they agree it."
    ]
    proposal = Agreement.objects.get()
    assert (proposal.frequency, proposal.formats, proposal.proposed_by) == (
        "bimonthly",
        ["in_person", "email"],
        mentee,
    )


def test_the_form_shows_messages_for_email(client_for, mentorship, mentee):
    page = text_of(client_for(mentee).get(_edit_url(mentorship)))

    assert "Propose your mentoring agreement" in page
    assert "Messages" in page
    assert ">Email<" not in page


def test_errors_sit_next_to_their_fields_and_nothing_typed_is_lost(client_for, mentorship, mentee):
    data = {
        **TERMS,
        "confidentiality": "",
        "frequency": "other",
        "frequency_other": "",
        "review_on": _in_days(60),
        "ends_on": _in_days(30),
        "notes": "We meet at the café on Fridays.",
    }

    response = client_for(mentee).post(_edit_url(mentorship), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "frequency_other": ["Say in a few words how often you will meet."],
        "confidentiality": ["Tick the confidentiality statement: every agreement includes it."],
        "ends_on": ["The intended end date needs to be after the review date."],
    }
    page = text_of(response)
    assert "We meet at the café on Fridays." in page
    assert f'value="{_in_days(60)}"' in page
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("field", ["review_on", "ends_on"])
def test_dates_are_after_today(client_for, mentorship, mentee, field):
    response = client_for(mentee).post(_edit_url(mentorship), {**TERMS, field: _in_days(0)})

    assert response.status_code == 200
    assert "needs to be after today" in response.context["form"].errors[field][0]


@pytest.mark.parametrize(
    "changes",
    [
        {"review_on": "31/02/2027"},
        {"ends_on": "99999-01-01"},
        {"formats": ["carrier_pigeon"]},
        {"frequency": "weekly"},
        {"notes": "x" * 5000},
    ],
)
def test_bad_input_is_an_error_not_a_crash(client_for, mentorship, mentee, changes):
    response = client_for(mentee).post(_edit_url(mentorship), {**TERMS, **changes})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Agreement.objects.exists()


def test_a_double_submit_proposes_once(client_for, mentorship, mentee):
    client = client_for(mentee)

    client.post(_edit_url(mentorship), TERMS)
    response = client.post(_edit_url(mentorship), TERMS)

    assert response.status_code == 302
    assert Agreement.objects.count() == 1


def test_suggest_changes_starts_from_their_proposal(client_for, mentorship, mentor, mentee):
    AgreementFactory(mentorship=mentorship, proposed_by=mentee, notes="Fridays suit me.")
    client = client_for(mentor)

    response = client.get(_edit_url(mentorship))
    assert response.context["heading"] == "Suggest changes"
    assert "Fridays suit me." in text_of(response)

    client.post(_edit_url(mentorship), {**TERMS, "frequency": "monthly"})

    assert sorted(Agreement.objects.values_list("status", "proposed_by")) == [
        ("proposed", mentor.pk),
        ("withdrawn", mentee.pk),
    ]


# Agree and withdraw


def test_the_other_person_agrees(client_for, mentorship, mentor, mentee):
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee, frequency="monthly")

    response = client_for(mentor).post(_agree_url(proposal))

    assert messages_of(response) == ["You have both agreed it. Maya Mentee has been emailed."]
    proposal.refresh_from_db()
    assert proposal.status == "agreed"
    mentorship.refresh_from_db()
    assert mentorship.cadence_days == 31


def test_the_proposer_cannot_agree_their_own_proposal(client_for, mentorship, mentee):
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee)

    response = client_for(mentee).post(_agree_url(proposal))

    assert response.status_code == 302
    assert messages_of(response) == [
        "You proposed this agreement, so Daniel Mentor is the one to agree it."
    ]
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_only_the_proposer_withdraws(client_for, mentorship, mentor, mentee):
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee)

    refused = client_for(mentor).post(_withdraw_url(proposal))
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert "Only the person who proposed it" in messages_of(refused)[0]

    done = client_for(mentee).post(_withdraw_url(proposal))
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    assert messages_of(done) == ["Your proposal has been withdrawn."]


def test_a_double_click_on_agree_is_harmless(client_for, mentorship, mentor, mentee):
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee)
    client = client_for(mentor)

    client.post(_agree_url(proposal))
    second = client.post(_agree_url(proposal))

    assert second.status_code == 302
    assert Agreement.objects.agreed().count() == 1


# Authorization: owner, other party, stranger, anonymous (the general matrix is in
# test_authorization_matrix.py).


@pytest.mark.parametrize("action", ["agree", "withdraw"])
def test_another_pairs_proposal_under_my_pair_url_is_404(client_for, mentorship, mentee, action):
    elsewhere = AgreementFactory(mentorship=MentorshipFactory(mentor=mentee))
    url = reverse(f"sessions_log:agreement-{action}", args=[mentorship.pk, elsewhere.pk])

    assert client_for(mentee).post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "proposed"


@pytest.mark.parametrize(
    ("who", "agree_status", "withdraw_status"),
    [
        # The proposer (owner) may withdraw but not agree; the other party may agree, not
        # withdraw: both come back to the page with a sentence.
        ("mentee", "proposed", "withdrawn"),
        ("mentor", "agreed", "proposed"),
        ("stranger", "proposed", "proposed"),
        ("anonymous", "proposed", "proposed"),
    ],
)
def test_who_changes_what(client, client_for, mentorship, mentor, mentee, stranger, who, agree_status, withdraw_status):  # fmt: skip
    people = {"mentee": mentee, "mentor": mentor, "stranger": stranger, "anonymous": None}
    c = client_for(people[who]) if people[who] else client
    expected = {"mentee": 302, "mentor": 302, "stranger": 404, "anonymous": 302}[who]

    for url_of, status in ((_agree_url, agree_status), (_withdraw_url, withdraw_status)):
        Agreement.objects.all().delete()
        proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee)
        response = c.post(url_of(proposal))
        assert response.status_code == expected
        if who == "anonymous":
            assert response["Location"].startswith(reverse("account_login"))
        proposal.refresh_from_db()
        assert proposal.status == status


def test_a_stranger_cannot_see_or_propose(client_for, mentorship, stranger):
    client = client_for(stranger)

    assert client.get(_edit_url(mentorship)).status_code == 404
    assert client.post(_edit_url(mentorship), TERMS).status_code == 404
    assert not Agreement.objects.exists()


# An ended pair


def test_an_ended_pair_shows_its_agreement_read_only(client_for, mentorship, mentor, mentee):
    AgreementFactory(mentorship=mentorship, proposed_by=mentee, agreed=True)
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee, frequency="monthly")
    mentorship.status, mentorship.ended_at, mentorship.end_reason = (
        "ended",
        timezone.now(),
        "achieved",
    )
    mentorship.save()
    client = client_for(mentor)

    page = text_of(client.get(mentorship.get_absolute_url()))
    assert "Our agreement" in page
    assert _agree_url(proposal) not in page
    assert _edit_url(mentorship) not in page

    for response in (
        client.get(_edit_url(mentorship)),
        client.post(_edit_url(mentorship), TERMS),
        client.post(_agree_url(proposal)),
        client_for(mentee).post(_withdraw_url(proposal)),
    ):
        assert response.status_code == 302
        # Messages pile up until a page shows them: the last is this response's.
        assert messages_of(response)[-1] == (
            "This mentorship has ended, so its agreement can no longer be changed."
        )
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert Agreement.objects.count() == 2


# Next meeting due by


def test_next_meeting_due_by_counts_from_the_last_held_meeting(client_for, mentorship, mentor, mentee):  # fmt: skip
    AgreementFactory(mentorship=mentorship, agreed=True, frequency="monthly")
    mentorship.cadence_days = 31
    mentorship.save(update_fields=["cadence_days"])
    held = MeetingFactory(mentorship=mentorship, held=True)

    page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    due = timezone.localdate(held.starts_at) + timedelta(days=31)
    assert f'Next meeting due by <time datetime="{due:%Y-%m-%d}">' in page
    assert "has passed" not in page


def test_next_meeting_due_says_kindly_when_it_has_passed(client_for, mentorship, mentee):
    mentorship.cadence_days = 14  # started thirty days ago, never met
    mentorship.save(update_fields=["cadence_days"])

    page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert "Next meeting due by" in page
    assert "that date has passed. No worries: plan your next meeting when you can." in page


def test_next_meeting_due_is_hidden_while_a_meeting_is_planned(client_for, mentorship, mentee):
    mentorship.cadence_days = 31
    mentorship.save(update_fields=["cadence_days"])
    MeetingFactory(mentorship=mentorship, starts_at=next_week())

    page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert "Next meeting due by" not in page


def test_no_next_meeting_due_without_an_agreed_rhythm(client_for, mentorship, mentee):
    page = text_of(client_for(mentee).get(mentorship.get_absolute_url()))

    assert "Next meeting due by" not in page


# Suggested objectives


@pytest.fixture
def suggesting(mentorship):
    programme = mentorship.programme
    programme.starter_objectives = "Build a network beyond my team\n\n  Prepare for a promotion   \nbuild a network beyond my team"
    programme.save(update_fields=["starter_objectives"])
    return mentorship


def _suggest_url(pair) -> str:
    return reverse("sessions_log:objective-suggested-add", args=[pair.pk])


def test_the_programmes_suggestions_appear_once_each(client_for, suggesting, mentee):
    page = text_of(client_for(mentee).get(suggesting.get_absolute_url()))

    assert "Suggested by the programme" in page
    assert page.count('value="Build a network beyond my team"') == 1
    assert 'value="Prepare for a promotion"' in page


def test_one_click_adds_a_suggestion_once(client_for, suggesting, mentor, mentee):
    client = client_for(mentor)

    first = client.post(_suggest_url(suggesting), {"title": "Prepare for a promotion"})
    again = client.post(_suggest_url(suggesting), {"title": "Prepare for a promotion"})

    objective = Objective.objects.get()
    assert (objective.title, objective.created_by) == ("Prepare for a promotion", mentor)
    assert first["Location"] == f"{suggesting.get_absolute_url()}#objective-{objective.pk}"
    assert messages_of(first) == ["Objective added: Prepare for a promotion."]
    assert messages_of(again)[-1] == "You already have this objective."
    page = text_of(client.get(suggesting.get_absolute_url()))
    assert 'value="Prepare for a promotion"' not in page
    assert 'value="Build a network beyond my team"' in page


def test_a_suggestion_already_added_by_hand_is_hidden(client_for, suggesting, mentee):
    ObjectiveFactory(mentorship=suggesting, title="prepare for a  PROMOTION", status="dropped")

    page = text_of(client_for(mentee).get(suggesting.get_absolute_url()))

    assert 'value="Prepare for a promotion"' not in page


def test_only_the_programmes_suggestions_can_be_added_this_way(client_for, suggesting, mentee):
    response = client_for(mentee).post(_suggest_url(suggesting), {"title": "<b>Anything</b>"})

    assert messages_of(response) == ["That is not one of the programme's suggested objectives."]
    assert not Objective.objects.exists()


def test_no_suggestions_in_an_ended_pair(client_for, suggesting, mentee):
    suggesting.status, suggesting.ended_at, suggesting.end_reason = (
        "ended",
        timezone.now(),
        "achieved",
    )
    suggesting.save()
    client = client_for(mentee)

    page = text_of(client.get(suggesting.get_absolute_url()))
    response = client.post(_suggest_url(suggesting), {"title": "Prepare for a promotion"})

    assert "Suggested by the programme" not in page
    assert "has ended" in messages_of(response)[0]
    assert not Objective.objects.exists()


def test_no_suggestions_when_the_programme_has_none(client_for, mentee):
    pair = MentorshipFactory(mentee=mentee, programme=ProgrammeFactory(name="Plain"))

    page = text_of(client_for(mentee).get(pair.get_absolute_url()))

    assert "Suggested by the programme" not in page
