"""The "Scheme coordinator" group may invite people to its programmes (the admin's "Invite
people" page, profiles.invitations) and see whom it invited.

A frozen copy of what mentoring.roles.COORDINATOR_PERMISSIONS added (a test keeps the group's
migrations and the code equal). An organisation that removed the group keeps it removed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Scheme coordinator"
ADDED = {"profiles": ["view_programmeinvitation", "add_programmeinvitation"]}


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
        ("mentoring", "0012_coordinator_group_training_handbook"),
        ("profiles", "0017_programme_words_edits_invitations"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
