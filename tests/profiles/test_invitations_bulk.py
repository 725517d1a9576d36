"""Bulk invitations in the admin: a CSV or pasted addresses, a preview of every row, then
"Send N invitations", which does exactly what the preview said; the same list again sends
nothing (issue 19)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Outbox
from profiles.models import Membership, ProgrammeInvitation
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Alumni careers", slug="careers")


@pytest.fixture
def coordinator(programme):
    user = UserFactory(is_staff=True, full_name="Cora Lewis")
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


def invite_url(programme):
    return reverse("admin:profiles_programme_invite", args=[programme.pk])


def upload(client, programme, text):
    file = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return client.post(invite_url(programme), {"file": file, "role": "mentee"})


def send(client, programme, response):
    return client.post(
        invite_url(programme), {"upload": response.context["upload"], "send": "1"}, follow=True
    )


def outcomes(response):
    return [(row.line, row.outcome) for row in response.context["preview"].rows]


def hand_built_csv(programme):
    """Lines 2-8: two new, a member, an invited, a duplicate, a bad role, a bad address on
    line 7 (line 1 is the header), and an unknown programme."""
    member = UserFactory(email="member@example.org")
    Membership.objects.create(
        user=member,
        programme=programme,
        role="mentee",
        status="approved",
        approved_at=timezone.now(),
    )
    ProgrammeInvitation.objects.create(
        programme=programme, email="invited@example.org", role="mentor"
    )
    return (
        "name,email,role,programme\n"
        "Ann New,ann@example.org,mentee,careers\n"
        "Bob New,BOB@example.org,Mentor,Alumni careers\n"
        "Meg Member,Member@example.org,mentee,\n"
        "Ivy Invited,invited@example.org,mentee,careers\n"
        "Ann Again,ann@example.org,mentee,careers\n"
        "Bad Address,not-an-address,mentee,careers\n"
        "Rob Role,rob@example.org,coordinator,careers\n"
        "Una Unknown,una@example.org,mentee,no-such-programme\n"
    )


def test_the_preview_counts_each_row_with_its_line_and_sends_nothing(
    client_for, coordinator, programme
):
    client = client_for(coordinator)

    response = upload(client, programme, hand_built_csv(programme))

    assert response.status_code == 200
    assert outcomes(response) == [
        (2, "new"),
        (3, "new"),
        (4, "member"),
        (5, "invited"),
        (6, "duplicate"),
        (7, "bad_address"),
        (8, "bad_role"),
        (9, "unknown_programme"),
    ]
    summary = response.context["preview"].summary
    assert summary == (
        "2 new, 1 already a member, 1 already invited, 1 duplicate in the list — line 6, "
        "1 bad address — line 7, 1 unknown programme — line 9, 1 role not mentor or mentee — line 8"
    )
    assert "Send 2 invitations" in response.content.decode()
    assert ProgrammeInvitation.objects.count() == 1  # only the one there was
    assert not Outbox.objects.filter(kind="programme_invitation").exists()


def test_sending_does_what_the_preview_said_and_again_changes_nothing(
    client_for, coordinator, programme
):
    client = client_for(coordinator)
    text = hand_built_csv(programme)
    preview = upload(client, programme, text)
    said = {r.email.lower() for r in preview.context["preview"].new_rows}

    done = send(client, programme, preview)

    assert "Sent 2 invitations" in done.content.decode()
    made = ProgrammeInvitation.objects.exclude(email="invited@example.org")
    assert {i.email.lower() for i in made} == said
    assert {(i.email.lower(), i.role, i.invited_by) for i in made} == {
        ("ann@example.org", "mentee", coordinator),
        ("bob@example.org", "mentor", coordinator),
    }
    assert all(i.sent_at for i in made)
    sent = Outbox.objects.filter(kind="programme_invitation")
    assert sorted(sent.values_list("to_email", flat=True)) == ["BOB@example.org", "ann@example.org"]

    again = upload(client, programme, text)

    assert again.context["preview"].counts["new"] == 0
    assert {o for _, o in outcomes(again)} >= {"invited", "member"}
    assert "Send" not in again.content.decode().split("Check another list")[0].split("</table>")[1]
    # A stale confirmation of the first preview (a double click) sends nothing either.
    send(client, programme, preview)
    assert Outbox.objects.filter(kind="programme_invitation").count() == 2
    assert ProgrammeInvitation.objects.count() == 3


def test_the_confirmation_reads_the_signed_list_not_the_client(client_for, coordinator, programme):
    client = client_for(coordinator)

    response = client.post(
        invite_url(programme), {"upload": "ann@example.org:forged", "send": "1"}, follow=True
    )

    assert "The list has expired: upload it again." in response.content.decode()
    assert not ProgrammeInvitation.objects.exists()


def test_pasted_addresses_with_names_commas_and_lines(client_for, coordinator, programme):
    client = client_for(coordinator)

    response = client.post(
        invite_url(programme),
        {
            "addresses": "Ann New <ann@example.org>, bob@example.org\n\njunk\nann@example.org",
            "role": "mentor",
        },
    )

    rows = response.context["preview"].rows
    assert [(r.line, r.name, r.email, r.outcome) for r in rows] == [
        (1, "Ann New", "ann@example.org", "new"),
        (1, "", "bob@example.org", "new"),
        (3, "", "junk", "bad_address"),
        (4, "", "ann@example.org", "duplicate"),
    ]
    send(client, programme, response)
    assert set(ProgrammeInvitation.objects.values_list("email", "name", "role")) == {
        ("ann@example.org", "Ann New", "mentor"),
        ("bob@example.org", "", "mentor"),
    }


def test_bad_input_is_explained_next_to_the_form(client_for, coordinator, programme):
    client = client_for(coordinator)

    nothing = client.post(invite_url(programme), {"role": "mentee"})
    no_header = upload(client, programme, "ann@example.org\n")

    assert "Upload a CSV file or paste some addresses." in nothing.content.decode()
    assert "The first line must name the columns" in no_header.content.decode()


def test_a_coordinator_invites_only_to_their_programmes(client_for, coordinator, programme):
    other = ProgrammeFactory(name="Staff network", slug="staff")
    client = client_for(coordinator)

    page = client.get(invite_url(other))
    response = upload(
        client, programme, "name,email,role,programme\nAnn,ann@example.org,mentee,staff\n"
    )

    assert page.status_code == 404
    assert outcomes(response) == [(2, "unknown_programme")]


def test_who_may_open_the_page(client_for, coordinator, programme, admin_user):
    other_coordinator = UserFactory(is_staff=True)
    other_coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    ProgrammeFactory(name="Staff network", slug="staff").coordinators.add(other_coordinator)
    staff_without_group = UserFactory(is_staff=True)
    programme.coordinators.add(staff_without_group)

    anonymous = client_for(None).get(invite_url(programme))

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("admin:login"))
    assert client_for(admin_user).get(invite_url(programme)).status_code == 200
    assert client_for(coordinator).get(invite_url(programme)).status_code == 200
    assert client_for(other_coordinator).get(invite_url(programme)).status_code == 404
    assert client_for(staff_without_group).get(invite_url(programme)).status_code == 403


def test_the_programme_and_its_members_list_link_to_the_page(client_for, coordinator, programme):
    client = client_for(coordinator)

    change = client.get(reverse("admin:profiles_programme_change", args=[programme.pk]))
    members = client.get(
        reverse("admin:profiles_membership_changelist") + f"?programme={programme.pk}"
    )

    assert invite_url(programme) in change.content.decode()
    assert invite_url(programme) in members.content.decode()


def _csv(n):
    return "name,email,role,programme\n" + "".join(
        f"Person {i},person{i}@list.example.org,mentee,careers\n" for i in range(n)
    )


def test_the_preview_reads_the_same_number_of_queries_for_5_or_50_rows(
    client_for, coordinator, programme
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    counts = []
    for n in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = upload(client, programme, _csv(n))
        assert response.context["preview"].counts["new"] == n
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_each_invitation_is_emailed_once(client_for, coordinator, programme):
    from profiles import invitations

    client = client_for(coordinator)
    send(client, programme, upload(client, programme, _csv(3)))
    invitation = ProgrammeInvitation.objects.first()

    assert invitations.send_invitation(invitation) is False
    assert Outbox.objects.filter(kind="programme_invitation").count() == 3
    email = Outbox.objects.get(kind="programme_invitation", to_email=invitation.email)
    assert email.subject.endswith("You are invited to join Alumni careers")
    assert re.search(r"/programmes/careers/invitation/[^/]+/", email.body_text)


def test_the_invitations_list_shows_a_coordinator_their_programmes_only(
    client_for, coordinator, programme, admin_user
):
    other = ProgrammeFactory(name="Staff network", slug="staff")
    ProgrammeInvitation.objects.create(programme=programme, email="ours@example.org", role="mentee")
    theirs = ProgrammeInvitation.objects.create(
        programme=other, email="theirs@example.org", role="mentee"
    )
    url = reverse("admin:profiles_programmeinvitation_changelist")

    mine = client_for(coordinator).get(url).content.decode()
    everyone = client_for(admin_user).get(url).content.decode()
    other_page = client_for(coordinator).get(
        reverse("admin:profiles_programmeinvitation_change", args=[theirs.pk])
    )

    assert "ours@example.org" in mine and "theirs@example.org" not in mine
    assert "ours@example.org" in everyone and "theirs@example.org" in everyone
    assert other_page.status_code == 404


def test_an_invitation_to_someone_with_an_account_is_in_their_saved_language(
    client_for, coordinator, programme
):
    """An address with no account gets the site's language; one whose owner reads the site in
    Welsh gets the invitation in Welsh (whatever the coordinator reads)."""
    UserFactory(email="Sian@example.org", language="cy")
    client = client_for(coordinator)
    text = "name,email,role\nSiân Jones,sian@example.org,mentee\nAnn New,ann@example.org,mentee\n"

    send(client, programme, upload(client, programme, text))

    subjects = dict(
        Outbox.objects.filter(kind="programme_invitation").values_list("to_email", "subject")
    )
    assert subjects == {
        "sian@example.org": "Fe’ch gwahoddir i ymuno â Alumni careers",
        "ann@example.org": "You are invited to join Alumni careers",
    }
