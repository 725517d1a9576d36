"""Scheme coordinators read the requests mentors report as inappropriate."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Scheme coordinator"


def grant(apps, schema_editor):
    app_config = apps.get_app_config("matching")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="matching", codename="view_requestreport"
    )
    for group in Group.objects.filter(name=GROUP):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="matching", codename="view_requestreport"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_scheme_coordinator_group"),
        ("matching", "0006_request_report"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
