"""A programme's training: recording it (by the person or a coordinator), renewing it, what
approval and matching wait for (with the sentence each person reads), the training page and
the expiry reminder."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from mentoring.models import Outbox
from profiles import jobs, services, training
from profiles.models import Membership, MentorProfile, Training, TrainingRecord
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Staff mentoring", slug="staff", mentor_approval_required=True)


@pytest.fixture
def briefing(programme):
    return Training.objects.create(
        programme=programme,
        name="Mentor briefing",
        audience=Training.Audience.MENTORS,
        required=True,
        valid_months=24,
    )


@pytest.fixture
def coordinator(programme):
    user = UserFactory(full_name="Cora Coordinator", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


def _pending_mentor(programme) -> Membership:
    profile = MentorProfileFactory(
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        programmes=[],
        user=UserFactory(full_name="Ann Jones"),
    )
    return Membership.objects.create(
        user=profile.user,
        programme=programme,
        role=Membership.Role.MENTOR,
        status=Membership.Status.PENDING,
    )


# Recording -----------------------------------------------------------------------------------


def test_recording_sets_the_expiry_from_the_validity_and_twice_is_once(briefing):
    user = UserFactory()

    first = training.record_completion(user, briefing, date(2026, 1, 31))
    again = training.record_completion(user, briefing, date(2026, 1, 31))

    assert first.pk == again.pk
    assert TrainingRecord.objects.count() == 1
    assert again.expires_on == date(2028, 1, 31)
    assert again.recorded_by is None


def test_a_later_date_renews_and_an_earlier_one_changes_nothing(briefing):
    user = UserFactory()
    record = training.record_completion(user, briefing, date(2024, 3, 1))
    TrainingRecord.objects.filter(pk=record.pk).update(expiry_reminded_at=timezone.now())

    training.record_completion(user, briefing, date(2023, 5, 1))
    record.refresh_from_db()
    assert record.completed_on == date(2024, 3, 1) and record.expiry_reminded_at is not None

    training.record_completion(user, briefing, date(2026, 2, 1))
    record.refresh_from_db()
    assert (record.completed_on, record.expires_on) == (date(2026, 2, 1), date(2028, 2, 1))
    assert record.expiry_reminded_at is None  # the renewed training gets its own reminder


def test_a_date_in_the_future_is_refused(briefing):
    with pytest.raises(training.TrainingError, match="cannot be in the future"):
        training.record_completion(
            UserFactory(), briefing, timezone.localdate() + timedelta(days=1)
        )
    assert not TrainingRecord.objects.exists()


def test_training_without_validity_never_expires_and_fills_the_profiles_date(programme):
    item = Training.objects.create(programme=programme, name="Essentials", required=True)
    profile = MentorProfileFactory(programmes=[programme], training_completed_on=None)

    record = training.record_completion(profile.user, item, date(2025, 6, 2))

    assert record.expires_on is None
    profile.refresh_from_db()
    assert profile.training_completed_on == date(2025, 6, 2)


def test_the_31st_plus_a_month_is_the_months_last_day():
    assert training.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert training.add_months(date(2026, 11, 30), -23) == date(2024, 12, 30)


# Approval waits for required training ------------------------------------------------------


def test_approval_waits_for_required_training_with_the_sentence(programme, briefing, coordinator):
    membership = _pending_mentor(programme)

    with pytest.raises(services.ProfileError) as refused:
        services.approve_membership(membership, by=coordinator)

    assert str(refused.value) == (
        "Ann Jones has not completed mentor training yet: Staff mentoring requires Mentor "
        "briefing (required) before approval. Record it (Training records, or “Record "
        "training” on the memberships) once they have."
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert training.approval_sentence(
        training.outstanding_required(membership.user, programme, "mentor")
    ) == ("Before you can be approved, please complete: Mentor briefing (required).")

    training.record_completion(membership.user, briefing, timezone.localdate())
    services.approve_membership(membership, by=coordinator)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_expired_training_blocks_approval_again(programme, briefing, coordinator):
    membership = _pending_mentor(programme)
    training.record_completion(membership.user, briefing, date(2020, 1, 10))

    outstanding = training.outstanding_required(membership.user, programme, "mentor")

    assert [e.label for e in outstanding] == [
        "Mentor briefing (required; yours expired on 10 January 2022)"
    ]
    with pytest.raises(services.ProfileError, match="expired on 10 January 2022"):
        services.approve_membership(membership, by=coordinator)


def test_advised_training_and_mentee_training_never_block_a_mentors_approval(
    programme, coordinator
):
    Training.objects.create(programme=programme, name="Reading list", required=False)
    Training.objects.create(
        programme=programme, name="Orientation", required=True, audience="mentees"
    )
    membership = _pending_mentor(programme)

    services.approve_membership(membership, by=coordinator)

    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_the_older_rule_still_waits_for_the_profiles_training_date(programme, coordinator):
    programme.mentor_training_required = True
    programme.save()
    membership = _pending_mentor(programme)

    with pytest.raises(services.ProfileError, match="has not completed mentor training yet"):
        services.approve_membership(membership, by=coordinator)

    MentorProfile.objects.filter(user=membership.user).update(
        training_completed_on=timezone.localdate()
    )
    services.approve_membership(membership, by=coordinator)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_the_admins_approve_action_refuses_with_the_sentence(
    client_for, programme, briefing, coordinator
):
    membership = _pending_mentor(programme)

    response = client_for(coordinator).post(
        reverse("admin:profiles_membership_changelist"),
        {"action": "approve", ACTION_CHECKBOX_NAME: [membership.pk]},
        follow=True,
    )

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "Ann Jones has not completed mentor training yet: Staff mentoring requires Mentor "
        "briefing (required) before approval." in m
        for m in shown
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_the_mentor_reads_the_sentence_on_their_profile_page_and_home(
    client_for, programme, briefing
):
    membership = _pending_mentor(programme)
    client = client_for(membership.user)
    sentence = "Before you can be approved, please complete: Mentor briefing (required)."

    for url in (
        reverse("profiles:mentor-edit"),
        "/",
        reverse("profiles:programme-training", args=["staff"]),
    ):
        page = client.get(url).content.decode()
        assert sentence in page, url


def test_a_mentee_cannot_approach_a_mentor_before_required_training(programme):
    orientation = Training.objects.create(
        programme=programme, name="Mentee orientation", required=True, audience="mentees"
    )
    mentor = MentorProfileFactory(programmes=[programme])
    mentee = MenteeProfileFactory(programmes=[programme]).user

    with pytest.raises(matching.MatchingError) as refused:
        matching.send_request(
            mentee=mentee, mentor=mentor.user, message="Hello", programme=programme
        )

    assert str(refused.value) == (
        "Before you can approach a mentor in Staff mentoring, please complete: Mentee "
        "orientation (required). Mark it done on the programme's training page."
    )
    training.record_completion(mentee, orientation, timezone.localdate())
    req = matching.send_request(
        mentee=mentee, mentor=mentor.user, message="Hello", programme=programme
    )
    assert req.pk is not None


def test_central_matching_waits_for_a_mentees_required_training(programme, coordinator):
    Training.objects.create(
        programme=programme, name="Mentee orientation", required=True, audience="both"
    )
    mentor = MentorProfileFactory(programmes=[programme])
    training.record_completion(mentor.user, programme.trainings.get(), timezone.localdate())
    mentee = MenteeProfileFactory(programmes=[programme], user=UserFactory(full_name="Bo Li")).user

    with pytest.raises(matching.MatchingError, match="Bo Li has not completed mentee training yet"):
        matching.create_mentorship(
            mentor=mentor.user, mentee=mentee, by=coordinator, programme=programme
        )


# The training page ---------------------------------------------------------------------------


def test_the_page_lists_whats_expected_and_marks_one_done(client_for, programme, briefing):
    Training.objects.create(programme=programme, name="Reading list", audience="both")
    Training.objects.create(programme=programme, name="Orientation", audience="mentees")
    membership = _pending_mentor(programme)
    client = client_for(membership.user)
    url = reverse("profiles:programme-training", args=["staff"])

    page = client.get(url).content.decode()
    assert "Mentor briefing" in page and "Reading list" in page
    assert "Orientation" not in page  # for mentees only
    assert "Required" in page and "Advised" in page

    done = reverse("profiles:programme-training-done", args=["staff", briefing.pk])
    day = timezone.localdate() - timedelta(days=3)
    response = client.post(done, {f"t{briefing.pk}-completed_on": day.isoformat()})
    again = client.post(done, {f"t{briefing.pk}-completed_on": day.isoformat()})

    assert response.status_code == again.status_code == 302
    record = TrainingRecord.objects.get()
    assert record.completed_on == day
    page = client.get(url).content.decode()
    assert f"You completed it on {day:%-d %B %Y}" in page
    assert "Before you can be approved" not in page


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", "Enter the date you completed it."),
        ("yesterday", "Enter a real date"),
        ("2999-01-01", "The date you completed it cannot be in the future."),
    ],
)
def test_a_bad_date_is_shown_next_to_the_field_and_kept(
    client_for, programme, briefing, value, error
):
    membership = _pending_mentor(programme)
    done = reverse("profiles:programme-training-done", args=["staff", briefing.pk])

    response = client_for(membership.user).post(done, {f"t{briefing.pk}-completed_on": value})

    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert f'id="id_t{briefing.pk}-completed_on"' in page
    if value:
        assert f'value="{value}"' in page
    assert not TrainingRecord.objects.exists()


def test_training_that_is_not_for_the_person_is_a_404(client_for, programme):
    mentees_only = Training.objects.create(
        programme=programme, name="Orientation", audience="mentees"
    )
    membership = _pending_mentor(programme)
    done = reverse("profiles:programme-training-done", args=["staff", mentees_only.pk])

    response = client_for(membership.user).post(
        done, {f"t{mentees_only.pk}-completed_on": "2026-01-01"}
    )

    assert response.status_code == 404
    assert not TrainingRecord.objects.exists()


def test_training_pages_authorization(client_for, programme, briefing, coordinator):
    member = _pending_mentor(programme).user
    other_member = MenteeProfileFactory(programmes=[programme]).user
    stranger = MenteeProfileFactory().user  # in another programme
    left = MenteeProfileFactory(programmes=[programme]).user
    Membership.objects.filter(user=left).update(
        status=Membership.Status.LEFT, left_at=timezone.now()
    )
    url = reverse("profiles:programme-training", args=["staff"])
    done = reverse("profiles:programme-training-done", args=["staff", briefing.pk])

    assert client_for(member).get(url).status_code == 200
    assert client_for(other_member).get(url).status_code == 200  # a member in another role
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(left).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # Recording: only a member the training is for.
    body = {f"t{briefing.pk}-completed_on": "2026-01-05"}
    assert client_for(other_member).post(done, body).status_code == 404  # mentors' training
    assert client_for(stranger).post(done, body).status_code == 404
    assert client_for(coordinator).post(done, body).status_code == 404
    assert client_for(None).post(done, body).status_code == 302
    assert not TrainingRecord.objects.exists()
    assert client_for(member).get(done).status_code == 405


def test_the_training_page_reads_a_constant_number_of_queries(
    client_for, programme, django_assert_max_num_queries
):
    membership = _pending_mentor(programme)
    for n in range(12):
        item = Training.objects.create(
            programme=programme, name=f"Module {n}", required=n % 2 == 0, valid_months=12
        )
        training.record_completion(membership.user, item, timezone.localdate())
    client = client_for(membership.user)
    url = reverse("profiles:programme-training", args=["staff"])

    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.content.decode().count("training-item") >= 12


# The expiry reminder -------------------------------------------------------------------------


def test_training_expiring_within_30_days_is_reminded_exactly_once(programme, briefing):
    profile = MentorProfileFactory(programmes=[programme])
    today = timezone.localdate()
    soon = training.record_completion(
        profile.user, briefing, training.add_months(today, -24) + timedelta(days=20)
    )
    later = MentorProfileFactory(programmes=[programme])
    training.record_completion(
        later.user, briefing, training.add_months(today, -24) + timedelta(days=45)
    )
    gone = MentorProfileFactory(programmes=[programme])
    training.record_completion(
        gone.user, briefing, training.add_months(today, -24) + timedelta(days=10)
    )
    Membership.objects.filter(user=gone.user).update(
        status=Membership.Status.LEFT, left_at=timezone.now()
    )

    assert jobs.remind_expiring_training() == 1
    assert jobs.remind_expiring_training() == 0

    [email] = Outbox.objects.filter(kind="training_expiring")
    assert email.recipient == profile.user
    assert "Mentor briefing" in email.subject
    assert "/programmes/staff/training/" in email.body_text
    soon.refresh_from_db()
    assert soon.expiry_reminded_at is not None

    # Renewed, it expires in two years: the next reminder is for that expiry, once.
    training.record_completion(profile.user, briefing, today)
    assert jobs.remind_expiring_training() == 0
    soon.refresh_from_db()
    assert soon.expiry_reminded_at is None


def test_the_reminder_after_a_renewal_is_a_new_email(programme):
    # Valid a month: done 20 days ago and renewed 5 days ago, both expire within 30 days in any
    # month (renewed today, it would expire in 31 days from a 31-day month: no reminder yet).
    item = Training.objects.create(programme=programme, name="Refresher", valid_months=1)
    profile = MentorProfileFactory(programmes=[programme])
    today = timezone.localdate()
    training.record_completion(profile.user, item, today - timedelta(days=20))
    assert jobs.remind_expiring_training() == 1

    training.record_completion(profile.user, item, today - timedelta(days=5))
    assert jobs.remind_expiring_training() == 1
    assert Outbox.objects.filter(kind="training_expiring").count() == 2


# Recording in bulk from the memberships ------------------------------------------------------


def test_a_coordinator_records_training_for_the_selected_people(
    client_for, programme, briefing, coordinator
):
    waiting = [_pending_mentor(programme) for _ in range(3)]
    elsewhere = MentorProfileFactory()  # the default programme, not theirs
    url = reverse("admin:profiles_membership_changelist")
    client = client_for(coordinator)
    ids = [m.pk for m in waiting]

    form = client.post(url, {"action": "record_training", ACTION_CHECKBOX_NAME: ids})
    assert form.status_code == 200 and b"Completed on" in form.content

    body = {
        "action": "record_training",
        ACTION_CHECKBOX_NAME: ids,
        "apply": "1",
        "training": briefing.pk,
        "completed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
    }
    response = client.post(url, body, follow=True)
    client.post(url, body)  # a second submit changes nothing

    assert "Recorded Mentor briefing for 3 people." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    assert TrainingRecord.objects.filter(training=briefing).count() == 3
    assert set(TrainingRecord.objects.values_list("recorded_by", flat=True)) == {coordinator.pk}
    assert not TrainingRecord.objects.filter(user=elsewhere.user).exists()
    # Now each can be approved.
    services.approve_membership(waiting[0], by=coordinator)


def test_the_bulk_form_refuses_a_future_date_and_records_nothing(
    client_for, programme, briefing, coordinator
):
    membership = _pending_mentor(programme)

    response = client_for(coordinator).post(
        reverse("admin:profiles_membership_changelist"),
        {
            "action": "record_training",
            ACTION_CHECKBOX_NAME: [membership.pk],
            "apply": "1",
            "training": briefing.pk,
            "completed_on": "2999-01-01",
        },
    )

    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    assert not TrainingRecord.objects.exists()


def test_record_for_many_refuses_a_programme_the_person_does_not_run(briefing):
    outsider = UserFactory(is_staff=True)

    with pytest.raises(training.TrainingError, match="You do not coordinate Staff mentoring"):
        training.record_for_many([UserFactory()], briefing, date(2026, 1, 1), by=outsider)


# A programme without an approval step: joining waits for the training ------------------------


def test_a_mentor_joins_a_programme_without_approval_once_trained(client_for):
    advice = ProgrammeFactory(name="Advice point", slug="advice", mentor_approval_required=False)
    item = Training.objects.create(
        programme=advice, name="Introduction to mentoring", required=True, audience="both"
    )
    profile = MentorProfileFactory(programmes=[])
    client = client_for(profile.user)

    response = client.post(
        reverse("profiles:programme-join", args=["advice"]), {"role": "mentor"}, follow=True
    )

    membership = Membership.objects.get(user=profile.user, programme=advice)
    assert membership.status == Membership.Status.PENDING
    assert (
        "Mentees can find you once you have completed its required training: Introduction to "
        "mentoring (required)." in response.content.decode()
    )
    done = reverse("profiles:programme-training-done", args=["advice", item.pk])
    response = client.post(
        done, {f"t{item.pk}-completed_on": timezone.localdate().isoformat()}, follow=True
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert "You are now a mentor in Advice point: its mentees can find you." in (
        response.content.decode()
    )


def test_a_programme_without_required_training_lists_a_mentor_at_once():
    advice = ProgrammeFactory(name="Advice point", slug="advice", mentor_approval_required=False)
    Training.objects.create(programme=advice, name="Reading list", required=False)
    profile = MentorProfileFactory(programmes=[])

    membership = services.join_programme(user=profile.user, programme=advice, role="mentor")

    assert membership.status == Membership.Status.APPROVED


def test_recording_in_bulk_lists_a_mentor_where_no_approval_is_needed(client_for, coordinator):
    advice = ProgrammeFactory(name="Advice point", slug="advice", mentor_approval_required=False)
    advice.coordinators.add(coordinator)
    item = Training.objects.create(programme=advice, name="Introduction", required=True)
    profile = MentorProfileFactory(programmes=[])
    membership = services.join_programme(user=profile.user, programme=advice, role="mentor")
    assert membership.status == Membership.Status.PENDING

    client_for(coordinator).post(
        reverse("admin:profiles_membership_changelist"),
        {
            "action": "record_training",
            ACTION_CHECKBOX_NAME: [membership.pk],
            "apply": "1",
            "training": item.pk,
            "completed_on": timezone.localdate().isoformat(),
        },
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED


def test_the_notices_of_many_programmes_take_the_same_queries_as_one(django_assert_num_queries):
    """The training notice (home, profile pages) reads every programme's training and the
    person's records at once, and says what `outstanding_required` says for each programme:
    done, expired, advised, for the other role, and the older mentor rule."""
    mentee = UserFactory()
    MentorProfileFactory(user=mentee, programmes=[], training_completed_on=None)
    today = timezone.localdate()

    def programme_with(n: int) -> list[Membership]:
        memberships = []
        for i in range(n):
            p = ProgrammeFactory(name=f"Programme {n}-{i}", slug=f"p-{n}-{i}")
            done, lapsed, _ = (
                Training.objects.create(programme=p, name=name, required=True, audience=audience)
                for name, audience in (
                    ("Done", "mentees"),
                    ("Lapsed", "both"),
                    ("Orientation", "mentees"),
                )
            )
            Training.objects.create(programme=p, name="Advised", required=False)
            Training.objects.create(programme=p, name="Mentors only", audience="mentors")
            TrainingRecord.objects.create(user=mentee, training=done, completed_on=today)
            TrainingRecord.objects.create(
                user=mentee,
                training=lapsed,
                completed_on=today - timedelta(days=400),
                expires_on=today - timedelta(days=1),
            )
            memberships.append(
                Membership.objects.create(user=mentee, programme=p, role=Membership.Role.MENTEE)
            )
            legacy = ProgrammeFactory(
                name=f"Legacy {n}-{i}", slug=f"legacy-{n}-{i}", mentor_training_required=True
            )
            memberships.append(
                Membership.objects.create(
                    user=mentee,
                    programme=legacy,
                    role=Membership.Role.MENTOR,
                    status=Membership.Status.PENDING,
                )
            )
        return memberships

    for n in (1, 3):
        memberships = programme_with(n)
        with django_assert_num_queries(3):
            notices = training.due_notices(mentee, memberships)
        expected = [
            {"programme": m.programme, "sentence": sentence}
            for m in memberships
            if (missing := training.outstanding_required(mentee, m.programme, m.role))
            for sentence in [
                training.approval_sentence(missing)
                if m.role == Membership.Role.MENTOR
                else training.matching_sentence(missing, m.programme)
            ]
        ]
        assert notices == expected
        assert len(notices) == 2 * n
        assert "Lapsed" in notices[0]["sentence"] and "Orientation" in notices[0]["sentence"]
        assert "Done" not in notices[0]["sentence"] and "Advised" not in notices[0]["sentence"]
        assert "Mentor training" in notices[1]["sentence"]
