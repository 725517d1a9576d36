"""The "Scheme coordinator" group: what the scheme team needs in the admin, and no more.

README.md ("What the scheme team's role may do") explains each line. Nothing on accounts beyond
viewing them, nothing on groups, permissions, two-factor devices, email addresses or private
meeting notes; requests and mentorships are read-only but for central matching. A frozen copy of
mentoring.roles.COORDINATOR_PERMISSIONS (a test keeps the two the same).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Scheme coordinator"
PERMISSIONS = {
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
    ],
    "matching": [
        "view_mentorshiprequest",
        "view_mentorship",
        "add_mentorship",
        "view_statuschange",
        "view_requestreport",
    ],
    "sessions_log": ["view_objective", "view_meeting", "view_checkin"],
    "mentoring": ["view_outbox", "view_schemesettings", "change_schemesettings"],
}


def create_group(apps, schema_editor):
    # Permissions are otherwise created after all migrations (post_migrate): on a fresh
    # database they do not exist yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = []
    for app_label, codenames in PERMISSIONS.items():
        found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Permissions not found for {app_label}: {sorted(missing)}")
        wanted += found
    group.permissions.set(wanted)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_outbox_cancelled_status"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0004_encrypt_mfa_secrets"),
        ("profiles", "0008_approve_permission"),
        ("matching", "0008_request_report_verbose_name"),
        ("sessions_log", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
