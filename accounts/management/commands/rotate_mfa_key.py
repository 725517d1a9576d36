from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from accounts.mfa import rotate_stored_secrets


class Command(BaseCommand):
    help = (
        "Encrypt every stored two-factor secret again with the first key of MFA_ENCRYPTION_KEY "
        "(set it to 'new,old' first); afterwards the old key can be removed."
    )

    def handle(self, *args, **options):
        changed = rotate_stored_secrets(Authenticator)
        self.stdout.write(
            ngettext(
                "Encrypted the secret of %(n)d authenticator with the first key.",
                "Encrypted the secrets of %(n)d authenticators with the first key.",
                changed,
            )
            % {"n": changed}
        )
