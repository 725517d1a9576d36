"""What a review of bulk invitations found (issue 19): an expired invitation was a dead end, the
link stayed readable in the outbox, sending cost queries per row and locked every programme,
an expired list lost what was typed, accepting trusted the view to check the person, and the
expired page hard-coded the link's age."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.adapters import INVITED_EMAIL_KEY
from mentoring import delivery
from mentoring.models import Outbox
from profiles import invitations
from profiles.models import Membership, Programme, ProgrammeInvitation
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+?(/programmes/careers/invitation/[^/\s]+/)")


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Alumni careers", slug="careers", invitation_only=True)


@pytest.fixture
def coordinator(programme):
    user = UserFactory(is_staff=True, full_name="Cora Lewis")
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


def invite_url(programme):
    return reverse("admin:profiles_programme_invite", args=[programme.pk])


def check(client, programme, addresses, role="mentee"):
    return client.post(invite_url(programme), {"addresses": addresses, "role": role})


def send(client, programme, preview):
    return client.post(
        invite_url(programme), {"upload": preview.context["upload"], "send": "1"}, follow=True
    )


def emails_to(address):
    return Outbox.objects.filter(kind="programme_invitation", to_email__iexact=address)


def sent_long_ago(programme, email, *, days=31, accepted_by=None):
    """An invitation emailed `days` ago (its link as old)."""
    then = timezone.now() - timedelta(days=days)
    return ProgrammeInvitation.objects.create(
        programme=programme,
        email=email,
        role="mentee",
        created_at=then,
        sent_at=then,
        accepted_by=accepted_by,
        accepted_at=then if accepted_by else None,
    )


# 1. An expired invitation is invited again -------------------------------------------------


def test_unaccepted_invitations_past_the_links_age_are_invited_again_with_a_fresh_link(
    client_for, client, coordinator, programme
):
    old_ann = sent_long_ago(programme, "ann@example.org")
    sent_long_ago(programme, "bob@example.org")
    joined = UserFactory(email="cat@example.org")
    sent_long_ago(programme, "cat@example.org", accepted_by=joined)
    recent = sent_long_ago(programme, "dan@example.org", days=29)
    coordinator_client = client_for(coordinator)

    preview = check(
        coordinator_client,
        programme,
        "ann@example.org\nBob <BOB@example.org>\ncat@example.org\ndan@example.org\neve@example.org",
    )

    assert preview.context["preview"].summary == (
        "1 new, 2 already invited, 2 invited again (the first link expired)"
    )
    assert "Send 3 invitations" in preview.content.decode()

    done = send(coordinator_client, programme, preview)

    assert "Sent 3 invitations" in done.content.decode()
    assert ProgrammeInvitation.objects.count() == 5  # the two again are the same rows
    old_ann.refresh_from_db()
    assert old_ann.sent_at > timezone.now() - timedelta(minutes=1)
    assert old_ann.accepted_at is None
    bob = ProgrammeInvitation.objects.get(email="bob@example.org")
    assert bob.name == "Bob"
    for address in ("ann@example.org", "bob@example.org", "eve@example.org"):
        assert emails_to(address).count() == 1
    assert not emails_to("cat@example.org").exists()
    assert not emails_to("dan@example.org").exists()
    recent.refresh_from_db()
    assert recent.sent_at < timezone.now() - timedelta(days=28)
    # The fresh link works.
    path = LINK.search(emails_to("ann@example.org").get().body_text)[1]
    assert client.get(path).status_code == 200

    # The same confirmation again (a double click): they are invited now, nobody is emailed twice.
    send(coordinator_client, programme, preview)
    assert Outbox.objects.filter(kind="programme_invitation").count() == 3


def test_each_sending_of_an_invitation_has_its_own_outbox_key(programme, clock):
    coordinator = UserFactory(is_staff=True, is_superuser=True)
    rows = invitations.read_pasted("ann@example.org", role="mentee")
    invitations.send(rows, programme=programme, allowed=Programme.objects.all(), by=coordinator)

    clock.shift(timedelta(days=31))
    rows = invitations.read_pasted("ann@example.org", role="mentee")
    again = invitations.send(
        rows, programme=programme, allowed=Programme.objects.all(), by=coordinator
    )

    assert again.counts[invitations.INVITED_AGAIN] == 1
    keys = list(emails_to("ann@example.org").values_list("dedupe_key", flat=True))
    assert len(keys) == 2 and len(set(keys)) == 2


def resend(client, invitation):
    return client.post(
        reverse("admin:profiles_programmeinvitation_changelist"),
        {"action": "resend_invitation", ACTION_CHECKBOX_NAME: [invitation.pk], "index": 0},
    )


def test_a_coordinator_resends_an_unaccepted_invitation_once(client_for, coordinator, programme):
    expired = sent_long_ago(programme, "ann@example.org")
    joined = UserFactory(email="cat@example.org")
    accepted = sent_long_ago(programme, "cat@example.org", accepted_by=joined)
    client = client_for(coordinator)

    first = resend(client, expired)
    second = resend(client, expired)  # a double click
    refused = resend(client, accepted)

    assert emails_to("ann@example.org").count() == 1
    expired.refresh_from_db()
    assert expired.sent_at > timezone.now() - timedelta(minutes=1)
    assert [str(m) for m in get_messages(first.wsgi_request)] == [
        "Resent 1 invitation with a fresh link."
    ]
    assert "was sent in the last 5 minutes" in str(list(get_messages(second.wsgi_request))[-1])
    assert not emails_to("cat@example.org").exists()
    assert "it has been accepted" in str(list(get_messages(refused.wsgi_request))[-1])


def test_the_resend_action_is_scoped_to_the_coordinators_programmes(client_for, coordinator):
    other = ProgrammeFactory(name="Staff network", slug="staff")
    theirs = sent_long_ago(other, "theirs@example.org")
    viewer = UserFactory(is_staff=True)
    other.coordinators.add(viewer)

    resend(client_for(coordinator), theirs)
    resend(client_for(viewer), theirs)  # no permission to invite

    assert not emails_to("theirs@example.org").exists()
    theirs.refresh_from_db()
    assert theirs.sent_at < timezone.now() - timedelta(days=30)


# 2. The link is not left readable in the outbox --------------------------------------------


def test_the_invitation_email_is_blanked_once_sent(programme, mailoutbox):
    coordinator = UserFactory(is_staff=True, is_superuser=True)
    rows = invitations.read_pasted("ann@example.org", role="mentee")
    invitations.send(rows, programme=programme, allowed=Programme.objects.all(), by=coordinator)
    row = emails_to("ann@example.org").get()

    assert delivery.deliver(row.pk) is True

    assert LINK.search(mailoutbox[0].body)
    row.refresh_from_db()
    assert (row.body_text, row.body_html, row.context) == ("", "", {})


# 3. Sending: a fixed number of queries, only the rows' programmes locked ---------------------


def _addresses(n):
    return "\n".join(f"person{i}@list.example.org" for i in range(n))


def test_sending_costs_the_same_queries_for_5_or_50_rows(client_for, coordinator, programme):
    client = client_for(coordinator)
    counts = []
    for n in (5, 50):
        Outbox.objects.all().delete()
        ProgrammeInvitation.objects.all().delete()
        preview = check(client, programme, _addresses(n))
        with CaptureQueriesContext(connection) as queries:
            send(client, programme, preview)
        assert Outbox.objects.filter(kind="programme_invitation").count() == n
        assert ProgrammeInvitation.objects.exclude(sent_at=None).count() == n
        counts.append(len(queries))

    assert counts[0] == counts[1]
    # The POST and the page it redirects to, all told (it was 43 for 5 rows, 7 more a row).
    assert counts[1] <= 25


def test_only_the_rows_programmes_are_locked(programme):
    coordinator = UserFactory(is_staff=True, is_superuser=True)
    others = [ProgrammeFactory(slug=f"other-{i}") for i in range(3)]
    rows = invitations.read_pasted("ann@example.org", role="mentee")

    with CaptureQueriesContext(connection) as queries:
        invitations.send(rows, programme=programme, allowed=Programme.objects.all(), by=coordinator)

    [lock] = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert re.search(rf"IN \({programme.pk}\)", lock)
    assert not any(re.search(rf"\b{p.pk}\b", lock.split("WHERE", 1)[1]) for p in others)


# 4. An expired list on "Send" keeps what was typed ---------------------------------------------


def test_an_expired_list_comes_back_to_be_checked_again(client_for, coordinator, programme, clock):
    client = client_for(coordinator)
    typed = "Ann New <ann@example.org>\nbob@example.org"
    preview = check(client, programme, typed, role="mentor")

    clock.shift(timedelta(hours=13))
    client = client_for(coordinator)  # a new session: the first one has expired too
    response = send(client, programme, preview)

    page = response.content.decode()
    assert "The list has expired: check it again." in page
    assert "This field is required." not in page
    form = response.context["form"]
    assert form.initial == {"addresses": typed, "role": "mentor"}
    assert "Ann New &lt;ann@example.org&gt;\nbob@example.org</textarea>" in page
    assert not ProgrammeInvitation.objects.exists()


# 5. Accepting checks the person itself; an accepted link vouches for nobody -------------------


def test_accept_refuses_anyone_but_the_invitee(programme, stranger):
    invitation = ProgrammeInvitation.objects.create(
        programme=programme, email="ann@example.org", role="mentee"
    )

    with pytest.raises(invitations.NotTheInvitee):
        invitations.accept(invitation, user=stranger)

    invitation.refresh_from_db()
    assert invitation.accepted_by is None
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_accepted_invitation_opened_anonymously_verifies_no_address(client, programme):
    person = UserFactory(email="ann@example.org")
    invitation = ProgrammeInvitation.objects.create(
        programme=programme, email="ann@example.org", role="mentee"
    )
    invitations.accept(invitation, user=person)

    response = client.get(invitations.invitation_path(invitation))

    assert response.status_code == 200
    assert "account_verified_email" not in client.session
    assert INVITED_EMAIL_KEY not in client.session
    page = response.content.decode()
    assert "This invitation has already been accepted." in page
    assert "signup_url" not in response.context


# 6. The expired page says the link's real age ------------------------------------------------


def test_the_expired_page_names_the_links_age(client, programme, clock, monkeypatch):
    monkeypatch.setattr(invitations, "TOKEN_MAX_AGE", timedelta(days=14))
    invitation = ProgrammeInvitation.objects.create(
        programme=programme, email="ann@example.org", role="mentee"
    )
    path = invitations.invitation_path(invitation)

    clock.shift(timedelta(days=15))
    response = client.get(path)

    assert response.status_code == 410
    assert "Invitation links work for 14 days." in response.content.decode()
