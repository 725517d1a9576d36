import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0010_existing_data_into_one_programme"),
        ("profiles", "0010_programmes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mentorship",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="mentorships",
                to="profiles.programme",
            ),
        ),
        migrations.AlterField(
            model_name="mentorshiprequest",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="requests",
                to="profiles.programme",
            ),
        ),
    ]
