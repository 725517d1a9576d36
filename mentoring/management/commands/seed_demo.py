from __future__ import annotations

import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from matching.models import Mentorship, MentorshipRequest
from mentoring.demo import guidance, living, showcase
from mentoring.demo.bulk import BulkBuilder, ensure_expertise_areas
from mentoring.demo.programmes import CAREERS, SLUGS, STAFF, ensure_programmes
from mentoring.roles import COORDINATOR_GROUP
from profiles.models import Membership, MentorProfile, Programme

DEFAULT_PASSWORD = "mentoring-demo"

# "what" is printed beside each login.
DEMO_ACCOUNTS = [
    {
        "email": "mentee@demo.test",
        "full_name": "Maya Patel",
        "role": "mentee",
        "what": "mentee in careers and advice",
    },
    {
        "email": "mentor@demo.test",
        "full_name": "Daniel Okafor",
        "role": "mentor",
        "what": "mentor in careers and advice",
    },
    {
        "email": "staff-mentee@demo.test",
        "full_name": "Priya Shah",
        "role": "mentee",
        "what": "staff mentee, applied to be matched",
    },
    {
        "email": "staff-mentor@demo.test",
        "full_name": "Gareth Lewis",
        "role": "mentor",
        "what": "staff mentor",
    },
    {
        "email": "coordinator@demo.test",
        "full_name": "Chris Coordinator",
        "role": "coordinator",
        "what": "coordinator of staff",
    },
    {
        "email": "admin@demo.test",
        "full_name": "Sam Administrator",
        "role": "administrator",
        "what": "administrator",
    },
]


class Command(BaseCommand):
    help = (
        "Create the demo's three programmes (careers, staff, advice), its accounts and "
        "realistic mentors and mentees spread over the programmes (idempotent). "
        "Refuses to run with DEBUG=0 unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--mentors", type=int, default=60, help="demo mentors to create, over the programmes"
        )
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
            # Days later the demo pair's meeting has passed and its check-in closed: renewed
            # (each step checks first, so nothing is added twice).
            self._keep_the_demo_pair_alive()
            self._print_logins(password=None)
            return
        started = time.monotonic()
        ensure_expertise_areas()
        with transaction.atomic():
            accounts = {
                a["email"].split("@")[0]: self._ensure_account(**a, password=password)
                for a in DEMO_ACCOUNTS
            }
            programmes = ensure_programmes(
                coordinator=accounts["coordinator"], today=timezone.localdate()
            )
            showcase.give_demo_profiles(
                accounts["mentor"],
                accounts["mentee"],
                accounts["staff-mentor"],
                now=timezone.now(),
            )
            showcase.give_demo_memberships(accounts, programmes=programmes, now=timezone.now())
        bulk = BulkBuilder(
            seed=seed, password=password, programmes=programmes, coordinator=accounts["coordinator"]
        )
        made_mentors = bulk.create_mentors(mentors)
        made_mentees = bulk.create_mentees(mentees)
        bulk.create_matches()
        # The showcase's requests and pairs involve seeded people, so they follow the bulk.
        with transaction.atomic():
            showcase.give_staff_mentee(accounts["staff-mentee"], programme=programmes[STAFF])
            showcase.give_demo_requests(accounts["mentor"], bulk)
            showcase.give_demo_pair(
                accounts["mentor"],
                accounts["mentee"],
                programme=programmes[CAREERS],
                in_round=bulk.current_round,
                now=bulk.now,
            )
            showcase.give_mentee_request(
                accounts["mentee"], programme=programmes[CAREERS], now=bulk.now
            )
            # Home shows a meeting to come, a to-do, a conversation and an agreement.
            living.bring_demo_pair_to_life(accounts["mentor"], accounts["mentee"], now=bulk.now)
            showcase.give_staff_pair(
                accounts["staff-mentor"],
                coordinator=accounts["coordinator"],
                programme=programmes[STAFF],
                now=bulk.now,
            )
        guidance.ensure_guidance(programmes, today=timezone.localdate())
        self.stdout.write(
            f"Created {made_mentors} mentors and {made_mentees} mentees "
            f"in {time.monotonic() - started:.1f}s (seed {seed})."
        )
        self._print_programmes(programmes)
        self._print_logins(password=password)

    def _keep_the_demo_pair_alive(self) -> None:
        emails = [
            a["email"] for a in DEMO_ACCOUNTS if a["email"].split("@")[0] in {"mentor", "mentee"}
        ]
        people = {u.email.split("@")[0]: u for u in User.objects.filter(email__in=emails)}
        if "mentor" in people and "mentee" in people:
            with transaction.atomic():
                living.bring_demo_pair_to_life(
                    people["mentor"], people["mentee"], now=timezone.now()
                )

    def _ensure_account(
        self, *, email: str, full_name: str, role: str, what: str, password: str
    ) -> User:
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
            self.stdout.write(f"  {account['email']:<24} password: {shown}   ({account['what']})")

    def _print_programmes(self, programmes: dict[str, Programme]) -> None:
        """What each programme holds now: the figures a demo (or a bench run) is about."""
        self.stdout.write("Programmes:")
        for slug in SLUGS:
            programme = programmes[slug]
            members = Membership.objects.approved().filter(programme=programme)
            listed = MentorProfile.objects.listed().in_programme(programme).count()
            pairs = Mentorship.objects.filter(programme=programme)
            self.stdout.write(
                f"  {slug:<8} {members.mentors().count():>7} mentors ({listed} listed), "
                f"{members.mentees().count():>7} mentees, "
                f"{MentorshipRequest.objects.pending().filter(programme=programme).count()} "
                f"requests waiting, {pairs.active().count()} active pairs, "
                f"{pairs.filter(status=Mentorship.Status.COMPLETED).count()} completed, "
                f"{members.mentees().filter(applied_at__isnull=False).count()} applied to be "
                "matched"
            )
