"""A mentor's usual reply time, worked out nightly from their recent answers
(matching.responsiveness) and shown on their card and page only with enough answers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import jobs
from matching.responsiveness import MIN_REPLIES, REPLY_WINDOW_DAYS
from profiles.templatetags.directory_tags import reply_time
from tests.factories import MenteeProfileFactory, MentorProfileFactory, MentorshipRequestFactory
from tests.support import run_counting_queries

pytestmark = pytest.mark.django_db


def _answered(profile, *hours: float, status: str = "accepted", ago: timedelta = timedelta(days=1)):
    """Requests to `profile` answered `ago`, each after the given number of hours."""
    answered_at = timezone.now() - ago
    return [
        MentorshipRequestFactory(
            mentor=profile.user,
            status=status,
            decline_reason="not_available" if status == "declined" else "",
            created_at=answered_at - timedelta(hours=h),
            responded_at=answered_at,
        )
        for h in hours
    ]


def _reload(profile):
    profile.refresh_from_db(fields=["reply_hours", "replies_counted"])
    return profile.reply_hours, profile.replies_counted


def test_the_usual_reply_time_is_the_median_of_accepts_and_declines_rounded_up():
    profile = MentorProfileFactory()
    _answered(profile, 2, 30.5)
    _answered(profile, 100, status="declined")

    assert jobs.update_reply_times() == 1

    assert _reload(profile) == (31, 3)  # the median, 30.5 hours, rounded up


def test_fewer_answers_than_the_threshold_show_nothing_but_are_counted():
    profile = MentorProfileFactory()
    _answered(profile, *[5] * (MIN_REPLIES - 1))

    jobs.update_reply_times()

    assert _reload(profile) == (None, MIN_REPLIES - 1)


def test_requests_not_answered_by_the_mentor_do_not_count():
    profile = MentorProfileFactory()
    _answered(profile, 5, 5, 5)
    for trait in ("withdrawn", "expired"):
        MentorshipRequestFactory(mentor=profile.user, **{trait: True})
    MentorshipRequestFactory(mentor=profile.user)  # still waiting
    # An informal pair the mentor recorded themselves: nothing was asked of them.
    MentorshipRequestFactory(
        mentor=profile.user, status="accepted", sent_by_mentor=True, responded_at=timezone.now()
    )

    jobs.update_reply_times()

    assert _reload(profile) == (5, 3)


def test_answers_older_than_the_window_age_out_and_the_figure_is_reset():
    profile = MentorProfileFactory()
    _answered(profile, 10, 10, 10, ago=timedelta(days=REPLY_WINDOW_DAYS - 10))
    jobs.update_reply_times()
    assert _reload(profile) == (10, 3)

    later = timezone.now() + timedelta(days=20)
    assert jobs.update_reply_times(now=later) == 1

    assert _reload(profile) == (None, 0)


def test_a_second_run_changes_nothing():
    profile = MentorProfileFactory()
    _answered(profile, 1, 2, 3)
    assert jobs.update_reply_times() == 1

    assert jobs.update_reply_times() == 0
    assert _reload(profile) == (2, 3)


def test_the_job_makes_the_same_queries_for_any_number_of_mentors():
    _answered(MentorProfileFactory(), 1, 1, 1)
    _, few = run_counting_queries(jobs.update_reply_times)
    for profile in MentorProfileFactory.create_batch(6):
        _answered(profile, 7, 7, 7)
    changed, many = run_counting_queries(jobs.update_reply_times)

    assert changed == 6
    assert many == few


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (None, ""),
        (1, "within a day"),
        (24, "within a day"),
        (25, "within 2 days"),
        (48, "within 2 days"),
        (49, "within 3 days"),
        (168, "within a week"),
        (169, "within two weeks"),
        (400, "in more than two weeks"),
    ],
)
def test_the_reply_time_in_words(hours, words):
    assert reply_time(hours) == words


def test_the_card_and_the_page_show_it_only_with_enough_answers(client_for):
    quick = MentorProfileFactory(user__full_name="Quick Quinn")
    slow = MentorProfileFactory(user__full_name="New Nora")
    _answered(quick, 30, 40, 45)
    _answered(slow, 2, 2)
    jobs.update_reply_times()
    viewer = client_for(MenteeProfileFactory().user)

    html = viewer.get(reverse("profiles:directory")).content.decode()
    page = viewer.get(reverse("matching:mentor-detail", args=[quick.pk])).content.decode()
    other = viewer.get(reverse("matching:mentor-detail", args=[slow.pk])).content.decode()

    assert html.count("Usually replies") == 1
    assert "Usually replies within 2 days" in html
    assert "Usually replies within 2 days" in page
    assert "Usually replies" not in other
