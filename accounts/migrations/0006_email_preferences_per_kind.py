"""Reminders and nudges, one switch per kind: meeting reminders, nudges and request reminders get
their own switch, starting as the person's one switch was; `reminder_emails` keeps the rest (their
profile and training)."""

from django.db import migrations, models
from django.db.models import F


def copy_the_one_switch(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.update(
        meeting_reminder_emails=F("reminder_emails"),
        nudge_emails=F("reminder_emails"),
        request_reminder_emails=F("reminder_emails"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_message_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="meeting_reminder_emails",
            field=models.BooleanField(
                default=True,
                help_text="The day before a meeting you have planned.",
                verbose_name="reminders of upcoming meetings",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="nudge_emails",
            field=models.BooleanField(
                default=True,
                help_text="A friendly prompt to plan your next meeting.",
                verbose_name="nudges when a pair has not met for a while",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="request_reminder_emails",
            field=models.BooleanField(
                default=True,
                help_text="When a mentee's request to you is still open a few days later.",
                verbose_name="reminders of requests waiting for your answer",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="reminder_emails",
            field=models.BooleanField(
                default=True,
                help_text="The yearly request to check your mentor profile, training that is "
                "about to expire, recruitment windows and tips when nobody has asked you yet.",
                verbose_name="reminders about your profile and training",
            ),
        ),
        migrations.RunPython(copy_the_one_switch, migrations.RunPython.noop, elidable=True),
    ]
