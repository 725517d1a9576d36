"""Each programme's own rules in the matching services: who may ask whom, the limits, the
places a mentor shares between programmes, rounds and the line-management rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from matching.models import Mentorship, MentorshipRequest
from matching.services import (
    MatchingError,
    accept_request,
    create_mentorship,
    send_request,
)
from profiles.models import Membership, Round
from profiles.services import leave_programme
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.matching.conftest import MESSAGE
from tests.matching.test_races import _race, racing
from tests.support import places_taken

pytestmark = pytest.mark.django_db


@pytest.fixture
def careers():
    return ProgrammeFactory(name="Alumni career mentoring", slug="careers", matching="choice")


@pytest.fixture
def staff():
    return ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        matching="central",
        outside_line_management=True,
    )


@pytest.fixture
def coordinator(staff, careers):
    user = UserFactory(is_staff=True, full_name="Cora Coordinator")
    staff.coordinators.add(user)
    return user


def test_a_careers_mentee_cannot_ask_a_staff_only_mentor(careers, staff):
    mentee = MenteeProfileFactory(programmes=[careers]).user
    mentor = MentorProfileFactory(programmes=[staff]).user

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
    assert str(exc.value) == f"{mentor.full_name} is not a mentor in any programme you belong to."

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=staff)
    assert str(exc.value) == "Join Professional staff mentoring as a mentee first."

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=careers)
    assert str(exc.value) == f"{mentor.full_name} is not a mentor in Alumni career mentoring."
    assert not MentorshipRequest.objects.exists()


def test_a_mentor_in_two_programmes_is_asked_in_the_one_named(careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    mentee = MenteeProfileFactory(programmes=[careers, advice]).user
    mentor = MentorProfileFactory(programmes=[careers, advice]).user

    with pytest.raises(MatchingError, match="Choose the programme"):
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
    req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE, programme=advice)

    assert req.programme == advice


def test_the_pending_limit_is_each_programmes_own(careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice", max_pending_requests=3)
    careers.max_pending_requests = 1
    careers.save()
    mentee = MenteeProfileFactory(programmes=[careers, advice]).user
    careers_mentors = [MentorProfileFactory(programmes=[careers]).user for _ in range(2)]
    advice_mentors = [MentorProfileFactory(programmes=[advice]).user for _ in range(3)]

    send_request(mentee=mentee, mentor=careers_mentors[0], message=MESSAGE)
    with pytest.raises(MatchingError, match="You already have 1 request waiting"):
        send_request(mentee=mentee, mentor=careers_mentors[1], message=MESSAGE)
    for mentor in advice_mentors:
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE)

    assert MentorshipRequest.objects.pending().filter(programme=advice).count() == 3
    assert MentorshipRequest.objects.pending().filter(programme=careers).count() == 1


def test_a_mentor_in_one_programme_leaves_the_mentee_free_to_ask_in_another(careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    mentee = MenteeProfileFactory(programmes=[careers, advice]).user
    MentorshipFactory(mentee=mentee, mentor=MentorProfileFactory().user, programme=careers)
    other = MentorProfileFactory(programmes=[careers, advice]).user

    with pytest.raises(MatchingError, match="You already have a mentor"):
        send_request(mentee=mentee, mentor=other, message=MESSAGE, programme=careers)
    req = send_request(mentee=mentee, mentor=other, message=MESSAGE, programme=advice)

    assert req.is_pending


def test_being_matched_closes_the_other_requests_of_that_programme_only(careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    mentee = MenteeProfileFactory(programmes=[careers, advice]).user
    first, second, third = (MentorProfileFactory(programmes=[careers, advice]).user for _ in "abc")
    chosen = send_request(mentee=mentee, mentor=first, message=MESSAGE, programme=careers)
    same = send_request(mentee=mentee, mentor=second, message=MESSAGE, programme=careers)
    elsewhere = send_request(mentee=mentee, mentor=third, message=MESSAGE, programme=advice)

    accept_request(chosen, by=first)

    same.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (same.status, elsewhere.status) == ("closed", "pending")
    assert same.close_reason == "matched_elsewhere"
    assert Mentorship.objects.get().programme == careers


def test_a_central_only_programme_takes_no_interested_requests(staff):
    mentee = MenteeProfileFactory(programmes=[staff]).user
    mentor = MentorProfileFactory(programmes=[staff]).user

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE)

    assert "the coordinators match mentees with mentors" in str(exc.value)


def test_a_programmes_cap_on_a_mentors_places_holds_while_other_programmes_may_use_the_rest(
    careers,
):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    careers.mentor_places_cap = 1
    careers.save()
    profile = MentorProfileFactory(capacity=3, programmes=[careers, advice])
    mentor = profile.user
    in_careers = [
        MentorshipRequestFactory(
            mentor=mentor, mentee=MenteeProfileFactory(programmes=[careers]).user, programme=careers
        )
        for _ in range(2)
    ]
    in_advice = MentorshipRequestFactory(
        mentor=mentor, mentee=MenteeProfileFactory(programmes=[advice]).user, programme=advice
    )

    accept_request(in_careers[0], by=mentor)
    with pytest.raises(MatchingError) as exc:
        accept_request(in_careers[1], by=mentor)
    accept_request(in_advice, by=mentor)

    assert str(exc.value) == (
        "You already mentor 1 mentee in Alumni career mentoring, the most the programme asks "
        "of a mentor."
    )
    assert places_taken(profile) == 2


@racing
def test_concurrent_accepts_in_two_programmes_never_exceed_the_mentors_places():
    """A mentor's places are their time: counted across programmes, under one lock."""
    careers = ProgrammeFactory(name="Alumni career mentoring", slug="careers")
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    profile = MentorProfileFactory(capacity=2, programmes=[careers, advice])
    mentor = profile.user
    requests = [
        MentorshipRequestFactory(
            mentor=mentor,
            mentee=MenteeProfileFactory(programmes=[programme]).user,
            programme=programme,
        )
        for programme in [careers, advice] * 6
    ]

    results = _race([lambda req=req: accept_request(req, by=mentor) for req in requests])

    accepted = [r for r in results if isinstance(r, MentorshipRequest)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    assert (len(accepted), len(refused)) == (2, 10)
    assert Mentorship.objects.active().filter(mentor=mentor).count() == 2
    profile.refresh_from_db()
    assert profile.mentee_count == 2


def _rounds_programme(opens: date, closes: date, ends: date):
    programme = ProgrammeFactory(name="Alumni career mentoring", slug="careers", rhythm="rounds")
    return programme, Round.objects.create(
        programme=programme,
        name="2026–27",
        mentee_opens_on=opens,
        mentee_closes_on=closes,
        term_ends_on=ends,
    )


def test_before_the_mentee_window_opens_no_request_is_taken():
    today = timezone.localdate()
    programme, _ = _rounds_programme(
        today + timedelta(days=10), today + timedelta(days=40), today + timedelta(days=200)
    )
    mentee = MenteeProfileFactory(programmes=[programme]).user
    mentor = MentorProfileFactory(programmes=[programme]).user

    with pytest.raises(MatchingError) as exc:
        send_request(mentee=mentee, mentor=mentor, message=MESSAGE)

    opens = today + timedelta(days=10)
    assert str(exc.value) == (
        f"Mentees in Alumni career mentoring can look for a mentor from "
        f"{opens.day} {opens:%B %Y} (2026–27)."
    )


def test_a_pair_made_in_a_round_belongs_to_it():
    today = timezone.localdate()
    programme, current = _rounds_programme(
        today - timedelta(days=10), today + timedelta(days=40), today + timedelta(days=200)
    )
    mentee = MenteeProfileFactory(programmes=[programme]).user
    mentor = MentorProfileFactory(programmes=[programme]).user

    req = send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
    accept_request(req, by=mentor)

    assert Mentorship.objects.get().round == current


@pytest.mark.parametrize(
    ("mentor_email", "mentor_department", "refusal"),
    [
        ("boss@uni.example", "Finance", "is Sam Staff's line manager"),
        ("colleague@uni.example", "  estates  AND facilities ", "works in the same department"),
    ],
)
def test_the_line_manager_and_colleagues_are_never_matched_in_a_staff_programme(
    staff, coordinator, mentor_email, mentor_department, refusal
):
    mentee = MenteeProfileFactory(
        user=UserFactory(full_name="Sam Staff"),
        programmes=[staff],
        department="Estates and Facilities",
        line_manager_email="Boss@uni.example",
    ).user
    mentor = MentorProfileFactory(
        user=UserFactory(email=mentor_email), department=mentor_department, programmes=[staff]
    ).user

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentor, mentee=mentee, by=coordinator, programme=staff)

    assert refusal in str(exc.value)
    assert "outside their line management" in str(exc.value)
    assert not Mentorship.objects.exists()


def test_outside_line_management_matching_takes_someone_from_another_department(staff, coordinator):
    mentee = MenteeProfileFactory(
        programmes=[staff], department="Estates", line_manager_email="boss@uni.example"
    ).user
    mentor = MentorProfileFactory(department="Library", programmes=[staff]).user

    pair = create_mentorship(mentor=mentor, mentee=mentee, by=coordinator, programme=staff)

    assert (pair.programme, pair.created_by) == (staff, coordinator)


def test_a_coordinator_matches_only_in_their_programmes(careers, coordinator):
    mentee = MenteeProfileFactory(programmes=[careers]).user
    mentor = MentorProfileFactory(programmes=[careers]).user

    with pytest.raises(MatchingError) as exc:
        create_mentorship(mentor=mentor, mentee=mentee, by=coordinator, programme=careers)

    assert str(exc.value) == "You do not coordinate Alumni career mentoring."


def test_a_pair_made_between_rounds_joins_the_coming_one():
    today = timezone.localdate()
    programme, _ = _rounds_programme(
        today + timedelta(days=10), today + timedelta(days=40), today + timedelta(days=200)
    )
    coming = Round.objects.get()
    coordinator = UserFactory(is_staff=True)
    programme.coordinators.add(coordinator)
    mentee = MenteeProfileFactory(programmes=[programme]).user
    mentor = MentorProfileFactory(programmes=[programme]).user

    pair = create_mentorship(mentor=mentor, mentee=mentee, by=coordinator, programme=programme)

    assert pair.round == coming


@racing
def test_leaving_while_a_request_is_accepted_breaks_no_rule_and_no_page():
    """The mentee leaves the programme as the mentor accepts one of their two requests: one of
    the two wins, in either order, without a deadlock or an error escaping."""
    programme = ProgrammeFactory(name="Alumni career mentoring", slug="careers")
    mentee = MenteeProfileFactory(programmes=[programme]).user
    mentors = [MentorProfileFactory(programmes=[programme]).user for _ in range(2)]
    older, newer = (
        MentorshipRequestFactory(mentee=mentee, mentor=m, programme=programme) for m in mentors
    )
    membership = Membership.objects.get(user=mentee, programme=programme)

    accepted, left = _race(
        [
            lambda: accept_request(older, by=mentors[0]),
            lambda: leave_programme(membership, by=mentee),
        ]
    )

    assert isinstance(accepted, MentorshipRequest | MatchingError), accepted
    assert isinstance(left, Membership), left
    assert not MentorshipRequest.objects.pending().exists()
    newer.refresh_from_db()
    # Withdrawn by leaving, or closed by the scheme when the accept came first (matched).
    assert newer.status in {"withdrawn", "closed"}
