"""Rebuild every mentor's search document: it now holds their country's English name, city,
industry and languages (profiles.search), so "Spain" finds the mentors the Country filter
finds. The same set-based UPDATE the app runs; going back leaves the documents as they are."""

from django.db import migrations


def rebuild(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    if not MentorProfile.objects.exists():  # a new database: nothing to rebuild
        return
    from profiles.search import update_search_documents

    update_search_documents()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0015_mentor_photo"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True),
    ]
