from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # With no Redis, the shared cache (rate limits, scheme settings) lives in the database;
    # creating its table here means `migrate` is the only step a deployment needs.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0002_scheme_settings")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
