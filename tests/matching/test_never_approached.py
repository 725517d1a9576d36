"""One friendly email to a mentor listed for six weeks whom no mentee has approached, with what
mentees of their programme search for (counts only) and what their profile is missing."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from matching import jobs
from matching.never_approached import LISTED_WEEKS
from profiles import search_stats
from profiles.models import ExpertiseArea, Membership, MentorProfile
from tests.factories import (
    ExpertiseAreaFactory,
    JobHistoryEntryFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    default_programme,
)
from tests.support import queued, run_counting_queries

pytestmark = pytest.mark.django_db
KIND = "never_approached"
DIRECTORY = reverse("profiles:directory")


def _listed_for(profile, days: int):
    """The mentor was approved (profile and membership) `days` ago."""
    when = timezone.now() - timedelta(days=days)
    MentorProfile.objects.filter(pk=profile.pk).update(approved_at=when)
    Membership.objects.filter(user=profile.user_id, role="mentor").update(approved_at=when)
    return profile


def _mentor(days: int = LISTED_WEEKS * 7 + 1, **kwargs):
    profile = MentorProfileFactory(**kwargs)
    JobHistoryEntryFactory(profile=profile)
    return _listed_for(profile, days)


def test_a_mentor_nobody_asked_in_six_weeks_is_emailed_exactly_once():
    profile = _mentor(user__full_name="Quiet Quentin")

    assert jobs.email_never_approached_mentors() == 1
    assert jobs.email_never_approached_mentors() == 0

    [email] = queued(KIND)
    assert email.recipient_id == profile.user_id
    assert email.dedupe_key == f"{KIND}:{profile.pk}"
    assert "Hello Quiet" in email.body_text
    assert "no mentee has approached you yet" in email.body_text
    profile.refresh_from_db()
    assert profile.never_approached_emailed_at is not None


def test_not_before_six_weeks():
    _mentor(days=LISTED_WEEKS * 7 - 1)

    assert jobs.email_never_approached_mentors() == 0
    assert queued(KIND) == []


def test_the_six_weeks_count_from_the_programme_approval_too():
    profile = _mentor()
    Membership.objects.filter(user=profile.user_id).update(
        approved_at=timezone.now() - timedelta(days=10)
    )

    assert jobs.email_never_approached_mentors() == 0


@pytest.mark.parametrize("trait", ["pending", "accepted", "declined", "withdrawn", "expired"])
def test_not_for_a_mentor_who_had_a_request(trait):
    profile = _mentor()
    MentorshipRequestFactory(mentor=profile.user, **({} if trait == "pending" else {trait: True}))

    assert jobs.email_never_approached_mentors() == 0


def test_not_for_a_hidden_mentor_and_not_for_one_who_turned_reminders_off():
    _mentor(is_active=False)
    quiet = _mentor(user__reminder_emails=False)

    assert jobs.email_never_approached_mentors() == 0
    # Considered all the same: not asked again every night.
    quiet.refresh_from_db()
    assert quiet.never_approached_emailed_at is not None
    assert jobs.email_never_approached_mentors() == 0


def test_suggestions_come_from_what_the_programmes_mentees_search_for(client_for):
    careers = ProgrammeFactory(name="Careers")
    interviews = ExpertiseAreaFactory(name="Interview practice")
    ExpertiseAreaFactory(name="Finance")
    mentee = client_for(MenteeProfileFactory(programmes=[careers]).user)
    for params in (
        {"programme": "careers", "area": "interview-practice"},
        {"programme": "careers", "q": "help with interview practice"},
        {"programme": "careers", "q": "finance", "industry": "finance"},
        {"programme": "careers", "q": "Daniel Okafor"},  # a name: never recorded
    ):
        assert mentee.get(DIRECTORY, params).status_code == 200
    # Another page of the same search, and a mentor browsing: not counted.
    mentee.get(DIRECTORY, {"programme": "careers", "area": "interview-practice", "page": "2"})
    browsing_mentor = MentorProfileFactory(programmes=[careers])
    client_for(browsing_mentor.user).get(DIRECTORY, {"programme": "careers", "q": "finance"})
    _mentor(programmes=[careers], areas=[interviews])

    jobs.email_never_approached_mentors()

    [email] = queued(KIND)
    assert (
        "mentees in Careers searched most for: interview practice (2), "
        "banking and finance (1), finance (1)"
    ) in email.body_text
    assert "searched most for" in email.body_html
    assert not [key for key in list(cache._cache) if "daniel" in key.lower()]


def test_search_counts_hold_no_person():
    area = ExpertiseAreaFactory(name="Negotiation")
    programme = default_programme()

    search_stats.record(
        programme.pk, q="negotiation with Maya", area_ids=[], industry="", areas=[area]
    )

    keys = [k for k in list(cache._cache) if search_stats.PREFIX in k]
    assert len(keys) == 1
    assert keys[0].endswith(f":area:{area.pk}")
    assert search_stats.top_terms(programme.pk, areas=[area]) == [("Negotiation", 1)]


def test_without_searches_the_email_suggests_what_the_profile_is_missing():
    profile = MentorProfileFactory(moves_experience="", help_offered="")
    _listed_for(profile, LISTED_WEEKS * 7 + 1)

    jobs.email_never_approached_mentors()

    [email] = queued(KIND)
    assert "searched most for" not in email.body_text
    assert "you could add areas you can help with, your job history" in email.body_text


def test_the_job_makes_the_same_queries_for_any_number_of_mentors():
    ExpertiseArea.objects.create(name="Finance", slug="finance")
    _mentor()
    _, few = run_counting_queries(jobs.email_never_approached_mentors)
    for _ in range(6):
        _mentor()
    sent, many = run_counting_queries(jobs.email_never_approached_mentors)

    assert sent == 6
    assert many == few


def test_the_email_has_a_preview(client_for, admin_user):
    from mentoring.backoffice.previews import render_kind

    row = render_kind(KIND)

    assert "interview practice (41)" in row.body_text
    assert "Some ideas to help mentees find you" == row.subject


def test_a_search_while_redis_is_skipped_still_shows_the_page_and_logs_nothing(
    client_for, caplog, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    class SkippedCache:
        def add(self, *args, **kwargs):
            return True

        def incr(self, *args, **kwargs):
            raise RedisConnectionError("redis is skipped for now")

    area = ExpertiseAreaFactory(name="Negotiation")
    monkeypatch.setattr(search_stats, "cache", SkippedCache())
    mentee = client_for(MenteeProfileFactory().user)

    with caplog.at_level("WARNING"):
        response = mentee.get(DIRECTORY, {"area": area.slug})

    assert response.status_code == 200
    assert [r for r in caplog.records if r.name == search_stats.__name__] == []
