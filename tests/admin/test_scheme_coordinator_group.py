"""The "Scheme coordinator" group that migrations create, with exactly the role's permissions
(README: "What the scheme team's role may do")."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("accounts", "view_user"),
    ("profiles", "view_mentorprofile"),
    ("profiles", "change_mentorprofile"),
    ("profiles", "approve_mentorprofile"),
    ("profiles", "view_jobhistoryentry"),
    ("profiles", "change_jobhistoryentry"),
    ("profiles", "view_menteeprofile"),
    ("profiles", "change_menteeprofile"),
    ("profiles", "view_expertisearea"),
    ("profiles", "add_expertisearea"),
    ("profiles", "change_expertisearea"),
    ("profiles", "view_programme"),
    ("profiles", "change_programme"),
    ("profiles", "view_round"),
    ("profiles", "add_round"),
    ("profiles", "change_round"),
    ("profiles", "view_recruitmentwindow"),
    ("profiles", "add_recruitmentwindow"),
    ("profiles", "change_recruitmentwindow"),
    ("profiles", "view_membership"),
    ("profiles", "approve_membership"),
    ("profiles", "view_training"),
    ("profiles", "add_training"),
    ("profiles", "change_training"),
    ("profiles", "view_trainingrecord"),
    ("profiles", "add_trainingrecord"),
    ("profiles", "change_trainingrecord"),
    ("profiles", "view_handbookpage"),
    ("profiles", "add_handbookpage"),
    ("profiles", "change_handbookpage"),
    ("profiles", "view_programmeinvitation"),
    ("profiles", "add_programmeinvitation"),
    ("matching", "view_mentorshiprequest"),
    ("matching", "view_mentorship"),
    ("matching", "add_mentorship"),
    ("matching", "view_statuschange"),
    ("matching", "view_requestreport"),
    ("matching", "view_messagereport"),
    ("sessions_log", "view_objective"),
    ("sessions_log", "view_meeting"),
    ("sessions_log", "view_checkin"),
    ("mentoring", "view_outbox"),
    ("mentoring", "view_emailwording"),
    ("mentoring", "add_emailwording"),
    ("mentoring", "change_emailwording"),
    ("mentoring", "view_schemesettings"),
}


def test_the_group_has_exactly_the_roles_permissions():
    group = Group.objects.get(name="Scheme coordinator")

    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert granted == EXPECTED


def test_the_group_has_nothing_on_accounts_access_or_private_notes():
    group = Group.objects.get(name="Scheme coordinator")

    codenames = set(group.permissions.values_list("codename", flat=True))

    for forbidden in [
        "change_user",
        "add_user",
        "delete_user",
        "view_group",
        "change_group",
        "view_permission",
        "view_authenticator",
        "view_emailaddress",
        "view_meetingprivatenote",
        "view_calendarfeed",
        "change_outbox",
        "change_schemesettings",
    ]:
        assert forbidden not in codenames
    assert not any(codename.startswith("delete_") for codename in codenames)


def test_the_code_and_the_migration_grant_the_same_permissions():
    from mentoring.roles import COORDINATOR_PERMISSIONS

    def pairs(permissions):
        return {(app, name) for app, names in permissions.items() for name in names}

    created = import_module("mentoring.migrations.0007_scheme_coordinator_group").PERMISSIONS
    added = import_module("mentoring.migrations.0009_coordinator_group_programmes").ADDED
    removed = import_module(
        "mentoring.migrations.0010_coordinator_group_views_scheme_settings"
    ).REMOVED
    reports = import_module("mentoring.migrations.0011_coordinator_group_message_reports").ADDED
    guidance = import_module("mentoring.migrations.0012_coordinator_group_training_handbook").ADDED
    wording = import_module("mentoring.migrations.0013_email_wording").ADDED
    assert pairs(COORDINATOR_PERMISSIONS) == EXPECTED
    invitations = import_module("profiles.migrations.0018_invitation_permissions").ADDED
    granted = pairs(created) | pairs(added) | pairs(reports) | pairs(guidance) | pairs(wording)
    granted |= pairs(invitations)
    assert granted - pairs(removed) == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_group_back():
    # A flush (and the test runner between transactional tests) empties the group table; like
    # Django's permissions, the group is made again on post_migrate.
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    group = Group.objects.get(name="Scheme coordinator")
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == EXPECTED


def test_an_adapted_group_keeps_its_permissions_on_migrate():
    from django.core.management import call_command

    group = Group.objects.get(name="Scheme coordinator")
    group.permissions.remove(*group.permissions.filter(codename="add_expertisearea"))

    call_command("migrate", verbosity=0)

    assert not group.permissions.filter(codename="add_expertisearea").exists()


def test_an_existing_group_stops_changing_the_scheme_settings():
    # A database migrated before mentoring 0010 gave the group "change scheme settings".
    from django.core.management import call_command

    call_command("migrate", "mentoring", "0009", verbosity=0)
    group = Group.objects.get(name="Scheme coordinator")
    assert group.permissions.filter(codename="change_schemesettings").exists()

    call_command("migrate", "mentoring", verbosity=0)

    assert not group.permissions.filter(codename="change_schemesettings").exists()
    assert group.permissions.filter(codename="view_schemesettings").exists()


def test_a_coordinator_reads_the_scheme_settings_and_cannot_change_them(client_for, admin_user):
    from django.urls import reverse

    from mentoring.models import SchemeSettings
    from tests.factories import UserFactory

    coordinator = UserFactory(email="cora@example.org", is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    settings_row = SchemeSettings.load()
    url = reverse("admin:mentoring_schemesettings_change", args=[settings_row.pk])
    client = client_for(coordinator)

    page = client.get(url)
    refused = client.post(url, {"max_pending_requests": 9})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Defaults for new programmes; each programme has its own rules" in html
    assert 'name="_save"' not in html
    assert refused.status_code == 403
    settings_row.refresh_from_db()
    assert settings_row.max_pending_requests != 9
    assert 'name="_save"' in client_for(admin_user).get(url).content.decode()
