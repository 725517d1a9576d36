from __future__ import annotations

import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from mentoring.demo import showcase
from mentoring.demo.bulk import BulkBuilder
from mentoring.roles import COORDINATOR_GROUP

DEFAULT_PASSWORD = "mentoring-demo"

DEMO_ACCOUNTS = [
    {"email": "mentee@demo.test", "full_name": "Maya Patel", "role": "mentee"},
    {"email": "mentor@demo.test", "full_name": "Daniel Okafor", "role": "mentor"},
    {"email": "coordinator@demo.test", "full_name": "Chris Coordinator", "role": "coordinator"},
    {"email": "admin@demo.test", "full_name": "Sam Administrator", "role": "administrator"},
]


class Command(BaseCommand):
    help = (
        "Create the demo accounts and realistic mentors and mentees (idempotent). "
        "Refuses to run with DEBUG=0 unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mentors", type=int, default=60, help="demo mentors to create")
        parser.add_argument("--mentees", type=int, default=40, help="demo mentees to create")
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed (same seed, same people)"
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="password of every demo account"
        )
        parser.add_argument("--force", action="store_true", help="run even when DEBUG=0")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has users (used by `make run`)",
        )

    def handle(self, *args, mentors, mentees, seed, password, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password: use --force with DEBUG=0."
            )
        if mentors < 0 or mentees < 0:
            raise CommandError("--mentors and --mentees must be zero or more.")
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users: demo data not loaded.")
            self._print_logins(password=None)
            return
        started = time.monotonic()
        bulk = BulkBuilder(seed=seed, password=password)
        with transaction.atomic():
            accounts = {
                a["email"]: self._ensure_account(**a, password=password) for a in DEMO_ACCOUNTS
            }
            demo_mentor, demo_mentee = accounts["mentor@demo.test"], accounts["mentee@demo.test"]
            showcase.give_demo_profiles(demo_mentor, demo_mentee, now=bulk.now)
        made_mentors = bulk.create_mentors(mentors)
        made_mentees = bulk.create_mentees(mentees)
        pairs, pending = bulk.create_matches()
        # The showcase's requests and pair come from seeded mentees, so they follow the bulk.
        showcase.give_demo_requests(demo_mentor, bulk)
        showcase.give_demo_pair(demo_mentor, now=bulk.now)
        self.stdout.write(
            f"Created {made_mentors} mentors, {made_mentees} mentees, {pairs} mentorships and "
            f"{pending} waiting requests "
            f"in {time.monotonic() - started:.1f}s (seed {seed})."
        )
        self._print_logins(password=password)

    def _ensure_account(self, *, email: str, full_name: str, role: str, password: str) -> User:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "is_staff": role in {"coordinator", "administrator"},
                "is_superuser": role == "administrator",
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if role == "coordinator":
            user.groups.add(Group.objects.get(name=COORDINATOR_GROUP))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _print_logins(self, *, password: str | None) -> None:
        shown = password or "(unchanged; `python manage.py seed_demo` resets it)"
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account['email']:<22} password: {shown}   ({account['role']})")
