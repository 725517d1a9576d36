"""Mentors who chose "A single conversation (advice point)" as how often they meet offered
one-off advice before advice conversations existed; nothing read that choice. They now offer
two advice conversations a month (issue 14), which they can change on their profile. Their
programmes' "engagements it allows" are left as they are: each installation decides."""

from django.db import migrations

ADVICE_PER_MONTH = 2


def forwards(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    MentorProfile.objects.filter(frequency="one_off", advice_per_month=0).update(
        advice_per_month=ADVICE_PER_MONTH
    )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0013_engagements_training_handbook_availability")]

    # The reverse does nothing: a mentor may have chosen two a month since, and setting them
    # back to none would withdraw an offer they made.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
