"""A pair's mentoring agreement (matching.agreements): proposed by one, agreed only by the other;
a change is a new proposal that supersedes the agreed one once agreed; the rows are the
history; double clicks and two people at once change nothing twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from matching import agreements
from matching.agreements import AgreementError, agree, propose, withdraw
from matching.models import Agreement
from tests.factories import MentorshipFactory, UserFactory
from tests.support import queued

pytestmark = pytest.mark.django_db


def terms(**changes) -> dict:
    today = timezone.localdate()
    return {
        "frequency": "bimonthly",
        "frequency_other": "",
        "formats": ["in_person", "video"],
        "confidentiality": True,
        "review_on": today + timedelta(days=90),
        "ends_on": today + timedelta(days=365),
        "notes": "Maya arranges the meetings.",
        **changes,
    }


@pytest.fixture
def pair(mentor, mentee):
    return MentorshipFactory(mentor=mentor, mentee=mentee)


def test_the_mentee_proposes_and_the_mentor_is_emailed(pair, mentor, mentee):
    proposal = propose(pair, by=mentee, data=terms())

    assert proposal.status == Agreement.Status.PROPOSED
    assert proposal.proposed_by == mentee
    assert proposal.formats == ["in_person", "video"]
    [email] = queued("agreement_proposed")
    assert email.to_email == mentor.email
    assert email.dedupe_key == f"agreement-proposed:{proposal.pk}"
    assert "Every two months" in email.body_text
    assert "In person, Video call" in email.body_text
    assert f"/mentorships/{pair.pk}/#agreement" in email.body_text
    pair.refresh_from_db()
    assert pair.cadence_days is None  # nothing applies until the other agrees


def test_only_the_other_person_agrees(pair, mentor, mentee):
    proposal = propose(pair, by=mentee, data=terms())

    with pytest.raises(AgreementError, match="Daniel Mentor is the one to agree it"):
        agree(proposal, by=mentee)
    proposal.refresh_from_db()
    assert proposal.status == Agreement.Status.PROPOSED


def test_a_stranger_cannot_agree(pair, mentee, stranger):
    proposal = propose(pair, by=mentee, data=terms())

    with pytest.raises(AgreementError, match="Only the mentor and the mentee"):
        agree(proposal, by=stranger)


def test_agreeing_sets_the_rhythm_and_emails_the_proposer(pair, mentor, mentee):
    proposal = propose(pair, by=mentee, data=terms())

    agreed = agree(proposal, by=mentor)

    assert (agreed.status, agreed.agreed_by, agreed.agreed_at is not None) == (
        "agreed",
        mentor,
        True,
    )
    pair.refresh_from_db()
    assert pair.cadence_days == 61
    [email] = queued("agreement_agreed")
    assert email.to_email == mentee.email
    assert email.subject == "Daniel Mentor agreed your mentoring agreement"


def test_a_double_click_on_agree_changes_nothing_twice(pair, mentor, mentee):
    proposal = propose(pair, by=mentee, data=terms())
    first = agree(proposal, by=mentor)

    second = agree(proposal, by=mentor)

    assert second.agreed_at == first.agreed_at
    assert len(queued("agreement_agreed")) == 1


def test_an_agreed_change_supersedes_the_agreement_before_it(pair, mentor, mentee):
    first = agree(propose(pair, by=mentee, data=terms()), by=mentor)

    change = propose(pair, by=mentor, data=terms(frequency="monthly"))
    pair.refresh_from_db()
    assert pair.cadence_days == 61  # the old agreement holds until the change is agreed
    agree(change, by=mentee)

    first.refresh_from_db()
    assert first.status == Agreement.Status.SUPERSEDED
    assert list(Agreement.objects.agreed()) == [change]
    pair.refresh_from_db()
    assert pair.cadence_days == 31
    [_, change_email] = queued("agreement_proposed")
    assert "suggested a change to" in change_email.subject


def test_other_frequency_has_no_rhythm_and_falls_back_to_the_programme(pair, mentor, mentee):
    agree(propose(pair, by=mentee, data=terms(frequency="monthly")), by=mentor)

    agree(
        propose(pair, by=mentor, data=terms(frequency="other", frequency_other="Weekly at first")),
        by=mentee,
    )

    pair.refresh_from_db()
    assert pair.cadence_days is None


def test_the_history_keeps_every_proposal_newest_first(pair, mentor, mentee):
    first = agree(propose(pair, by=mentee, data=terms()), by=mentor)
    withdrawn = propose(pair, by=mentor, data=terms(frequency="monthly"))
    withdraw(withdrawn, by=mentor)
    open_ = propose(pair, by=mentee, data=terms(frequency="fortnightly"))

    history = agreements.history(pair)

    assert [(a.pk, a.status) for a in history] == [
        (open_.pk, "proposed"),
        (withdrawn.pk, "withdrawn"),
        (first.pk, "agreed"),
    ]


def test_suggesting_changes_replaces_the_other_persons_proposal(pair, mentor, mentee):
    theirs = propose(pair, by=mentee, data=terms())

    mine = propose(pair, by=mentor, data=terms(frequency="monthly"))

    theirs.refresh_from_db()
    assert theirs.status == Agreement.Status.WITHDRAWN
    assert mine.status == Agreement.Status.PROPOSED
    # Now Maya, not Daniel, is the one to agree.
    with pytest.raises(AgreementError):
        agree(mine, by=mentor)
    assert agree(mine, by=mentee).status == "agreed"


def test_proposing_the_other_persons_terms_unchanged_asks_to_agree_instead(pair, mentor, mentee):
    propose(pair, by=mentee, data=terms())

    with pytest.raises(AgreementError, match="you can agree it"):
        propose(pair, by=mentor, data=terms())


def test_a_double_submit_of_a_proposal_makes_one(pair, mentee):
    first = propose(pair, by=mentee, data=terms())

    second = propose(pair, by=mentee, data=terms())

    assert second.pk == first.pk
    assert Agreement.objects.count() == 1
    assert len(queued("agreement_proposed")) == 1


def test_proposing_what_is_already_agreed_is_refused(pair, mentor, mentee):
    agree(propose(pair, by=mentee, data=terms()), by=mentor)

    with pytest.raises(AgreementError, match="already agreed"):
        propose(pair, by=mentor, data=terms())


def test_agreeing_a_replaced_proposal_is_refused(pair, mentor, mentee):
    old = propose(pair, by=mentee, data=terms())
    propose(pair, by=mentee, data=terms(frequency="monthly"))

    with pytest.raises(AgreementError, match="no longer open"):
        agree(old, by=mentor)


def test_only_the_proposer_withdraws(pair, mentor, mentee):
    proposal = propose(pair, by=mentee, data=terms())

    with pytest.raises(AgreementError, match="Only the person who proposed it"):
        withdraw(proposal, by=mentor)
    withdraw(proposal, by=mentee)
    withdraw(proposal, by=mentee)  # a double click

    proposal.refresh_from_db()
    assert proposal.status == Agreement.Status.WITHDRAWN


def test_an_agreed_agreement_cannot_be_withdrawn(pair, mentor, mentee):
    agreed = agree(propose(pair, by=mentee, data=terms()), by=mentor)

    with pytest.raises(AgreementError, match="already been agreed"):
        withdraw(agreed, by=mentee)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"confidentiality": False}, "confidentiality"),
        ({"formats": []}, "formats"),
        ({"formats": ["carrier_pigeon"]}, "formats"),
        ({"frequency": "weekly"}, "frequency"),
        ({"frequency": "other", "frequency_other": ""}, "frequency_other"),
        ({"review_on": timezone.localdate()}, "review_on"),
        ({"ends_on": timezone.localdate()}, "ends_on"),
        (
            {
                "review_on": timezone.localdate() + timedelta(days=40),
                "ends_on": timezone.localdate() + timedelta(days=30),
            },
            "ends_on",
        ),
    ],
)
def test_the_rules_of_a_proposal(pair, mentee, changes, field):
    with pytest.raises(AgreementError) as refused:
        propose(pair, by=mentee, data=terms(**changes))

    assert refused.value.field == field
    assert not Agreement.objects.exists()


def test_an_ended_pair_is_read_only(mentor, mentee):
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)
    proposal = propose(pair, by=mentee, data=terms())
    pair.status, pair.ended_at, pair.end_reason = "ended", timezone.now(), "achieved"
    pair.save()

    for action in (
        lambda: propose(pair, by=mentee, data=terms(frequency="monthly")),
        lambda: agree(proposal, by=mentor),
        lambda: withdraw(proposal, by=mentee),
    ):
        with pytest.raises(AgreementError, match="has ended"):
            action()


def test_advice_conversations_have_no_agreement(mentor, mentee):
    pair = MentorshipFactory(mentor=mentor, mentee=mentee, engagement="advice")

    with pytest.raises(AgreementError, match="one-off advice"):
        propose(pair, by=mentee, data=terms())


def test_informal_pairs_may_have_one(mentor, mentee):
    pair = MentorshipFactory(mentor=mentor, mentee=mentee, engagement="informal")

    agree(propose(pair, by=mentor, data=terms(frequency="monthly")), by=mentee)

    pair.refresh_from_db()
    assert pair.cadence_days == 31


def test_no_email_to_a_deactivated_account(pair, mentor, mentee):
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])

    propose(pair, by=mentee, data=terms())

    assert queued("agreement_proposed") == []


@pytest.mark.django_db(transaction=True)
def test_two_agree_clicks_at_once_agree_once():
    mentor, mentee = UserFactory(), UserFactory()
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)
    first = agree(propose(pair, by=mentee, data=terms()), by=mentor)
    change = propose(pair, by=mentee, data=terms(frequency="monthly"))
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def click():
        try:
            barrier.wait()
            agree(Agreement.objects.get(pk=change.pk), by=mentor)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert list(Agreement.objects.agreed().values_list("pk", flat=True)) == [change.pk]
    first.refresh_from_db()
    assert first.status == "superseded"
    assert len(queued("agreement_agreed")) == 2  # one for each agreement, not per click


@pytest.mark.django_db(transaction=True)
def test_both_proposing_at_once_leaves_one_open_proposal():
    mentor, mentee = UserFactory(), UserFactory()
    pair = MentorshipFactory(mentor=mentor, mentee=mentee)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def submit(person, frequency):
        try:
            barrier.wait()
            propose(pair, by=person, data=terms(frequency=frequency))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=submit, args=(mentee, "monthly")),
        threading.Thread(target=submit, args=(mentor, "fortnightly")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    statuses = sorted(Agreement.objects.values_list("status", flat=True))
    assert statuses == ["proposed", "withdrawn"]
