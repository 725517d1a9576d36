"""Staff roles: the "Scheme coordinator" group and what it may do in the admin.

The role spans every app, so it lives in the top layer. A data migration (mentoring 0007) creates
the group on a new database, mentoring 0009 gives it the programmes' permissions and 0010 takes
away changing the scheme settings. A flush (`flush`,
or the test runner between transactional tests) empties the group table but, like Django's own
permissions, the group comes back on `post_migrate`; it is only created when missing, so an
organisation that adapts the group's permissions keeps its changes.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

COORDINATOR_GROUP = "Scheme coordinator"

# README "What the scheme team's role may do" explains each line.
COORDINATOR_PERMISSIONS = {
    "accounts": ["view_user"],
    "profiles": [
        "view_mentorprofile",
        "change_mentorprofile",
        "approve_mentorprofile",
        "view_jobhistoryentry",
        "change_jobhistoryentry",
        "view_menteeprofile",
        "change_menteeprofile",
        "view_expertisearea",
        "add_expertisearea",
        "change_expertisearea",
        # Their own programmes only (mentoring.admin_utils.ProgrammeScopedMixin): its rules,
        # not its name, address, status or coordinators (profiles.admin.SUPERUSER_ONLY_FIELDS);
        # they run its rounds and approve its mentors.
        "view_programme",
        "change_programme",
        "view_round",
        "add_round",
        "change_round",
        "view_recruitmentwindow",
        "add_recruitmentwindow",
        "change_recruitmentwindow",
        "view_membership",
        "approve_membership",
        # Their programmes' training, who completed it (recorded one by one or in bulk from
        # the memberships), and their handbook pages; deleting stays with superusers.
        "view_training",
        "add_training",
        "change_training",
        "view_trainingrecord",
        "add_trainingrecord",
        "change_trainingrecord",
        "view_handbookpage",
        "add_handbookpage",
        "change_handbookpage",
        # Invite people to their programmes (profiles.invitations) and see whom they invited.
        "view_programmeinvitation",
        "add_programmeinvitation",
    ],
    "matching": [
        "view_mentorshiprequest",
        "view_mentorship",
        "add_mentorship",  # central matching; requests and mentorships are read-only otherwise
        "view_statuschange",
        "view_requestreport",
        "view_messagereport",  # reported messages only: conversations have no admin
    ],
    "sessions_log": ["view_objective", "view_meeting", "view_checkin"],
    # Scheme settings are the defaults of a new programme (superusers create programmes):
    # coordinators read them and change their own programmes' rules.
    # Email wording: their programmes' own (the all-programmes default, read only).
    "mentoring": [
        "view_outbox",
        "view_schemesettings",
        "view_emailwording",
        "add_emailwording",
        "change_emailwording",
    ],
}


def ensure_coordinator_group(**kwargs) -> None:
    """`post_migrate` receiver: create the group with its permissions when it is missing."""
    if Group.objects.filter(name=COORDINATOR_GROUP).exists():
        return
    wanted = Q()
    for app_label, codenames in COORDINATOR_PERMISSIONS.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) < sum(map(len, COORDINATOR_PERMISSIONS.values())):
        return  # not every app is migrated yet (a partial migrate): the next migrate makes it
    Group.objects.create(name=COORDINATOR_GROUP).permissions.set(permissions)
