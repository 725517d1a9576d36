import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from matching.models import Mentorship, MentorshipRequest
from profiles.models import MenteeProfile, MentorProfile

# The command computes search documents in a second database connection, which sees only
# committed rows. (The flush afterwards empties the taxonomy too; seed_demo puts it back when it
# needs it, so these tests do not depend on what ran before.)
pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_creates_the_known_accounts_and_realistic_people(capsys):
    call_command("seed_demo", mentors=12, mentees=9, seed=7, password="demo-pass-123", force=True)

    out = capsys.readouterr().out
    assert "mentee@demo.test" in out and "demo-pass-123" in out
    admin = User.objects.get(email="admin@demo.test")
    assert admin.is_staff and admin.is_superuser and admin.check_password("demo-pass-123")
    coordinator = User.objects.get(email="coordinator@demo.test")
    assert coordinator.is_staff and not coordinator.is_superuser
    assert list(coordinator.groups.values_list("name", flat=True)) == ["Scheme coordinator"]
    assert MentorProfile.objects.filter(user__email__endswith="@mentors.demo.test").count() == 12
    assert MenteeProfile.objects.filter(user__email__endswith="@mentees.demo.test").count() == 9
    assert not MentorProfile.objects.filter(search_vector__isnull=True).exists()
    assert MentorProfile.objects.get(user__email="mentor@demo.test").is_listed
    # The demo mentor has requests waiting and a pair with a plan and meetings.
    mentor = User.objects.get(email="mentor@demo.test")
    assert MentorshipRequest.objects.pending().filter(mentor=mentor).exists()
    pair = Mentorship.objects.get(mentor=mentor)
    assert pair.objectives.count() == 3 and pair.meetings.count() == 3


def test_seed_demo_is_idempotent():
    call_command("seed_demo", mentors=5, mentees=5, seed=1, force=True)
    counts = (User.objects.count(), MentorshipRequest.objects.count(), Mentorship.objects.count())

    call_command("seed_demo", mentors=5, mentees=5, seed=1, force=True)

    assert (
        User.objects.count(),
        MentorshipRequest.objects.count(),
        Mentorship.objects.count(),
    ) == counts
    listed = MentorProfile.objects.get(user__email="mentor@demo.test")
    assert listed.mentee_count == Mentorship.objects.active().filter(mentor=listed.user).count()


def test_seed_demo_refuses_production_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", mentors=0, mentees=0)


def test_if_empty_leaves_an_existing_database_alone(capsys):
    User.objects.create_user(email="someone@example.org", full_name="Someone")

    call_command("seed_demo", if_empty=True, force=True)

    assert "already has users" in capsys.readouterr().out
    assert not User.objects.filter(email="mentor@demo.test").exists()
