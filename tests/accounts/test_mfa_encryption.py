"""Two-factor secrets are encrypted at rest (accounts.mfa), and signing in with them still works."""

from __future__ import annotations

import importlib
import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.mfa import check_encryption_key, decrypt_text, encrypt_text
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0004_encrypt_mfa_secrets")


def _stored_data(authenticator: Authenticator) -> str:
    """The row's data as the database holds it, not as any model code reads it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return cursor.fetchone()[0]


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _sign_in(client, user, code: str):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": code})


def _signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def person():
    return UserFactory(email="tariq@example.org")


def test_totp_secret_is_not_stored_in_plain_text(person):
    secret = generate_totp_secret()

    authenticator = TOTP.activate(person, secret).instance

    stored = _stored_data(authenticator)
    assert secret not in stored
    assert decrypt_text(Authenticator.objects.get(pk=authenticator.pk).data["secret"]) == secret


def test_recovery_codes_seed_is_not_stored_in_plain_text(person):
    authenticator = RecoveryCodes.activate(person).instance

    seed = decrypt_text(authenticator.data["seed"])
    assert len(seed) == 80
    assert seed not in _stored_data(authenticator)


def test_a_code_from_the_authenticator_app_signs_in(client, person):
    secret = generate_totp_secret()
    TOTP.activate(person, secret)

    response = _sign_in(client, person, _current_code(secret))

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(person.pk)


def test_a_wrong_code_does_not_sign_in(client, person):
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    wrong = f"{(int(_current_code(secret)) + 1) % 10**6:06}"

    response = _sign_in(client, person, wrong)

    assert response.status_code == 200
    assert _signed_in_user_id(client) is None


def test_a_recovery_code_signs_in_once(client, person):
    TOTP.activate(person, generate_totp_secret())
    codes = RecoveryCodes.activate(person)
    code = codes.get_unused_codes()[0]

    response = _sign_in(client, person, code)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(person.pk)
    assert (
        code
        not in RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).get_unused_codes()
    )


def test_migration_encrypts_secrets_stored_in_plain_text(client, person):
    secret = generate_totp_secret()
    seed = RecoveryCodes.generate_seed()
    totp = Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    recovery = Authenticator.objects.create(
        user=person, type=Authenticator.Type.RECOVERY_CODES, data={"seed": seed, "used_mask": 0}
    )

    migration.encrypt_secrets(apps, None)

    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert secret not in _stored_data(totp)
    assert seed not in _stored_data(recovery)
    assert decrypt_text(totp.data["secret"]) == secret
    assert decrypt_text(recovery.data["seed"]) == seed
    assert recovery.data["used_mask"] == 0
    assert _sign_in(client, person, _current_code(secret)).status_code == 302
    assert _signed_in_user_id(client) == str(person.pk)


def test_migration_leaves_encrypted_secrets_alone(person):
    authenticator = TOTP.activate(person, generate_totp_secret()).instance
    before = Authenticator.objects.get(pk=authenticator.pk).data

    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)

    assert Authenticator.objects.get(pk=authenticator.pk).data == before


def test_migration_rolled_back_decrypts_the_secrets(person):
    secret = generate_totp_secret()
    authenticator = TOTP.activate(person, secret).instance

    migration.decrypt_secrets(apps, None)

    assert Authenticator.objects.get(pk=authenticator.pk).data == {"secret": secret}


def test_an_old_key_listed_after_the_new_one_still_decrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEY = old
    token = encrypt_text("JBSWY3DPEHPK3PXP")

    settings.MFA_ENCRYPTION_KEY = f"{new},{old}"

    assert decrypt_text(token) == "JBSWY3DPEHPK3PXP"
    assert Fernet(new.encode()).decrypt(encrypt_text("x").encode()) == b"x"


def test_development_key_comes_from_the_secret_key(settings):
    settings.MFA_ENCRYPTION_KEY = ""
    token = encrypt_text("JBSWY3DPEHPK3PXP")

    settings.SECRET_KEY = "another-secret-key-entirely-0123456789-abcdefghijklmnopqrstuvwxyz"

    with pytest.raises(InvalidToken):
        decrypt_text(token)


def test_a_key_that_is_not_a_fernet_key_is_a_clear_error(settings):
    settings.MFA_ENCRYPTION_KEY = "not-a-key"

    with pytest.raises(ImproperlyConfigured, match="must be a Fernet key"):
        encrypt_text("JBSWY3DPEHPK3PXP")


def test_system_checks_report_a_key_that_is_not_a_fernet_key(settings):
    settings.MFA_ENCRYPTION_KEY = "not-a-key"

    [error] = check_encryption_key()

    assert error.id == "accounts.E001"
    assert "must be a Fernet key" in error.msg


def test_system_checks_accept_a_fernet_key(settings):
    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()

    assert check_encryption_key() == []


def test_rotating_the_key_lets_the_old_one_go(settings, person):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEY = old
    secret = generate_totp_secret()
    authenticator = TOTP.activate(person, secret).instance
    codes = RecoveryCodes.activate(person).generate_codes()
    settings.MFA_ENCRYPTION_KEY = f"{new},{old}"
    out = io.StringIO()

    call_command("rotate_mfa_key", stdout=out)

    settings.MFA_ENCRYPTION_KEY = new
    authenticator.refresh_from_db()
    assert decrypt_text(authenticator.data["secret"]) == secret
    recovery = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(recovery).generate_codes() == codes
    assert "secrets of 2 authenticators" in out.getvalue()
