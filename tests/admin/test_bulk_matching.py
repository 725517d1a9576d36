"""Bulk matching runs in the admin: a coordinator proposes a set of pairs for a programme that
matches centrally, adjusts it (never beyond a mentor's places, never the line manager), and
publishes it once; other programmes' coordinators never see the run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import MatchRun, MatchRunPair, Mentorship, MentorshipRequest
from profiles.models import Membership, Round
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        matching="central",
        outside_line_management=True,
    )


def _coordinator(programme, name, email):
    user = UserFactory(full_name=name, email=email, is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


@pytest.fixture
def coordinator(staff):
    return _coordinator(staff, "Cora Coordinator", "cora@example.org")


@pytest.fixture
def other_coordinator():
    careers = ProgrammeFactory(name="Careers", slug="careers", matching="central")
    return _coordinator(careers, "Olga Other", "olga@example.org")


def _mentor(programme, name, *, areas=(), email=None, **fields):
    user = UserFactory(full_name=name, **({"email": email} if email else {}))
    return MentorProfileFactory(
        user=user, programmes=[programme], areas=list(areas), department="Library", **fields
    )


def _applicant(programme, name, *, days=1, areas=(), manager=""):
    profile = MenteeProfileFactory(
        user=UserFactory(full_name=name),
        department="Finance",
        line_manager_email=manager,
        programmes=[programme],
        areas=list(areas),
        # Words no mentor's profile has, so the scores come from the areas alone.
        goals="Qwxz vrtz.",
        role="Zyxt",
        preferred_formats=[],
    )
    membership = Membership.objects.get(user=profile.user, programme=programme, role="mentee")
    membership.applied_at = timezone.now() - timedelta(days=days)
    membership.save(update_fields=["applied_at"])
    return membership


@pytest.fixture
def areas():
    return [ExpertiseAreaFactory(name=n) for n in ("Leadership", "Budgets", "Careers")]


@pytest.fixture
def greedy_trap(staff, areas):
    """Ann (waiting longest) shares two areas with Xavier and one with Yasmin; Ben may have only
    Xavier (Yasmin is his line manager): one place each. Greedy gives Ann Xavier and Ben nobody."""
    leadership, budgets, _ = areas
    xavier = _mentor(staff, "Xavier Expert", areas=[leadership, budgets], capacity=1)
    yasmin = _mentor(
        staff, "Yasmin Young", email="yasmin@example.org", areas=[leadership], capacity=1
    )
    ann = _applicant(staff, "Ann Applicant", days=10, areas=[leadership, budgets])
    ben = _applicant(staff, "Ben Budget", days=5, areas=[budgets], manager="yasmin@example.org")
    return xavier, yasmin, ann, ben


def _propose_url(programme):
    return reverse("admin:profiles_menteeprofile_propose_run", args=[programme.pk])


def _run_url(run):
    return reverse("admin:profiles_menteeprofile_run", args=[run.pk])


def _publish_url(run):
    return reverse("admin:profiles_menteeprofile_publish_run", args=[run.pk])


def _messages(response) -> list[str]:
    return [str(m.message) for m in get_messages(response.wsgi_request)]


def _pairs(run) -> set[tuple[str, str]]:
    return {
        (p.mentee.full_name, p.mentor.full_name)
        for p in run.pairs.select_related("mentee", "mentor")
    }


def test_the_proposal_is_the_assignment_and_beats_greedy(
    client_for, coordinator, staff, greedy_trap
):
    client = client_for(coordinator)

    response = client.post(_propose_url(staff))

    run = MatchRun.objects.get(programme=staff)
    assert response.status_code == 302
    assert response.url == _run_url(run)
    assert run.status == MatchRun.Status.DRAFT
    assert _pairs(run) == {("Ann Applicant", "Yasmin Young"), ("Ben Budget", "Xavier Expert")}
    assert run.summary["matched"] == 2
    assert run.summary["greedy_matched"] == 1
    assert run.summary["total"] > run.summary["greedy_total"]
    page = client.get(_run_url(run)).content.decode()
    assert "Shares 1 area: Budgets" in page
    assert f"It scored {floatformat(run.summary['total'], 1)} with 2 pairs" in page
    assert f"would score {floatformat(run.summary['greedy_total'], 1)} with 1 pair" in page


def test_a_second_proposal_opens_the_draft_instead_of_replacing_it(
    client_for, coordinator, staff, greedy_trap
):
    client = client_for(coordinator)
    client.post(_propose_url(staff))

    response = client.post(_propose_url(staff))

    run = MatchRun.objects.get(programme=staff)
    assert response.url == _run_url(run)
    assert "already has a draft set of pairs" in _messages(response)[-1]
    queue = client.get(reverse("admin:profiles_menteeprofile_applicants", args=[staff.pk]))
    assert "Review the proposed set of pairs" in queue.content.decode()


def test_capacity_and_the_line_manager_are_respected(client_for, coordinator, staff, areas):
    leadership = areas[0]
    manager = _mentor(
        staff, "Martin Manager", email="martin@example.org", areas=[leadership], capacity=5
    )
    busy = _mentor(staff, "Bea Busy", areas=[leadership], capacity=3, mentee_count=1)
    names = [f"Applicant {i}" for i in range(5)]
    for i, name in enumerate(names):
        _applicant(staff, name, days=10 - i, areas=[leadership], manager="martin@example.org")

    client_for(coordinator).post(_propose_url(staff))

    run = MatchRun.objects.get(programme=staff)
    pairs = list(run.pairs.all())
    assert {p.mentor_id for p in pairs} == {busy.user_id}
    assert len(pairs) == 2  # Bea's two free places, never Martin (everyone's line manager)
    assert manager.user_id not in run.summary["places"] or all(
        m != manager.user_id for ranked in run.summary["options"].values() for m, _ in ranked
    )
    page = client_for(coordinator).get(_run_url(run)).content.decode()
    assert "Capacity taken: every eligible mentor&#x27;s places went to other pairs" in page


def test_an_applicant_with_no_eligible_mentor_is_listed_with_why(client_for, coordinator, staff):
    _mentor(staff, "Martin Manager", email="martin@example.org")
    _applicant(staff, "Amir Applicant", manager="martin@example.org")
    client = client_for(coordinator)

    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)
    page = client.get(_run_url(run)).content.decode()

    assert run.pairs.count() == 0
    assert "Amir Applicant" in page
    assert "No eligible mentor with a free place." in page


def test_changing_a_mentor_is_checked_against_places(client_for, coordinator, staff, greedy_trap):
    xavier, yasmin, ann, ben = greedy_trap
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    # Xavier's one place is Ben's in this set: Ann cannot have it too.
    response = client.post(
        _run_url(run), {"action": "change", "applicant": ann.user_id, "mentor": xavier.user_id}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Xavier Expert&#x27;s 1 free place is already given to another pair in this set." in page
    assert f'aria-describedby="error-{ann.user_id}"' in page
    assert _pairs(run) == {("Ann Applicant", "Yasmin Young"), ("Ben Budget", "Xavier Expert")}

    # Removing Ben's pair frees the place; then Ann may take Xavier.
    client.post(_run_url(run), {"action": "remove", "applicant": ben.user_id})
    response = client.post(
        _run_url(run), {"action": "change", "applicant": ann.user_id, "mentor": xavier.user_id}
    )

    assert response.status_code == 302
    assert _pairs(run) == {("Ann Applicant", "Xavier Expert")}
    assert MatchRunPair.objects.get(run=run, mentee=ann.user).adjusted
    page = client.get(_run_url(run)).content.decode()
    assert "Removed from this set by a coordinator." in page


def test_changing_to_the_line_manager_is_refused_with_the_rule(
    client_for, coordinator, staff, areas
):
    _mentor(staff, "Olivia Outside", areas=[areas[0]])
    manager = _mentor(staff, "Martin Manager", email="martin@example.org", areas=[areas[0]])
    amir = _applicant(staff, "Amir Applicant", areas=[areas[0]], manager="martin@example.org")
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    response = client.post(
        _run_url(run), {"action": "change", "applicant": amir.user_id, "mentor": manager.user_id}
    )

    assert "Martin Manager is Amir Applicant&#x27;s line manager." in response.content.decode()
    assert _pairs(run) == {("Amir Applicant", "Olivia Outside")}


def test_publish_makes_the_pairs_and_emails_once(
    client_for, coordinator, staff, greedy_trap, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    confirm = client.get(_publish_url(run)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_publish_url(run))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(_publish_url(run))

    assert "Publish 2 pairs and email both people" in confirm
    run.refresh_from_db()
    assert (run.status, run.published_by) == (MatchRun.Status.PUBLISHED, coordinator)
    made = set(
        Mentorship.objects.filter(programme=staff).values_list(
            "mentee__full_name", "mentor__full_name"
        )
    )
    assert made == {("Ann Applicant", "Yasmin Young"), ("Ben Budget", "Xavier Expert")}
    assert set(run.pairs.values_list("outcome", flat=True)) == {MatchRunPair.Outcome.MATCHED}
    assert _messages(first)[-1] == "Published: 2 pairs matched."
    assert _messages(second)[-1] == "This run was already published or discarded."
    assert len(mailoutbox) == 4  # an introduction to each of the two people of each pair
    people = [greedy_trap[0].user, greedy_trap[1].user, greedy_trap[2].user, greedy_trap[3].user]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in people)


def test_publish_can_propose_each_pair_to_the_mentor_instead(
    client_for, coordinator, staff, greedy_trap
):
    xavier, yasmin, ann, ben = greedy_trap
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    response = client.post(_publish_url(run), {"how": "propose"})

    assert _messages(response)[-1] == "Published: 2 pairs proposed to the mentors."
    assert not Mentorship.objects.filter(programme=staff).exists()
    asked = set(
        MentorshipRequest.objects.filter(programme=staff, proposed_by=coordinator).values_list(
            "mentee__full_name", "mentor__full_name"
        )
    )
    assert asked == {("Ann Applicant", "Yasmin Young"), ("Ben Budget", "Xavier Expert")}
    assert set(run.pairs.values_list("outcome", flat=True)) == {MatchRunPair.Outcome.REQUESTED}
    assert "Proposed to the mentor" in client.get(_run_url(run)).content.decode()


def test_a_pair_refused_at_publish_is_failed_and_the_others_go_on(
    client_for, coordinator, staff, greedy_trap
):
    xavier, yasmin, ann, ben = greedy_trap
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)
    # Yasmin's last place goes elsewhere before the run is published.
    yasmin.mentee_count = 1
    yasmin.save(update_fields=["mentee_count"])

    client.post(_publish_url(run))

    ann_pair = MatchRunPair.objects.get(run=run, mentee=ann.user)
    ben_pair = MatchRunPair.objects.get(run=run, mentee=ben.user)
    assert ann_pair.outcome == MatchRunPair.Outcome.FAILED
    assert ann_pair.outcome_note == "Yasmin Young has no free place."
    assert ben_pair.outcome == MatchRunPair.Outcome.MATCHED
    assert "Yasmin Young has no free place." in client.get(_run_url(run)).content.decode()


def test_a_discarded_draft_cannot_change_and_a_new_one_can_be_proposed(
    client_for, coordinator, staff, greedy_trap
):
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    client.post(_run_url(run), {"action": "discard", "confirm": "1"})
    client.post(_publish_url(run))
    client.post(_propose_url(staff))

    run.refresh_from_db()
    assert run.status == MatchRun.Status.DISCARDED
    assert not Mentorship.objects.filter(programme=staff).exists()
    assert MatchRun.objects.filter(programme=staff, status=MatchRun.Status.DRAFT).count() == 1


def test_the_run_page_reads_a_constant_number_of_queries(
    client_for, coordinator, staff, areas, django_assert_max_num_queries
):
    for i in range(3):
        _mentor(staff, f"Mentor {i}", areas=[areas[0]], capacity=2)
    for i in range(4):
        _applicant(staff, f"Applicant {i}", days=20 - i, areas=[areas[0]])
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)
    client.get(_run_url(run))
    with CaptureQueriesContext(connection) as few:
        client.get(_run_url(run))
    read = len(few.captured_queries)
    assert 0 < read <= 15

    for i in range(4, 12):
        _mentor(staff, f"Mentor {i}", areas=[areas[0]], capacity=2)
        _applicant(staff, f"Applicant {i}", days=20 - i, areas=[areas[0]])
    client.post(_run_url(run), {"action": "discard", "confirm": "1"})
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff, status=MatchRun.Status.DRAFT)
    assert run.pairs.count() == 12
    with django_assert_max_num_queries(read):
        client.get(_run_url(run))


@pytest.mark.parametrize(
    ("who", "status"),
    [("superuser", 200), ("coordinator", 200), ("other", 404), ("anonymous", 302)],
)
def test_who_may_see_and_change_a_run(
    client_for, admin_user, coordinator, other_coordinator, staff, greedy_trap, who, status
):
    client_for(coordinator).post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)
    user = {
        "superuser": admin_user,
        "coordinator": coordinator,
        "other": other_coordinator,
        "anonymous": None,
    }[who]
    client = client_for(user)

    seen = client.get(_run_url(run))
    removed = client.post(_run_url(run), {"action": "remove", "applicant": greedy_trap[3].user_id})
    published = client.post(_publish_url(run))
    proposed = client.post(_propose_url(staff))

    assert seen.status_code == status
    if who == "anonymous":
        assert "/login/" in seen.url or "login" in seen.url
    if status in (302, 404):
        assert removed.status_code == status
        assert run.pairs.count() == 2
        assert published.status_code == status
        assert proposed.status_code == status
        run.refresh_from_db()
        assert run.status == MatchRun.Status.DRAFT
        assert not Mentorship.objects.exists()
    else:
        run.refresh_from_db()
        assert run.status == MatchRun.Status.PUBLISHED
        assert removed.status_code == 302
        assert _pairs(run) == {("Ann Applicant", "Yasmin Young")}
        assert Mentorship.objects.filter(programme=staff).count() == 1


def test_a_run_for_a_round_takes_those_who_applied_in_its_window(
    client_for, coordinator, staff, areas
):
    today = timezone.localdate()
    spring = Round.objects.create(
        programme=staff,
        name="Spring",
        mentee_opens_on=today - timedelta(days=10),
        mentee_closes_on=today,
        term_ends_on=today + timedelta(days=100),
    )
    _mentor(staff, "Olivia Outside", areas=[areas[0]], capacity=3)
    early = _applicant(staff, "Eve Early", days=40, areas=[areas[0]])
    inside = _applicant(staff, "Ian Inside", days=3, areas=[areas[0]])

    client_for(coordinator).post(_propose_url(staff), {"round": spring.pk})

    run = MatchRun.objects.get(programme=staff)
    assert run.round == spring
    assert run.summary["applicants"] == [inside.user_id]
    assert early.user_id not in {p.mentee_id for p in run.pairs.all()}


def test_the_dashboard_leads_to_a_draft_until_it_is_published(
    client_for, coordinator, other_coordinator, staff, greedy_trap
):
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    def line(user):
        dashboard = client_for(user).get(reverse("admin:index")).context["dashboard"]
        lines = [*dashboard.waiting, *dashboard.clear]
        return next((x for x in lines if x.key == f"match-run-{run.pk}"), None)

    draft = line(coordinator)
    assert (draft.label, draft.count, draft.url) == (
        "Proposed pairs to publish: Professional staff mentoring",
        2,
        _run_url(run),
    )
    assert line(other_coordinator) is None
    client.post(_publish_url(run))
    assert line(coordinator) is None


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"is_active": False}, "Yasmin Young is not taking new mentees at the moment."),
        ({"away_until": 5}, "Yasmin Young is away until"),
    ],
)
def test_a_mentor_away_or_switched_off_by_publish_is_not_paired(
    client_for, coordinator, staff, greedy_trap, change, said
):
    xavier, yasmin, ann, ben = greedy_trap
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)
    if "away_until" in change:
        change = {"away_until": timezone.localdate() + timedelta(days=change["away_until"])}
    for field, value in change.items():
        setattr(yasmin, field, value)
    yasmin.save(update_fields=list(change))

    client.post(_publish_url(run))

    ann_pair = MatchRunPair.objects.get(run=run, mentee=ann.user)
    assert ann_pair.outcome == MatchRunPair.Outcome.FAILED
    assert ann_pair.outcome_note.startswith(said)
    assert not Mentorship.objects.filter(mentor=yasmin.user).exists()


def test_a_run_leaves_out_an_applicant_waiting_for_a_proposal(
    client_for, coordinator, staff, greedy_trap
):
    """Proposed to one mentor by hand, Ann is not approached with a second one by a run."""
    xavier, yasmin, ann, ben = greedy_trap
    services.propose_match(mentor=yasmin.user, mentee=ann.user, by=coordinator, programme=staff)
    client = client_for(coordinator)

    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)
    client.post(_publish_url(run), {"how": "propose"})

    assert run.summary["applicants"] == [ben.user_id]
    assert MentorshipRequest.objects.pending().filter(mentee=ann.user).count() == 1
    assert _pairs(run) == {("Ben Budget", "Xavier Expert")}


def test_discarding_a_draft_asks_first(client_for, coordinator, staff, greedy_trap):
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    asked = client.post(_run_url(run), {"action": "discard"})

    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Discard this draft?" in page
    assert "The 2 proposed pairs and your changes to them are thrown away." in page
    assert 'name="confirm" value="1"' in page

    done = client.post(_run_url(run), {"action": "discard", "confirm": "1"})

    run.refresh_from_db()
    assert run.status == MatchRun.Status.DISCARDED
    assert done.url == reverse("admin:profiles_menteeprofile_applicants", args=[staff.pk])


def test_a_mentor_also_in_another_programmes_draft_is_flagged(
    client_for, coordinator, staff, areas
):
    careers = ProgrammeFactory(name="Careers", slug="careers", matching="central")
    both = MentorProfileFactory(
        user=UserFactory(full_name="Bea Both"),
        programmes=[staff, careers],
        areas=[areas[0]],
        department="Library",
        capacity=1,
    )
    _applicant(staff, "Sam Staff", areas=[areas[0]])
    other = MatchRun.objects.create(programme=careers, created_by=coordinator, summary={})
    MatchRunPair.objects.create(
        run=other, mentee=UserFactory(), mentor=both.user, score=1.0, reasons=[]
    )
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff, status=MatchRun.Status.DRAFT)

    page = client.get(_run_url(run)).content.decode().replace("&#x27;", "'")

    assert _pairs(run) == {("Sam Staff", "Bea Both")}
    assert "Also proposed in Careers's draft: the first set published takes the place." in page


def test_publishing_one_pair_says_pair(client_for, coordinator, staff, areas):
    _mentor(staff, "Bea Both", areas=[areas[0]], capacity=1)
    _applicant(staff, "Sam Staff", areas=[areas[0]])
    client = client_for(coordinator)
    client.post(_propose_url(staff))
    run = MatchRun.objects.get(programme=staff)

    response = client.post(_publish_url(run), {"how": "propose"})

    assert _messages(response)[-1] == "Published: 1 pair proposed to the mentor."
