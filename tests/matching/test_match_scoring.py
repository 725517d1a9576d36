"""Central matching's scores (matching.match_scoring): the mentee's own words outrank a ticked
area alone, each suggestion says why, the hard rules leave mentors out, and a batch costs the
same number of queries however many mentees and mentors it holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from matching.match_scoring import Suggestion, score_candidates
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Staff mentoring", slug="staff-scoring", matching="central")


@pytest.fixture
def finance():
    return ExpertiseAreaFactory(name="Finance")


@pytest.fixture
def leadership():
    return ExpertiseAreaFactory(name="Leadership")


def _mentor(programme, name, *, areas=(), **fields):
    values = {
        "headline": "Happy to help with your next career step",
        "job_title": "Adviser",
        "organisation": "Harbour Bank",
        "key_areas": "I run a small team.",
        "industry": "finance",
        "city": "Leeds",
        "formats": ["video"],
        **fields,
    }
    return MentorProfileFactory(
        user=UserFactory(full_name=name), programmes=[programme], areas=list(areas), **values
    )


def _mentee(programme, name, *, areas=(), goals="Grow in my role.", **fields):
    return MenteeProfileFactory(
        user=UserFactory(full_name=name),
        programmes=[programme],
        areas=list(areas),
        goals=goals,
        role=fields.pop("role", "Administrator"),
        **fields,
    )


def _by_name(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.mentor.user.full_name: s for s in suggestions}


def test_goals_text_match_ranks_above_an_area_only_match(programme, finance):
    mentee = _mentee(
        programme, "Mina Mentee", areas=[finance], goals="I want to move into NHS management."
    )
    area_only = _mentor(programme, "Arun Areas", areas=[finance])
    nhs = _mentor(
        programme,
        "Nia Nhs",
        headline="NHS management for twenty years",
        job_title="Director of operations, NHS trust",
        industry="healthcare",
    )

    ranked = score_candidates(programme, [mentee])[mentee.user_id]

    assert [s.mentor for s in ranked] == [nhs, area_only]
    assert ranked[0].score > ranked[1].score
    assert "The mentee's goals match the profile: NHS management" in ranked[0].reasons
    assert "Shares 1 area: Finance" in ranked[1].reasons
    assert not any(r.startswith("The mentee's goals") for r in ranked[1].reasons)


def test_reasons_say_why(programme, finance, leadership):
    mentee_user = UserFactory(full_name="Wyn Mentee", language="cy")
    mentee = MenteeProfileFactory(
        user=mentee_user,
        programmes=[programme],
        areas=[finance, leadership],
        goals="Leadership in finance, ideally meeting in Cardiff.",
        role="Finance officer",
        preferred_formats=["video", "in_person"],
    )
    mentor = _mentor(
        programme,
        "Bryn Mentor",
        areas=[finance, leadership],
        city="Cardiff",
        languages="English, Welsh",
        formats=["video", "phone"],
        capacity=3,
    )

    (suggestion,) = score_candidates(programme, [mentee])[mentee_user.pk]

    assert suggestion.mentor == mentor
    reasons = suggestion.reasons
    assert "Shares 2 areas: Finance, Leadership" in reasons
    assert "Works in the industry the mentee names: Banking and finance" in reasons
    assert "Offers video call, which the mentee prefers" in reasons
    assert "Speaks Welsh, the mentee's language on the site" in reasons
    assert "Based in Cardiff, which the mentee mentions" in reasons
    assert "3 free places" in reasons
    assert suggestion.warnings == []


def test_history_good_bad_and_experience(programme):
    mentee = _mentee(programme, "Hana Mentee")
    again = _mentor(programme, "Good Before")
    badly = _mentor(programme, "Bad Before")
    experienced = _mentor(programme, "Old Hand")
    _mentor(programme, "New Face")
    MentorshipFactory(mentee=mentee.user, mentor=again.user, programme=programme, ended=True)
    MentorshipFactory(
        mentee=mentee.user,
        mentor=badly.user,
        programme=programme,
        ended=True,
        end_reason="not_a_fit",
    )
    MentorshipFactory(mentor=experienced.user, programme=programme, ended=True)
    for profile in (again, badly, experienced):
        profile.refresh_from_db()

    ranked = _by_name(score_candidates(programme, [mentee])[mentee.user_id])

    assert "Was this mentee's mentor before" in ranked["Good Before"].reasons
    assert ranked["Bad Before"].warnings == [
        "Was this mentee's mentor before, and it did not go well"
    ]
    assert "Has mentored in this programme before" in ranked["Old Hand"].reasons
    assert ranked["Bad Before"].score < ranked["New Face"].score < ranked["Good Before"].score
    assert ranked["New Face"].score < ranked["Old Hand"].score


def test_hard_rules_leave_mentors_out(programme):
    staff = ProgrammeFactory(
        name="Outside line management",
        slug="olm-scoring",
        matching="central",
        outside_line_management=True,
    )
    mentee = MenteeProfileFactory(
        user=UserFactory(full_name="Lee Mentee"),
        programmes=[programme, staff],
        department="Finance Office",
        line_manager_email="boss@example.org",
        goals="Grow.",
    )
    # The mentee is a mentor too: never their own mentor.
    own = MentorProfileFactory(user=mentee.user, programmes=[programme, staff])
    full = _mentor(programme, "Full Mentor", capacity=1)
    MentorshipFactory(mentor=full.user, programme=programme)
    paired = _mentor(programme, "Paired Mentor", capacity=3)
    MentorshipFactory(mentee=mentee.user, mentor=paired.user, programme=programme)
    manager = MentorProfileFactory(
        user=UserFactory(full_name="Boss", email="boss@example.org"), programmes=[programme, staff]
    )
    colleague = MentorProfileFactory(
        user=UserFactory(full_name="Colleague"),
        department="finance office",
        programmes=[programme, staff],
    )
    ok = _mentor(programme, "Free Mentor")
    mentors = list(
        type(ok)
        .objects.filter(pk__in=[own.pk, full.pk, paired.pk, manager.pk, colleague.pk, ok.pk])
        .select_related("user")
    )

    here = score_candidates(programme, [mentee], mentors)[mentee.user_id]
    there = score_candidates(staff, [mentee], mentors)[mentee.user_id]

    assert {s.mentor for s in here} == {manager, colleague, ok}
    assert {s.mentor for s in there} == {ok}


def test_programme_cap_on_places(programme):
    programme.mentor_places_cap = 1
    programme.save()
    mentee = _mentee(programme, "Cap Mentee")
    capped = _mentor(programme, "Capped", capacity=3)
    MentorshipFactory(mentor=capped.user, programme=programme)
    capped.refresh_from_db()

    assert score_candidates(programme, [mentee])[mentee.user_id] == []
    assert score_candidates(programme, [mentee], [capped])[mentee.user_id] == []


def _batch(programme, finance, n: int) -> list:
    mentees = [
        _mentee(programme, f"Mentee {i}", areas=[finance], goals="NHS management and budgets")
        for i in range(n)
    ]
    for i in range(n):
        _mentor(programme, f"Mentor {i}", areas=[finance], headline="NHS budgets")
    return mentees


def test_queries_constant_in_mentees_and_mentors(programme, finance):
    small = _batch(programme, finance, 1)
    with CaptureQueriesContext(connection) as one:
        score_candidates(programme, small)
    more = small + _batch(programme, finance, 4)
    with CaptureQueriesContext(connection) as five:
        result = score_candidates(programme, more)

    assert len(five) == len(one)
    assert all(len(result[m.user_id]) == 5 for m in more)
    assert User.objects.count() >= 10
