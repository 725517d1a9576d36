"""Every figure of the report, checked against data built by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import delete_account
from mentoring.backoffice.reports import build_report, suppress
from mentoring.backoffice.reports.query import Period, Scope, period_figures
from profiles.models import Membership
from tests.admin.conftest import END, START, local
from tests.factories import (
    CheckInFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def shown(report, label: str) -> str:
    return report.figure(label).shown


def series(report, key: str) -> dict[str, str]:
    found = next(s for s in [*report.trends, report.end_reasons, report.ratings] if s.key == key)
    return {point.label: point.shown for point in found.points}


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (17, "17"), (12345, "12,345")],
)
def test_counts_from_one_to_four_are_shown_as_fewer_than_five(n, expected):
    assert suppress(n) == expected


def test_requests_sent_in_the_period_by_outcome_and_acceptance_rate():
    inside = local(2025, 4, 10)
    for _ in range(6):
        MentorshipRequestFactory(created_at=inside, accepted=True)
    for _ in range(2):
        MentorshipRequestFactory(created_at=inside, declined=True)
    MentorshipRequestFactory(created_at=inside, withdrawn=True)
    for _ in range(3):
        MentorshipRequestFactory(created_at=inside, expired=True)
    for _ in range(5):
        MentorshipRequestFactory(created_at=inside)
    # Sent before and after the period: not counted.
    MentorshipRequestFactory(created_at=local(2025, 2, 28, 23, 59), accepted=True)
    MentorshipRequestFactory(created_at=local(2025, 6, 1, 0, 0), declined=True)

    report = build_report(START, END)

    assert shown(report, "Requests sent") == "17"
    assert shown(report, "Accepted") == "6"
    assert shown(report, "Declined") == "<5"
    assert shown(report, "Withdrawn by the mentee") == "<5"
    assert shown(report, "Expired unanswered") == "<5"
    assert shown(report, "Still waiting") == "5"
    # 6 accepted of 6 + 2 + 3 answered or expired; withdrawn and waiting ones have no outcome.
    assert shown(report, "Acceptance rate") == "55%"


def test_acceptance_rate_is_hidden_below_five_outcomes():
    for _ in range(3):
        MentorshipRequestFactory(created_at=local(2025, 4, 10), accepted=True)
    MentorshipRequestFactory(created_at=local(2025, 4, 10), declined=True)

    report = build_report(START, END)

    assert shown(report, "Acceptance rate") == "–"


def _answered_after(hours: float, status: str = "accepted"):
    sent = local(2025, 4, 1, 9)
    return MentorshipRequestFactory(
        created_at=sent, status=status, responded_at=sent + timedelta(hours=hours)
    )


def test_median_time_to_a_response_is_the_middle_of_the_answers():
    for hours in [1, 2, 3, 10, 100]:
        _answered_after(hours)
    _answered_after(400, status="declined")  # six answers: the median is between 3 and 10
    MentorshipRequestFactory(created_at=local(2025, 4, 1), expired=True)  # never answered

    report = build_report(START, END)

    figure = report.figure("Median time to a response")
    assert figure.shown == "6 hours"
    assert figure.csv_label == "Median time to a response (hours)"
    assert figure.csv_value == 6.5


def test_median_time_to_a_response_in_days_when_long():
    for hours in [50, 60, 72, 80, 90]:
        _answered_after(hours)

    report = build_report(START, END)

    assert shown(report, "Median time to a response") == "3.0 days"


def test_median_time_to_a_response_is_hidden_below_five_answers():
    for hours in [1, 2, 3, 4]:
        _answered_after(hours)

    report = build_report(START, END)

    assert shown(report, "Median time to a response") == "–"
    assert report.figure("Median time to a response").csv_value is None
    assert report.figure("Median time to a response").suppressed
    exact = build_report(START, END, exact=True).figure("Median time to a response")
    assert (exact.shown, exact.csv_value, exact.suppressed) == ("2 hours", 2.5, False)


def test_mentorships_started_active_and_ended_by_reason(admin_user):
    mentor = MentorProfileFactory(capacity=10).user
    for day in range(1, 6):
        MentorshipFactory(mentor=mentor, started_at=local(2025, 3, day))
    for _ in range(2):
        MentorshipFactory(started_at=local(2025, 4, 2), created_by=admin_user)
    ended_in_period = [
        ("achieved", 5),
        ("achieved", 4),
        ("achieved", 4),
        ("not_a_fit", 3),
        ("circumstances", 5),
    ]
    for reason, rating in ended_in_period:
        MentorshipFactory(
            started_at=local(2024, 12, 1),
            ended=True,
            ended_at=local(2025, 5, 20),
            end_reason=reason,
            feedback_rating=rating,
        )
    # Ended before the period, started after it: neither active in it nor counted.
    MentorshipFactory(started_at=local(2024, 6, 1), ended=True, ended_at=local(2025, 2, 1))
    MentorshipFactory(started_at=local(2025, 6, 2))
    # Started in the period and ended after it: active at its end.
    MentorshipFactory(started_at=local(2025, 5, 1), ended=True, ended_at=local(2025, 6, 5))

    report = build_report(START, END)

    assert shown(report, "Started") == "8"
    assert shown(report, "Matched centrally") == "<5"
    assert shown(report, "Active at the end of the period") == "8"
    assert shown(report, "Ended") == "5"
    assert shown(report, "Ended: Objectives achieved") == "<5"
    assert shown(report, "Ended: Not a good fit") == "<5"
    assert shown(report, "Ended: Circumstances changed") == "<5"
    assert shown(report, "Ended: Another reason") == "0"
    assert shown(report, "Rating at the end") == "4.2 of 5"
    # One mentor for five pairs, and eight others: two central, five ended, one still going.
    assert shown(report, "Mentors with a mentee in the period") == "9"
    assert shown(report, "Mentees with a mentor in the period") == "13"
    assert series(report, "end_reasons") == {
        "Objectives achieved": "<5",
        "Not a good fit": "<5",
        "Circumstances changed": "<5",
        "Another reason": "0",
        "Account deleted": "0",
    }


def test_rating_at_the_end_is_hidden_below_five_ratings():
    for rating in [1, 5, 5, 5]:
        MentorshipFactory(
            started_at=local(2025, 1, 1),
            ended=True,
            ended_at=local(2025, 4, 1),
            feedback_rating=rating,
        )

    report = build_report(START, END)

    assert shown(report, "Rating at the end") == "–"


def test_meetings_held_hours_and_pairs():
    pair, other = MentorshipFactory(), MentorshipFactory()
    for minutes in [60, 60, 60, 90, 30]:
        MeetingFactory(
            mentorship=pair, held=True, starts_at=local(2025, 4, 3), duration_minutes=minutes
        )
    MeetingFactory(mentorship=other, held=True, starts_at=local(2025, 5, 3), duration_minutes=120)
    MeetingFactory(mentorship=other, held=True, starts_at=local(2025, 6, 3))  # after the period
    MeetingFactory(mentorship=other, starts_at=local(2025, 5, 30))  # planned, not held
    MeetingFactory(mentorship=other, cancelled=True, starts_at=local(2025, 5, 10))

    report = build_report(START, END)

    assert shown(report, "Meetings held") == "6"
    assert shown(report, "Hours of mentoring") == "7.0"
    assert shown(report, "Pairs who met") == "<5"
    assert shown(report, "Meetings cancelled") == "<5"


def test_hours_are_hidden_below_five_meetings():
    for _ in range(4):
        MeetingFactory(held=True, starts_at=local(2025, 4, 3), duration_minutes=45)

    report = build_report(START, END)

    assert shown(report, "Meetings held") == "<5"
    assert shown(report, "Hours of mentoring") == "–"


def test_objectives_set_and_achieved_in_the_period():
    pair = MentorshipFactory()
    for _ in range(5):
        ObjectiveFactory(mentorship=pair, created_at=local(2025, 3, 10))
    ObjectiveFactory(mentorship=pair, created_at=local(2025, 1, 10))
    for achieved_on in [local(2025, 5, 31).date(), local(2025, 3, 1).date()]:
        ObjectiveFactory(
            mentorship=pair,
            created_at=local(2025, 1, 10),
            status="achieved",
            achieved_on=achieved_on,
        )
    ObjectiveFactory(
        mentorship=pair,
        created_at=local(2025, 1, 1),
        status="achieved",
        achieved_on=local(2025, 2, 28).date(),
    )

    report = build_report(START, END)

    assert shown(report, "Objectives set") == "5"
    assert shown(report, "Objectives achieved") == "<5"


def test_check_ins_answered_ratings_and_contact_requests():
    sent = local(2025, 4, 1)
    for rating, contact in [(1, True), (2, False), (4, False), (4, False), (5, False), (5, False)]:
        CheckInFactory(
            sent_at=sent,
            answered_at=sent + timedelta(days=1),
            rating=rating,
            wants_contact=contact,
        )
    for _ in range(2):
        CheckInFactory(sent_at=sent)  # not answered
    CheckInFactory(
        sent_at=local(2025, 2, 1), answered_at=local(2025, 3, 2), rating=1
    )  # sent before

    report = build_report(START, END)

    assert shown(report, "Check-ins sent") == "8"
    assert shown(report, "Answered") == "6"
    assert shown(report, "Response rate") == "75%"
    assert shown(report, "Average rating") == "3.5 of 5"
    assert shown(report, "Asked the scheme team to get in touch") == "<5"
    assert series(report, "ratings") == {
        "1 of 5": "<5",
        "2 of 5": "<5",
        "3 of 5": "0",
        "4 of 5": "<5",
        "5 of 5": "<5",
    }


def test_mentor_profiles_submitted_approved_visible_and_full():
    for day in range(1, 7):
        MentorProfileFactory(
            review_status="submitted", submitted_at=local(2025, 3, day), is_active=True
        )
    MentorProfileFactory(review_status="submitted", submitted_at=local(2025, 2, 1))
    approved = [
        MentorProfileFactory(submitted_at=local(2025, 2, 1), approved_at=local(2025, 4, day))
        for day in (1, 2, 3)
    ]
    full = approved[0]
    for _ in range(full.capacity):
        MentorshipFactory(mentor=full.user, started_at=local(2025, 4, 5))
    MentorProfileFactory(is_active=False, approved_at=local(2024, 1, 1))  # switched off

    report = build_report(START, END)

    assert shown(report, "Profiles submitted for review") == "6"
    assert shown(report, "Profiles approved") == "<5"
    assert shown(report, "Visible to mentees now") == "<5"
    assert shown(report, "Full now") == "<5"
    assert report.section("mentors").figures[3].csv_value is None
    assert report.section("mentors").figures[3].suppressed


def test_mentees_new_in_the_period_and_without_a_mentor_now():
    profiles = [MenteeProfileFactory() for _ in range(7)]
    for profile in profiles[:6]:
        profile.created_at = local(2025, 4, 1)
        profile.save(update_fields=["created_at"])
    for profile in profiles[:2]:
        MentorshipFactory(mentee=profile.user, started_at=local(2025, 4, 20))
    MentorshipFactory(mentee=profiles[2].user, started_at=local(2025, 4, 20), ended=True)

    report = build_report(START, END)

    assert shown(report, "New mentee profiles") == "6"
    # Seven profiles, of whom two have a mentor now (the third's mentorship has ended).
    assert shown(report, "Without a mentor now") == "5"


def test_trends_count_each_month_in_the_scheme_time_zone():
    # Summer time began on 30 March 2025: 23:30 on 31 March in London is still March.
    for _ in range(5):
        MentorshipRequestFactory(created_at=local(2025, 3, 31, 23, 30))
    MentorshipRequestFactory(created_at=local(2025, 4, 30, 23, 30))
    MentorshipRequestFactory(created_at=local(2025, 5, 1, 0, 30))
    for _ in range(6):
        MeetingFactory(held=True, starts_at=local(2025, 5, 15))

    report = build_report(START, END)

    assert [m.isoformat() for m in report.months] == ["2025-03-01", "2025-04-01", "2025-05-01"]
    assert series(report, "requests") == {"Mar 2025": "5", "Apr 2025": "<5", "May 2025": "<5"}
    assert series(report, "mentorships") == {"Mar 2025": "0", "Apr 2025": "0", "May 2025": "0"}
    assert series(report, "meetings") == {"Mar 2025": "0", "Apr 2025": "0", "May 2025": "6"}
    assert report.month_rows()[0] == ("Mar 2025", ["5", "0", "0"])


def test_the_period_includes_both_of_its_days_whole():
    MentorshipRequestFactory(created_at=local(2025, 3, 1, 0, 0))
    MentorshipRequestFactory(created_at=local(2025, 5, 31, 23, 59))
    MentorshipRequestFactory(created_at=local(2025, 2, 28, 23, 59))
    MentorshipRequestFactory(created_at=local(2025, 6, 1, 0, 0))
    for _ in range(3):
        MentorshipRequestFactory(created_at=local(2025, 4, 1))

    report = build_report(START, END)
    one_day = build_report(START, START)

    assert shown(report, "Requests sent") == "5"
    assert shown(one_day, "Requests sent") == "<5"


def test_the_csv_for_publication_has_every_figure_with_small_counts_hidden():
    for _ in range(3):
        MentorshipRequestFactory(created_at=local(2025, 4, 1), accepted=True)
    for _ in range(7):
        MentorshipRequestFactory(created_at=local(2025, 4, 2))

    rows = list(build_report(START, END).csv_rows())

    assert rows[0] == ["Programmes", "From", "To", "Section", "Figure", "Value", "Suppressed"]
    assert {tuple(row[:3]) for row in rows[1:]} == {("", "2025-03-01", "2025-05-31")}
    figures = [row[3:] for row in rows[1:]]
    assert ["Requests", "Requests sent", 10, ""] in figures
    assert ["Requests", "Accepted", None, "yes"] in figures
    assert ["Requests", "Still waiting", 7, ""] in figures
    assert ["Requests sent by month", "2025-04", 10, ""] in figures
    assert ["Requests sent by month", "2025-05", 0, ""] in figures
    assert ["Why mentorships ended", "Objectives achieved", 0, ""] in figures
    # Every value is a number or empty (suppressed, or nothing behind it); never 1 to 4.
    values = [row[2] for row in figures]
    assert all(v is None or isinstance(v, int | float) for v in values)
    assert not {1, 2, 3, 4} & {v for v in values if isinstance(v, int)}
    assert all((v is None) == (s == "yes") for _, label, v, s in figures if "rate" not in label)


def test_attention_counts_are_exact_and_describe_now(set_scheme):
    set_scheme(unmatched_alert_weeks=3)
    now = timezone.now()
    MentorshipRequestFactory(created_at=now - timedelta(days=8))
    MentorshipRequestFactory(created_at=now - timedelta(days=6))
    lonely = MenteeProfileFactory()
    lonely.created_at = now - timedelta(weeks=4)
    lonely.save(update_fields=["created_at"])
    Membership.objects.filter(user=lonely.user).update(joined_at=now - timedelta(weeks=4))
    MentorshipFactory(started_at=now - timedelta(days=61))
    CheckInFactory(sent_at=now, answered_at=now, rating=2)

    report = build_report(START, END)

    counts = {card.key: card.count for card in report.attention}
    labels = {card.key: card.label for card in report.attention}
    assert counts == {"requests": 1, "mentees": 1, "pairs": 1, "check_ins": 1}
    assert labels["mentees"] == "Mentees without a mentor after 3 weeks"


def test_a_programmes_report_counts_its_own_pairs_and_weeks():
    now = timezone.now()
    careers = ProgrammeFactory(slug="careers", unmatched_alert_weeks=2)
    staff = ProgrammeFactory(slug="staff", unmatched_alert_weeks=6)
    # A staff mentee who is also a careers mentee, whose only mentor is in careers.
    both = MenteeProfileFactory(programmes=[careers, staff])
    Membership.objects.filter(user=both.user).update(joined_at=now - timedelta(weeks=4))
    MentorshipFactory(mentee=both.user, programme=careers)

    def mentees(ids):
        return period_figures(Period(START, END), now, Scope(ids)).mentees

    assert mentees([staff.pk])["without_mentor"] == 1  # no staff mentor
    assert mentees([staff.pk])["unmatched"] == 0  # four weeks of staff's six
    assert mentees([careers.pk])["without_mentor"] == 0
    assert mentees(None)["without_mentor"] == 0  # every programme: a mentor now
    Membership.objects.filter(user=both.user).update(joined_at=now - timedelta(weeks=7))
    assert mentees([staff.pk])["unmatched"] == 1
    assert mentees([careers.pk])["unmatched"] == 0  # paired in careers

    labels = {
        ids: {card.key: card.label for card in build_report(START, END, scope=Scope(ids)).attention}
        for ids in [(staff.pk,), None]
    }
    assert labels[(staff.pk,)]["mentees"] == "Mentees without a mentor after 6 weeks"
    assert labels[None]["mentees"] == (
        "Mentees without a mentor after 2 to 6 weeks (each programme's own)"
    )


def test_a_mentor_is_a_person_not_a_profile_count():
    # The same mentor with two mentees counts once.
    mentor = UserFactory()
    MentorProfileFactory(user=mentor, capacity=5)
    for _ in range(2):
        MentorshipFactory(mentor=mentor, started_at=local(2025, 4, 1))

    report = build_report(START, END)

    assert report.figure("Mentors with a mentee in the period").shown == "<5"
    assert report.figure("Started").shown == "<5"
    exact = build_report(START, END, exact=True)
    assert exact.figure("Mentors with a mentee in the period").csv_value == 1
    assert exact.figure("Started").csv_value == 2


def test_the_report_page_and_csv_with_pairs_and_requests_of_deleted_people(client_for, admin_user):
    pair = MentorshipFactory()
    MentorshipRequestFactory(mentee=pair.mentee, mentor=pair.mentor, declined=True)
    delete_account(pair.mentor)
    client = client_for(admin_user)

    page = client.get(reverse("admin-reports"))
    csv = client.get(reverse("admin-reports"), {"format": "csv"})

    assert page.status_code == 200
    assert csv.status_code == 200
