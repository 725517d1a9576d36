"""The words of emails the scheme team may change (EmailWording), and the "Scheme coordinator"
group may view, add and change them (their own programmes' wording; the all-programmes default
read-only: mentoring.admin.EmailWordingAdmin). Not delete: an empty field restores the email's
own words.

The permissions are a frozen copy of what mentoring.roles.COORDINATOR_PERMISSIONS added (a test
keeps 0007, 0009 to 0012 and this together equal to it). An organisation that removed the group
keeps it removed.
"""

from django.contrib.auth.management import create_permissions

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


GROUP = "Scheme coordinator"
ADDED = {"mentoring": ["view_emailwording", "add_emailwording", "change_emailwording"]}


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
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailWording",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=80, verbose_name="email")),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        choices=[("", "Any language"), ("en-gb", "English"), ("cy", "Cymraeg")],
                        default="",
                        help_text="Empty: every recipient, unless their language has its own words.",
                        max_length=10,
                        verbose_name="language",
                    ),
                ),
                (
                    "intro",
                    models.TextField(
                        blank=True,
                        default="",
                        help_text="Plain text, after the greeting. A blank line starts a new paragraph. Empty: the email's own words.",
                        max_length=2000,
                        verbose_name="opening paragraphs",
                    ),
                ),
                (
                    "sign_off",
                    models.TextField(
                        blank=True,
                        default="",
                        help_text="Plain text, at the end of the email (e.g. “Best wishes, the careers team”). Empty: the email's own sign-off.",
                        max_length=300,
                        verbose_name="sign-off",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: every programme's email, unless a programme has its own words.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_wordings",
                        to="profiles.programme",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "email wording",
                "verbose_name_plural": "email wording",
                "ordering": ["kind", "programme", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "programme", "language"),
                        name="one_email_wording_per_kind_programme_language",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(add_permissions, remove_permissions),
    ]
