"""The programme dashboard at /admin/: what is waiting in the person's programmes, counted with
the admin lists' own rules and scoping, in the same few queries whatever the data; and staff
land there after signing in."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Min, Q
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.conversations import conversation_for_mentorship
from matching.models import Message, MessageReport, RequestReport
from mentoring.backoffice.dashboard import build_dashboard, headline_figures, waiting_figures
from mentoring.models import Outbox
from profiles.admin import listed_rule
from profiles.models import Membership, MentorProfile
from tests.factories import (
    PASSWORD,
    CheckInFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import local_noon

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def fill(programme, n: int, *, review_days: int) -> None:
    """n of everything that can wait, in `programme` only."""
    for _ in range(n):
        mentor = MentorProfileFactory(programmes=[programme])
        MentorProfileFactory(
            programmes=[programme], review_status="submitted", submitted_at=local_noon(review_days)
        )
        # A mentee who asked a mentor a week and more ago and applied to be matched.
        asking = MenteeProfileFactory(programmes=[programme])
        MentorshipRequestFactory(
            mentee=asking.user, mentor=mentor.user, programme=programme, created_at=ago(days=9)
        )
        Membership.objects.filter(user=asking.user, programme=programme).update(
            applied_at=ago(days=3)
        )
        # A pair that has not met since it started three months ago, with a worried check-in.
        paired = MenteeProfileFactory(programmes=[programme])
        pair = MentorshipFactory(
            mentor=mentor.user, mentee=paired.user, programme=programme, started_at=ago(days=90)
        )
        CheckInFactory(mentorship=pair, answered_at=ago(days=1), rating=1)
        declined = MentorshipRequestFactory(
            mentee=paired.user, mentor=mentor.user, programme=programme, declined=True
        )
        RequestReport.objects.create(request=declined, reported_by=mentor.user, reason="Rude.")
        message = Message.objects.create(
            conversation=conversation_for_mentorship(pair), author=paired.user, body="Hello."
        )
        MessageReport.objects.create(message=message, reported_by=mentor.user, reason="Rude.")
        key = uuid.uuid4().hex
        Outbox.objects.create(
            kind="request_received",
            recipient=paired.user,
            to_email=paired.user.email,
            subject="A new request",
            body_text="…",
            dedupe_key=key,
            message_id=f"<{key}@example.org>",
            status=Outbox.Status.FAILED,
        )


def coordinator_of(*programmes):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    for programme in programmes:
        programme.coordinators.add(user)
    return user


def counts(response) -> dict[str, int]:
    dashboard = response.context["dashboard"]
    return {line.key: line.count for line in dashboard.waiting + dashboard.clear}


def headlines(response) -> dict[str, int]:
    return {h.label: h.count for h in response.context["dashboard"].headlines}


@pytest.fixture
def programmes():
    careers = ProgrammeFactory(slug="careers", name="Careers")
    staff = ProgrammeFactory(slug="staff", name="Staff")
    fill(careers, 1, review_days=40)
    fill(staff, 2, review_days=12)
    return careers, staff


def test_a_coordinator_sees_their_programmes_counts_only(client_for, programmes):
    careers, staff = programmes
    response = client_for(coordinator_of(staff)).get(reverse("admin:index"))

    assert response.status_code == 200
    assert counts(response) == {
        "review": 2,
        "requests": 2,
        "pairs": 2,
        "check_ins": 2,
        "message_reports": 2,
        "request_reports": 2,
        "failed_emails": 2,
        f"applicants-{staff.pk}": 2,
    }
    assert headlines(response) == {
        "Active pairs": 2,
        "Mentors listed": 2,
        "Mentees without a mentor": 2,
    }
    dashboard = response.context["dashboard"]
    assert dashboard.programmes == ["Staff"]
    review = next(line for line in dashboard.waiting if line.key == "review")
    assert review.waiting_days == 12
    html = response.content.decode()
    assert "(oldest waiting 12 days)" in html
    assert "Careers" not in html
    # The app list is still there, below.
    assert reverse("admin:profiles_mentorprofile_changelist") in html
    assert 'id="scheme-tools"' in html


def test_a_superuser_sees_every_programme(client_for, admin_user, programmes):
    careers, staff = programmes
    response = client_for(admin_user).get(reverse("admin:index"))

    assert counts(response) == {
        "review": 3,
        "requests": 3,
        "pairs": 3,
        "check_ins": 3,
        "message_reports": 3,
        "request_reports": 3,
        "failed_emails": 3,
        f"applicants-{careers.pk}": 1,
        f"applicants-{staff.pk}": 2,
    }
    assert headlines(response)["Active pairs"] == 3
    review = next(line for line in response.context["dashboard"].waiting if line.key == "review")
    assert review.waiting_days == 40  # the oldest, in careers


def test_oldest_first_and_nothing_waiting_listed_apart(client_for, programmes):
    _, staff = programmes
    MessageReport.objects.all().delete()
    dashboard = client_for(coordinator_of(staff)).get(reverse("admin:index")).context["dashboard"]
    oldest = [line.oldest for line in dashboard.waiting]
    assert oldest == sorted(oldest)
    assert dashboard.waiting[0].key == "pairs"  # started 90 days ago
    assert [line.key for line in dashboard.clear] == ["message_reports"]


def test_each_line_counts_the_rows_its_link_lists(client_for, programmes):
    _, staff = programmes
    client = client_for(coordinator_of(staff))
    dashboard = client.get(reverse("admin:index")).context["dashboard"]
    for line in dashboard.waiting:
        response = client.get(line.url)
        assert response.status_code == 200, line.key
        if "cl" in response.context:
            assert response.context["cl"].result_count == line.count, line.key
        else:  # the central matching queue
            assert len(response.context["queue"]) == line.count, line.key
    for number in dashboard.headlines:
        response = client.get(number.url)
        assert response.context["cl"].result_count == number.count, number.label


def counted_the_first_way(request, figure) -> dict:
    """A figure as the dashboard first counted it: every row of the admin list, with the rule
    in the aggregates' FILTER rather than in the WHERE clause."""
    model_admin = admin.site.get_model_admin(figure.model)
    rows = model_admin.scope(request, figure.model._default_manager.all())
    aggregates = {"n": Count("pk", filter=figure.condition)}
    if figure.oldest:
        aggregates["oldest"] = Min(figure.oldest, filter=figure.condition)
    return rows.aggregate(**aggregates)


def test_the_counts_are_those_of_the_rule_over_every_listed_row(admin_user, programmes):
    """The dashboard filters before counting (so the database can use its partial indexes):
    the same numbers and dates as counting every row of the list with the rule as a FILTER,
    for each kind of person, with rows that must not count (another programme, a membership
    that ended, answered long ago, unlisted, a pair for advice)."""
    careers, staff = programmes
    both = MentorProfileFactory(
        programmes=[careers, staff], review_status="submitted", submitted_at=ago(days=5)
    )
    gone = MentorProfileFactory(
        programmes=[staff], review_status="submitted", submitted_at=ago(days=50)
    )
    Membership.objects.filter(user=gone.user).update(status="left", left_at=ago(days=1))
    listed_then_left = MentorProfileFactory(programmes=[staff])
    Membership.objects.filter(user=listed_then_left.user).update(status="left", left_at=ago(days=1))
    advised = MenteeProfileFactory(programmes=[staff])
    MentorshipFactory(mentor=both.user, mentee=advised.user, programme=staff, engagement="advice")
    old_pair = MentorshipFactory(mentor=listed_then_left.user, programme=staff, ended=True)
    CheckInFactory(mentorship=old_pair, answered_at=ago(days=40), rating=1)
    RequestReport.objects.filter(request__programme=staff).update(created_at=ago(days=31))

    people = [
        coordinator_of(staff),
        coordinator_of(careers, staff),
        coordinator_of(ProgrammeFactory(slug="empty", name="Empty")),
        admin_user,
    ]
    seen = {}
    for person in people:
        request = RequestFactory().get(reverse("admin:index"))
        request.user = person
        dashboard = build_dashboard(request)
        lines = {line.key: line for line in dashboard.waiting + dashboard.clear}
        numbers = {headline.label: headline.count for headline in dashboard.headlines}
        for figure in waiting_figures(request, timezone.now()):
            expected = counted_the_first_way(request, figure)
            assert lines[figure.key].count == expected["n"], (person, figure.key)
            assert lines[figure.key].oldest == expected["oldest"], (person, figure.key)
        for figure in headline_figures(request):
            assert numbers[figure.label] == counted_the_first_way(request, figure)["n"]
        seen[person.pk] = {key: line.count for key, line in lines.items()} | numbers

    staff_only, admin_counts = seen[people[0].pk], seen[admin_user.pk]
    # Two in the fill and the mentor of both; not the one who left.
    assert staff_only["review"] == 3
    assert admin_counts["review"] == 1 + 3 + 1  # careers, staff and the one who left
    assert staff_only["request_reports"] == 0  # reported 31 days ago
    assert staff_only["Mentees without a mentor"] == 2 + 1  # the advised mentee too
    assert set(seen[people[2].pk].values()) == {0}


def test_the_same_queries_whatever_the_data(client_for, admin_user):
    staff = ProgrammeFactory(slug="staff", name="Staff")
    other = ProgrammeFactory(slug="other", name="Other")
    coordinator = coordinator_of(staff, other)
    measured = {}
    for user in (coordinator, admin_user):
        client = client_for(user)
        client.get(reverse("admin:index"))  # warm the session and permission caches alike
    for size in (1, 3):
        fill(staff, size, review_days=size)
        fill(other, size, review_days=size)
        for user in (coordinator, admin_user):
            client = client_for(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("admin:index")).status_code == 200
            measured[user.pk, size] = len(queries)
    for user in (coordinator, admin_user):
        assert measured[user.pk, 1] == measured[user.pk, 3] <= MAX_QUERIES


def test_only_those_who_may_see_the_outbox_are_told_of_failed_emails(client_for, programmes):
    _, staff = programmes
    # Staff with no admin permission: the page opens, with nothing to count.
    nobody = UserFactory(is_staff=True)
    staff.coordinators.add(nobody)
    response = client_for(nobody).get(reverse("admin:index"))
    assert response.status_code == 200
    assert counts(response) == {}
    assert "failed to send" not in response.content.decode()


def test_participants_and_visitors_are_sent_to_sign_in(client_for, programmes):
    admin_login = reverse("admin:login")
    anonymous = client_for(None).get(reverse("admin:index"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(admin_login)
    mentee = MenteeProfileFactory().user
    participant = client_for(mentee).get(reverse("admin:index"))
    assert participant.status_code == 302
    assert participant["Location"].startswith(admin_login)


def test_staff_land_on_the_dashboard_after_signing_in(client, programmes):
    _, staff = programmes
    coordinator = coordinator_of(staff)
    response = client.post(
        reverse("account_login"), {"login": coordinator.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_participants_still_land_at_home(client, programmes):
    mentee = MenteeProfileFactory().user
    response = client.post(reverse("account_login"), {"login": mentee.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_next_address_still_wins_for_staff(client, programmes):
    _, staff = programmes
    coordinator = coordinator_of(staff)
    target = reverse("admin-reports")
    response = client.post(
        reverse("account_login"),
        {"login": coordinator.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.url == target


def _fields_read(q: Q) -> set[str]:
    return {
        field
        for child in q.children
        for field in (_fields_read(child) if isinstance(child, Q) else {child[0].split("__")[0]})
    }


@pytest.mark.parametrize("who", ["coordinator", "superuser"])
def test_mentors_listed_are_counted_from_an_index_alone(programmes, admin_user, who):
    """The "Mentors listed" rule (profiles.admin.listed_rule) reads only what the partial index
    mentor_listed_programmes_idx holds: its key (the user, by which the count meets the
    programme's memberships), the programmes it includes and its condition (listed). So
    Postgres counts from the index alone: at 100,000 mentors a scan of the profiles took
    110 ms of the dashboard's 135 ms of database time, the index-only count 27 ms."""
    careers, _ = programmes
    request = RequestFactory().get(reverse("admin:index"))
    request.user = coordinator_of(careers) if who == "coordinator" else admin_user
    index = next(i for i in MentorProfile._meta.indexes if i.name == "mentor_listed_programmes_idx")
    held = {*index.fields, *index.include, *_fields_read(index.condition)}

    assert _fields_read(listed_rule(request)) <= held
    assert held == {"user", "programme_ids", "is_listed"}


@pytest.mark.parametrize("hour", [0, 23])
def test_days_waiting_are_calendar_days_at_any_hour(client_for, time_machine, hour):
    # Sent at noon on the 15th: 12 days on the 27th, early or late, on the dashboard and in
    # the review queue alike (the dashboard once counted whole 24 hours: 11 before noon).
    staff = ProgrammeFactory(slug="staff", name="Staff")
    time_machine.move_to(timezone.make_aware(datetime(2026, 11, 15, 12, 0)), tick=False)
    MentorProfileFactory(programmes=[staff], review_status="submitted", submitted_at=timezone.now())
    time_machine.move_to(timezone.make_aware(datetime(2026, 11, 27, hour, 30)), tick=False)
    client = client_for(coordinator_of(staff))

    dashboard = client.get(reverse("admin:index"))
    queue = client.get(reverse("admin:profiles_mentorprofile_changelist") + "?review=queue")

    review = next(line for line in dashboard.context["dashboard"].waiting if line.key == "review")
    assert review.waiting_days == 12
    assert "Waiting 12 days" in queue.content.decode()


@pytest.mark.parametrize("hour", [0, 23])
def test_reports_of_30_days_are_counted_in_the_schemes_days(client_for, time_machine, hour):
    # The list they link to filters by the day in the scheme's time zone: so does the count.
    # Just after midnight in summer the UTC date is the day before, which once counted a
    # report of 31 days ago that its list left out.
    staff = ProgrammeFactory(slug="staff", name="Staff")
    mentor = MentorProfileFactory(programmes=[staff])
    now = timezone.make_aware(datetime(2027, 7, 2, hour, 20))
    reports = {}
    for days in (30, 31):
        declined = MentorshipRequestFactory(
            mentee=MenteeProfileFactory(programmes=[staff]).user,
            mentor=mentor.user,
            programme=staff,
            declined=True,
        )
        reports[days] = RequestReport.objects.create(
            request=declined, reported_by=mentor.user, reason="Rude."
        )
    for days, report in reports.items():
        at = timezone.make_aware(datetime.combine(now.date() - timedelta(days=days), now.time()))
        RequestReport.objects.filter(pk=report.pk).update(created_at=at)
    time_machine.move_to(now, tick=False)
    client = client_for(coordinator_of(staff))

    dashboard = client.get(reverse("admin:index"))
    line = next(
        line for line in dashboard.context["dashboard"].waiting if line.key == "request_reports"
    )
    listed = client.get(line.url)

    assert line.count == 1
    assert listed.context["cl"].result_count == 1
    assert list(listed.context["cl"].result_list) == [reports[30]]
