"""The "Scheme coordinator" group may view the scheme settings but no longer change them: they
are the defaults a new programme starts from (only superusers create programmes) and hold
scheme-wide schedule values; each programme's coordinators change its own rules.

A frozen copy of what mentoring.roles.COORDINATOR_PERMISSIONS no longer grants (a test keeps
0007, 0009 and this together equal to it). An organisation that removed the group keeps it
removed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Scheme coordinator"
REMOVED = {"mentoring": ["change_schemesettings"]}


def _permissions(apps):
    # Permissions are otherwise created after all migrations (post_migrate).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codenames in REMOVED.items():
        found += Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    return found


def remove_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


def add_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0009_coordinator_group_programmes")]

    operations = [migrations.RunPython(remove_permissions, add_permissions)]
