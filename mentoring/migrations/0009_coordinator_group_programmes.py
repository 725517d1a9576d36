"""The "Scheme coordinator" group gets the programmes' permissions: view and change their own
programmes (the admin scopes them), run their rounds, see memberships and approve mentors.

A frozen copy of what mentoring.roles.COORDINATOR_PERMISSIONS added (a test keeps 0007 and this
together equal to it). An organisation that removed the group keeps it removed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Scheme coordinator"
ADDED = {
    "profiles": [
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
    ],
}


def _permissions(apps):
    # Permissions are otherwise created after all migrations (post_migrate).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codenames in ADDED.items():
        rows = list(
            Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in rows}
        if missing:
            raise RuntimeError(f"Permissions not found for {app_label}: {sorted(missing)}")
        found += rows
    return found


def add_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


def remove_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0008_outbox_sending_claim"),
        ("mentoring", "0007_scheme_coordinator_group"),
        ("profiles", "0011_membership_approve_permission"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
