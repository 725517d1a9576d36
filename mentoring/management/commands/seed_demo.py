from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User

DEFAULT_PASSWORD = "mentoring-demo"

DEMO_ACCOUNTS = [
    {"email": "mentee@demo.test", "full_name": "Maya Patel", "is_staff": False},
    {"email": "mentor@demo.test", "full_name": "Daniel Okafor", "is_staff": False},
    {"email": "admin@demo.test", "full_name": "Sam Administrator", "is_staff": True},
]


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent). Refuses to run with DEBUG=0 unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="password of the demo accounts"
        )
        parser.add_argument("--force", action="store_true", help="run even when DEBUG=0")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has users (used by `make run`)",
        )

    def handle(self, *args, password: str, force: bool, if_empty: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password: use --force with DEBUG=0."
            )
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users: demo data not loaded.")
            self._print_logins(password=None)
            return
        with transaction.atomic():
            for account in DEMO_ACCOUNTS:
                self._ensure_account(**account, password=password)
        self._print_logins(password=password)

    def _ensure_account(self, *, email: str, full_name: str, is_staff: bool, password: str) -> User:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "is_staff": is_staff,
                "is_superuser": is_staff,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _print_logins(self, *, password: str | None) -> None:
        shown = password or "(unchanged; run `python manage.py seed_demo` to reset it)"
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        for account in DEMO_ACCOUNTS:
            role = "administrator" if account["is_staff"] else account["email"].split("@")[0]
            self.stdout.write(f"  {account['email']:<20} password: {shown}   ({role})")
