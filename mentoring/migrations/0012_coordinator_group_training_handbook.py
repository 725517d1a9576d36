"""The "Scheme coordinator" group may view, add and change its programmes' training, who
completed it, and handbook pages (not delete them).

A frozen copy of what mentoring.roles.COORDINATOR_PERMISSIONS added (a test keeps 0007, 0009,
0010, 0011 and this together equal to it). An organisation that removed the group keeps it
removed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Scheme coordinator"
ADDED = {
    "profiles": [
        "view_training",
        "add_training",
        "change_training",
        "view_trainingrecord",
        "add_trainingrecord",
        "change_trainingrecord",
        "view_handbookpage",
        "add_handbookpage",
        "change_handbookpage",
    ]
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
        ("mentoring", "0011_coordinator_group_message_reports"),
        ("profiles", "0013_engagements_training_handbook_availability"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
