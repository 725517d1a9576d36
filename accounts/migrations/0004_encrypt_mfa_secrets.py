"""Encrypts the two-factor secrets stored in plain text before accounts.mfa existed."""

from django.db import migrations

from accounts.mfa import decrypt_stored_secrets, encrypt_stored_secrets


def encrypt_secrets(apps, schema_editor):
    encrypt_stored_secrets(apps.get_model("mfa", "Authenticator"))


def decrypt_secrets(apps, schema_editor):
    decrypt_stored_secrets(apps.get_model("mfa", "Authenticator"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_time_zone"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
