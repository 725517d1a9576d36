"""Coordinators are scoped: the coordinator of `staff` gets a 404 or an empty list for every
`careers` object in the admin (lists, change, delete and history pages, actions, CSV,
autocomplete, related choices, the needs-attention lists, central matching) and in the reports,
while a superuser sees everything."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from matching.conversations import conversation_for_request
from matching.models import (
    Engagement,
    Mentorship,
    MentorshipRequest,
    MessageReport,
    RequestReport,
)
from mentoring.models import EmailWording, Outbox
from profiles.models import Membership, MentorProfile, ProgrammeInvitation, Round
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


def _everything_in(programme, tag: str) -> dict:
    """One object of every admin that shows a person's data, all in `programme`."""
    mentor = MentorProfileFactory(
        user=UserFactory(full_name=f"{tag} Mentor"), programmes=[programme]
    )
    mentee = MenteeProfileFactory(
        user=UserFactory(full_name=f"{tag} Mentee"), programmes=[programme]
    )
    waiting = MentorProfileFactory(
        user=UserFactory(full_name=f"{tag} Newcomer"),
        programmes=[],
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        training_completed_on=timezone.localdate(),
    )
    membership = Membership.objects.create(
        user=waiting.user, programme=programme, role=Membership.Role.MENTOR
    )
    request = MentorshipRequestFactory(
        mentee=mentee.user,
        mentor=mentor.user,
        programme=programme,
        created_at=timezone.now() - timedelta(days=9),
    )
    declined = MentorshipRequestFactory(
        mentee=mentee.user, mentor=mentor.user, programme=programme, declined=True
    )
    report = RequestReport.objects.create(request=declined, reported_by=mentor.user, reason="Rude.")
    pair = MentorshipFactory(
        mentee=mentee.user,
        mentor=mentor.user,
        programme=programme,
        started_at=timezone.now() - timedelta(days=90),
    )
    email = Outbox.objects.create(
        kind="request_received",
        recipient=mentee.user,
        to_email=mentee.user.email,
        subject="A new request",
        body_text="…",
        dedupe_key=f"scoping:{tag}",
        message_id=f"<scoping-{tag}@example.org>",
    )
    today = timezone.localdate()
    return {
        "profiles.programme": programme,
        "profiles.round": Round.objects.create(
            programme=programme,
            name=f"{tag} round",
            mentee_opens_on=today,
            mentee_closes_on=today,
            term_ends_on=today + timedelta(days=300),
        ),
        "profiles.membership": membership,
        "profiles.mentorprofile": mentor,
        "profiles.menteeprofile": mentee,
        "accounts.user": mentee.user,
        "mentoring.outbox": email,
        "mentoring.emailwording": EmailWording.objects.create(
            kind="request_received", programme=programme, intro=f"{tag} words."
        ),
        "matching.mentorshiprequest": request,
        "matching.requestreport": report,
        "matching.messagereport": MessageReport.objects.create(
            message=conversation_for_request(request).messages.get(),
            reported_by=mentor.user,
            reason="Rude.",
        ),
        "matching.mentorship": pair,
        "sessions_log.objective": ObjectiveFactory(mentorship=pair),
        "sessions_log.meeting": MeetingFactory(mentorship=pair),
        "sessions_log.checkin": CheckInFactory(
            mentorship=pair, answered_at=timezone.now(), rating=1
        ),
        "profiles.programmeinvitation": ProgrammeInvitation.objects.create(
            programme=programme, email=f"{tag.lower()}@example.org", name=tag, role="mentee"
        ),
        **_guidance_in(programme, tag, person=mentor.user),
    }


def _guidance_in(programme, tag: str, *, person) -> dict:
    from profiles.models import HandbookPage, Training, TrainingRecord

    item = Training.objects.create(programme=programme, name=f"{tag} briefing")
    return {
        "profiles.training": item,
        "profiles.trainingrecord": TrainingRecord.objects.create(
            training=item, user=person, completed_on=timezone.localdate()
        ),
        "profiles.handbookpage": HandbookPage.objects.create(
            programme=programme, title=f"{tag} ending well", slug="ending-well", body="Thank them."
        ),
    }


@pytest.fixture
def staff():
    return ProgrammeFactory(name="Professional staff mentoring", slug="staff", matching="central")


@pytest.fixture
def careers():
    return ProgrammeFactory(name="Alumni career mentoring", slug="careers", matching="both")


@pytest.fixture
def coordinator(staff):
    user = UserFactory(full_name="Cora Coordinator", email="cora@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(user)
    return user


@pytest.fixture
def careers_objects(careers):
    return _everything_in(careers, "Kestrelcareers")  # a tag no random name contains


@pytest.fixture
def staff_objects(staff):
    return _everything_in(staff, "Ospreystaff")


SCOPED = [
    "profiles.programme",
    "profiles.round",
    "profiles.membership",
    "profiles.mentorprofile",
    "profiles.menteeprofile",
    "accounts.user",
    "mentoring.outbox",
    "mentoring.emailwording",
    "matching.mentorshiprequest",
    "matching.requestreport",
    "matching.messagereport",
    "matching.mentorship",
    "sessions_log.objective",
    "sessions_log.meeting",
    "sessions_log.checkin",
    "profiles.training",
    "profiles.trainingrecord",
    "profiles.handbookpage",
    "profiles.programmeinvitation",
]


def test_every_admin_of_a_persons_data_is_in_the_table():
    registered = {model._meta.label_lower for model in admin.site._registry}
    # Not a person's data: areas and the scheme-wide settings; superusers only: groups, email
    # addresses, two-factor devices, single sign-on providers and the accounts linked to them.
    unscoped = {
        "socialaccount.socialapp",
        "socialaccount.socialaccount",
        "profiles.expertisearea",
        "mentoring.schemesettings",
        "auth.group",
        "account.emailaddress",
        "mfa.authenticator",
    }

    assert registered - unscoped == set(SCOPED)


def _url(obj, page: str) -> str:
    opts = obj._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{page}"
    return reverse(name) if page == "changelist" else reverse(name, args=[obj.pk])


def _listed(response) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("label", SCOPED)
def test_the_coordinator_of_staff_lists_no_careers_object(
    client_for, coordinator, careers_objects, staff_objects, label
):
    client = client_for(coordinator)
    careers_obj, staff_obj = careers_objects[label], staff_objects[label]

    listed = _listed(client.get(_url(careers_obj, "changelist")))

    assert careers_obj.pk not in listed
    assert staff_obj.pk in listed  # their own programme's, so the list is not merely empty


@pytest.mark.parametrize("page", ["change", "delete", "history"])
@pytest.mark.parametrize("label", SCOPED)
def test_the_coordinator_of_staff_gets_404_for_careers_pages(
    client_for, coordinator, careers_objects, staff_objects, label, page
):
    client = client_for(coordinator)

    assert client.get(_url(careers_objects[label], page)).status_code == 404
    if page == "history":  # and their own programme's object is there for them
        assert client.get(_url(staff_objects[label], page)).status_code == 200


@pytest.mark.parametrize("label", SCOPED)
def test_a_superuser_sees_every_programme(
    client_for, admin_user, careers_objects, staff_objects, label
):
    client = client_for(admin_user)

    listed = _listed(client.get(_url(careers_objects[label], "changelist")))

    assert {careers_objects[label].pk, staff_objects[label].pk} <= listed
    assert client.get(_url(careers_objects[label], "change")).status_code == 200


NEEDS_ATTENTION = [
    ("matching.mentorshiprequest", "waiting"),
    ("matching.mentorship", "no_meeting"),
    ("sessions_log.checkin", "all"),
]


@pytest.mark.parametrize(("label", "value"), NEEDS_ATTENTION)
def test_needs_attention_lists_only_the_coordinators_programmes(
    client_for, coordinator, admin_user, careers_objects, staff_objects, label, value
):
    url = _url(careers_objects[label], "changelist")

    mine = _listed(client_for(coordinator).get(url, {"attention": value}))
    everyone = _listed(client_for(admin_user).get(url, {"attention": value}))

    assert mine == {staff_objects[label].pk}
    assert everyone == {staff_objects[label].pk, careers_objects[label].pk}


CSV_EXPORTS = [
    "profiles.mentorprofile",
    "profiles.menteeprofile",
    "profiles.membership",
    "matching.mentorshiprequest",
    "matching.mentorship",
]


def _csv(client, obj_list) -> str:
    obj = obj_list[0]
    response = client.post(
        _url(obj, "changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [o.pk for o in obj_list]},
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("label", CSV_EXPORTS)
def test_the_csv_of_selected_careers_rows_holds_none_of_them(
    client_for, coordinator, careers_objects, staff_objects, label
):
    text = _csv(client_for(coordinator), [careers_objects[label], staff_objects[label]])

    assert "Kestrelcareers" not in text
    assert "Ospreystaff" in text


def test_approving_a_careers_mentor_is_not_possible(client_for, coordinator, careers_objects):
    membership = careers_objects["profiles.membership"]

    client_for(coordinator).post(
        reverse("admin:profiles_membership_changelist"),
        {"action": "approve", ACTION_CHECKBOX_NAME: [membership.pk]},
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_approving_a_staff_mentor_works(client_for, coordinator, staff_objects):
    membership = staff_objects["profiles.membership"]

    response = client_for(coordinator).post(
        reverse("admin:profiles_membership_changelist"),
        {"action": "approve", ACTION_CHECKBOX_NAME: [membership.pk]},
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.approved_by == coordinator


def test_a_new_invitation_link_only_for_their_programmes(client_for, coordinator, careers, staff):
    before = {p.pk: p.invitation_token for p in (careers, staff)}

    client_for(coordinator).post(
        reverse("admin:profiles_programme_changelist"),
        {"action": "new_invitation_link", ACTION_CHECKBOX_NAME: [careers.pk, staff.pk]},
    )

    careers.refresh_from_db()
    staff.refresh_from_db()
    assert careers.invitation_token == before[careers.pk]
    assert staff.invitation_token != before[staff.pk]


def test_people_search_finds_no_careers_person(
    client_for, coordinator, careers_objects, staff_objects
):
    url = reverse("admin:autocomplete")
    params = {"app_label": "profiles", "model_name": "mentorprofile", "field_name": "user"}

    found = client_for(coordinator).get(url, {**params, "term": "Mentor"}).json()["results"]

    names = {result["text"] for result in found}
    assert not any("Kestrelcareers" in name for name in names)
    assert any("Ospreystaff" in name for name in names)


def test_related_choices_offer_only_their_programmes(coordinator, careers, staff):
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    round_admin = admin.site._registry[Round]

    field = round_admin.get_form(request)().fields["programme"]

    assert list(field.queryset) == [staff]


def test_the_programme_filter_offers_only_their_programmes(client_for, coordinator, careers):
    advice = ProgrammeFactory(name="Advice point", slug="advice")
    third = ProgrammeFactory(name="Third programme", slug="third")
    advice.coordinators.add(coordinator)

    response = client_for(coordinator).get(reverse("admin:matching_mentorship_changelist"))

    choices = {
        c["display"]
        for f in response.context["cl"].filter_specs
        for c in f.choices(response.context["cl"])
        if f.title == "programme"
    }
    assert {"Advice point", "Professional staff mentoring"} <= choices
    assert careers.name not in choices
    assert third.name not in choices


def test_one_programme_has_no_programme_filter(client_for, coordinator):
    response = client_for(coordinator).get(reverse("admin:matching_mentorship_changelist"))

    assert not any(
        f.title == "programme" for f in response.context["cl"].filter_specs if f.has_output()
    )


def test_central_matching_pages_of_careers_are_404(
    client_for, coordinator, careers, careers_objects
):
    client = client_for(coordinator)
    mentee_profile = careers_objects["profiles.menteeprofile"]
    mentor = MentorProfileFactory(programmes=[careers])

    match = reverse("admin:profiles_menteeprofile_match", args=[mentee_profile.pk])
    queue = reverse("admin:profiles_menteeprofile_applicants", args=[careers.pk])

    assert client.get(match).status_code == 404
    assert client.post(match, {"mentor": mentor.pk}).status_code == 404
    assert client.get(queue).status_code == 404


# Reports ----------------------------------------------------------------------------------


def _figure(response, label: str) -> str:
    return response.context["report"].figure(label).shown


def _report(client, **params):
    today = timezone.localdate()
    response = client.get(
        "/admin/reports/",
        {"start": date(today.year - 1, 1, 1), "end": today, **params},
    )
    assert response.status_code == 200
    return response


def test_the_report_counts_only_the_coordinators_programmes(
    client_for, coordinator, admin_user, careers_objects
):
    mine = _report(client_for(coordinator))
    everyone = _report(client_for(admin_user))

    assert _figure(mine, "Requests sent") == "0"
    assert _figure(mine, "Started") == "0"
    assert _figure(mine, "Meetings held") == "0"
    assert [card.count for card in mine.context["report"].attention] == [0, 0, 0, 0]
    # Exact numbers for the scheme team (a publication CSV can suppress them).
    requests = MentorshipRequest.objects.filter(engagement=Engagement.LONG_TERM).count()
    pairs = Mentorship.objects.filter(engagement=Engagement.LONG_TERM).count()
    assert requests and pairs
    assert _figure(everyone, "Requests sent") == str(requests)
    assert _figure(everyone, "Started") == str(pairs)


def test_choosing_another_programme_reports_nothing_of_it(
    client_for, coordinator, careers, careers_objects
):
    response = client_for(coordinator).get("/admin/reports/", {"programme": careers.pk})

    # Not one of theirs: refused next to the field, and their own programmes reported instead.
    assert response.status_code == 400
    assert response.context["form"].errors["programme"]
    assert _figure(response, "Requests sent") == "0"


def test_the_report_csv_of_a_coordinator_holds_no_careers_figure(
    client_for, coordinator, careers_objects
):
    today = timezone.localdate()
    response = client_for(coordinator).get(
        "/admin/reports/",
        {"start": date(today.year - 1, 1, 1), "end": today, "format": "csv"},
    )

    rows = b"".join(response.streaming_content).decode().splitlines()
    assert any(row.endswith(",Requests,Requests sent,0,") for row in rows)


def test_a_superuser_reports_one_programme_or_all(client_for, admin_user, careers, staff):
    for _ in range(5):
        MentorshipRequestFactory(
            programme=careers,
            mentee=MenteeProfileFactory(programmes=[careers]).user,
            mentor=MentorProfileFactory(programmes=[careers]).user,
        )
    client = client_for(admin_user)

    assert _figure(_report(client, programme=careers.pk), "Requests sent") == "5"
    assert _figure(_report(client, programme=staff.pk), "Requests sent") == "0"
    assert _figure(_report(client), "Requests sent") == "5"
    page = _report(client, programme=careers.pk).content.decode()
    assert "Report: Alumni career mentoring" in page


def test_completed_pairs_are_counted_apart_from_ended_ones(client_for, admin_user, careers):
    for status in ["completed"] * 5 + ["ended"] * 6:
        MentorshipFactory(
            programme=careers,
            status=status,
            started_at=timezone.now() - timedelta(days=200),
            ended_at=timezone.now() - timedelta(days=1),
            end_reason="achieved",
        )

    response = _report(client_for(admin_user))

    assert _figure(response, "Completed") == "5"
    assert _figure(response, "Ended") == "6"


def test_an_email_to_a_careers_address_without_an_account_link_is_not_listed(
    client_for, coordinator, careers_objects, staff_objects
):
    def by_address(person, key):
        return Outbox.objects.create(
            kind="password_reset_key",
            to_email=person.email.upper(),
            subject="Password reset",
            body_text="…",
            dedupe_key=key,
            message_id=f"<{key}@example.org>",
        )

    careers_email = by_address(careers_objects["accounts.user"], "address:careers")
    staff_email = by_address(staff_objects["accounts.user"], "address:staff")

    listed = _listed(client_for(coordinator).get(reverse("admin:mentoring_outbox_changelist")))

    assert staff_email.pk in listed
    assert careers_email.pk not in listed


def test_view_on_site_of_a_careers_profile_is_404(
    client_for, coordinator, admin_user, careers_objects, staff_objects
):
    def url(profile):
        content_type = ContentType.objects.get_for_model(profile)
        return reverse("admin:view_on_site", args=[content_type.pk, profile.pk])

    careers_mentor = careers_objects["profiles.mentorprofile"]
    staff_mentor = staff_objects["profiles.mentorprofile"]

    assert client_for(coordinator).get(url(careers_mentor)).status_code == 404
    assert client_for(coordinator).get(url(staff_mentor)).status_code == 302
    assert client_for(admin_user).get(url(careers_mentor)).status_code == 302
