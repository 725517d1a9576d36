"""Two-factor secrets encrypted at rest.

allauth keeps each TOTP secret and each recovery-code seed in `Authenticator.data`, passing it
through the MFA adapter's `encrypt`/`decrypt` hooks; here they use Fernet with the key in
`MFA_ENCRYPTION_KEY`. Several comma-separated keys rotate it: the first encrypts, any decrypts,
and `manage.py rotate_mfa_key` encrypts everything again with the first.
"""

from __future__ import annotations

import base64

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# The values in Authenticator.data that are secrets, by authenticator type.
SECRET_KEYS = {"totp": ["secret"], "recovery_codes": ["seed"]}


def development_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY, for DEBUG only: production sets its own key, so
    that a leaked SECRET_KEY does not also reveal every two-factor secret."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"mentoring mfa secrets"
    ).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived).decode()


def _fernet() -> MultiFernet:
    # Settings refuse to load without a key when DEBUG is off.
    configured = settings.MFA_ENCRYPTION_KEY or development_key(settings.SECRET_KEY)
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes), e.g. "
            "the output of: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from exc


def encrypt_text(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate_text(token: str) -> str:
    """The same secret, encrypted again with the first key."""
    return _fernet().rotate(token.encode()).decode()


def is_encrypted(value: str) -> bool:
    try:
        decrypt_text(value)
    except InvalidToken:
        return False
    return True


@checks.register(checks.Tags.security)
def check_encryption_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A wrong key is found at start-up, not when someone first signs in with two factors."""
    try:
        _fernet()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="accounts.E001")]
    return []


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)


def encrypt_stored_secrets(authenticator_model) -> int:
    """Encrypts the secrets still stored in plain text (from before encryption); values that
    already decrypt are left alone, so running it twice changes nothing. Returns the number of
    authenticators changed. Takes the model so that a migration can pass its historical one."""
    return _convert_stored_secrets(authenticator_model, encrypted=False, convert=encrypt_text)


def decrypt_stored_secrets(authenticator_model) -> int:
    """The reverse of `encrypt_stored_secrets`, for rolling its migration back."""
    return _convert_stored_secrets(authenticator_model, encrypted=True, convert=decrypt_text)


def rotate_stored_secrets(authenticator_model) -> int:
    """Encrypts every stored secret again with the first of MFA_ENCRYPTION_KEY's keys, after
    which the others can be removed."""
    return _convert_stored_secrets(authenticator_model, encrypted=True, convert=rotate_text)


def _convert_stored_secrets(authenticator_model, *, encrypted: bool, convert) -> int:
    def needs(value) -> bool:
        return isinstance(value, str) and is_encrypted(value) == encrypted

    changed = 0
    for authenticator in authenticator_model.objects.filter(type__in=SECRET_KEYS).iterator():
        data = authenticator.data
        names = [name for name in SECRET_KEYS[authenticator.type] if needs(data.get(name))]
        for name in names:
            data[name] = convert(data[name])
        # Codes carried over from another two-factor library: allauth decrypts them one by one.
        codes = data.get("migrated_codes")
        if isinstance(codes, list) and any(needs(code) for code in codes):
            data["migrated_codes"] = [convert(c) if needs(c) else c for c in codes]
            names.append("migrated_codes")
        if names:
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed
