"""Programmes, rounds and memberships in the admin: a new programme starts from the scheme's
defaults, only superusers create, rename, publish or staff a programme, coordinators change
their own programme's rules and run its rounds, and memberships change only through the
services."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.postgres.forms import SimpleArrayField
from django.forms import BooleanField, FileField
from django.urls import reverse

from mentoring.models import SchemeSettings
from profiles import services
from profiles.models import Membership, MentorProfile, Programme, RecruitmentWindow, Round
from tests.factories import MentorProfileFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return ProgrammeFactory(name="Professional staff mentoring", slug="staff", matching="central")


@pytest.fixture
def coordinator(staff):
    user = UserFactory(full_name="Cora Coordinator", email="cora@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    staff.coordinators.add(user)
    return user


def _form_data(response) -> dict:
    """What the browser would send back for the form as shown, inlines included."""
    data: dict = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, FileField):
            continue  # a browser sends a file only when one is chosen
        if isinstance(field, BooleanField):
            if value:
                data[name] = "on"
            continue
        if isinstance(field, SimpleArrayField):
            value = field.prepare_value(value)
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
    return data


def test_a_new_programme_starts_from_the_scheme_defaults(client_for, admin_user):
    scheme = SchemeSettings.load()
    scheme.default_capacity, scheme.max_pending_requests = 4, 6
    scheme.save()

    response = client_for(admin_user).get(reverse("admin:profiles_programme_add"))

    initial = response.context["adminform"].form.initial
    assert initial["default_capacity"] == 4
    assert initial["max_pending_requests"] == 6


def test_a_superuser_creates_a_programme_with_its_coordinators(client_for, admin_user):
    client = client_for(admin_user)
    cora = UserFactory(full_name="Cora Coordinator", is_staff=True)
    data = _form_data(client.get(reverse("admin:profiles_programme_add")))
    data.update(
        name="Advice point",
        slug="advice",
        summary="A single conversation with someone who has done it.",
        coordinators=[cora.pk],
        mentee_email_domains="Example.ac.uk, @staff.example.ac.uk",
    )

    response = client.post(reverse("admin:profiles_programme_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    advice = Programme.objects.get(slug="advice")
    assert list(advice.coordinators.all()) == [cora]
    assert advice.mentee_email_domains == ["example.ac.uk", "staff.example.ac.uk"]
    assert advice.engagement_types == ["long_term"]


def test_reminders_after_the_expiry_are_refused_next_to_the_field(client_for, admin_user, staff):
    client = client_for(admin_user)
    url = reverse("admin:profiles_programme_change", args=[staff.pk])
    data = {**_form_data(client.get(url)), "request_second_reminder_days": 30}

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Reminders must come before the request expires" in str(
        errors["request_second_reminder_days"]
    )
    assert f'value="{staff.summary}"' in response.content.decode()  # nothing typed is lost


def test_a_coordinator_changes_the_rules_but_not_the_name_status_or_coordinators(
    client_for, coordinator, staff
):
    client = client_for(coordinator)
    url = reverse("admin:profiles_programme_change", args=[staff.pk])
    page = client.get(url)
    intruder = UserFactory(is_staff=True)
    data = {
        **_form_data(page),
        "max_pending_requests": 5,
        "outside_line_management": "on",
        "name": "Renamed",
        "slug": "renamed",
        "status": "archived",
        "coordinators": [intruder.pk],
    }

    response = client.post(url, data)

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.max_pending_requests == 5
    assert staff.outside_line_management
    assert (staff.name, staff.slug, staff.status) == (
        "Professional staff mentoring",
        "staff",
        "open",
    )
    assert list(staff.coordinators.all()) == [coordinator]
    for field in ["name", "slug", "status", "coordinators"]:
        assert f'name="{field}"' not in page.content.decode()


def test_only_superusers_add_or_delete_programmes(client_for, coordinator, admin_user, staff):
    coordinators, superuser = client_for(coordinator), client_for(admin_user)

    assert coordinators.get(reverse("admin:profiles_programme_add")).status_code == 403
    assert (
        coordinators.post(
            reverse("admin:profiles_programme_delete", args=[staff.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Programme.objects.filter(pk=staff.pk).exists()
    assert superuser.get(reverse("admin:profiles_programme_add")).status_code == 200


def test_the_invitation_link_is_shown_in_full_and_a_new_one_replaces_it(
    client_for, coordinator, staff, settings
):
    settings.SITE_URL = "https://mentoring.example.ac.uk"
    client = client_for(coordinator)
    old = staff.invitation_token

    page = client.get(reverse("admin:profiles_programme_change", args=[staff.pk]))
    response = client.post(
        reverse("admin:profiles_programme_changelist"),
        {"action": "new_invitation_link", ACTION_CHECKBOX_NAME: [staff.pk]},
        follow=True,
    )

    assert f"https://mentoring.example.ac.uk/programmes/staff/join/{old}/" in page.content.decode()
    staff.refresh_from_db()
    assert staff.invitation_token != old
    assert (
        f"https://mentoring.example.ac.uk/programmes/staff/join/{staff.invitation_token}/"
        in response.content.decode()
    )


def test_after_a_new_invitation_link_the_old_one_is_404(client_for, coordinator, staff):
    old = staff.invitation_token
    visitor = client_for(UserFactory(email="visitor@example.org"))
    assert visitor.get(f"/programmes/staff/join/{old}/").status_code != 404

    client_for(coordinator).post(
        reverse("admin:profiles_programme_changelist"),
        {"action": "new_invitation_link", ACTION_CHECKBOX_NAME: [staff.pk]},
    )

    staff.refresh_from_db()
    assert visitor.get(f"/programmes/staff/join/{old}/").status_code == 404
    assert visitor.get(f"/programmes/staff/join/{staff.invitation_token}/").status_code != 404


def test_only_a_programmes_coordinators_make_its_new_link(coordinator, staff, admin_user):
    careers = ProgrammeFactory(slug="careers")
    old = careers.invitation_token

    with pytest.raises(services.ProfileError, match="Only the coordinators of"):
        services.new_invitation_link(careers, by=coordinator)

    careers.refresh_from_db()
    assert careers.invitation_token == old
    assert services.new_invitation_link(careers, by=admin_user).invitation_token != old


def test_approving_memberships_says_how_many(client_for, coordinator, staff):
    def waiting_mentor():
        profile = MentorProfileFactory(
            review_status=MentorProfile.ReviewStatus.APPROVED,
            training_completed_on=date.today(),
            programmes=[],
        )
        return Membership.objects.create(user=profile.user, programme=staff, role="mentor")

    client = client_for(coordinator)
    url = reverse("admin:profiles_membership_changelist")

    def approve(memberships):
        response = client.post(
            url,
            {"action": "approve", ACTION_CHECKBOX_NAME: [m.pk for m in memberships]},
            follow=True,
        )
        return [str(m.message) for m in response.context["messages"]]

    assert approve([waiting_mentor()]) == ["Approved 1 membership."]
    assert approve([waiting_mentor(), waiting_mentor()]) == ["Approved 2 memberships."]


def test_the_list_shows_counts_coordinators_and_the_queue(client_for, admin_user, staff):
    cora = UserFactory(full_name="Cora Coordinator", is_staff=True)
    staff.coordinators.add(cora)
    for n in range(3):
        Membership.objects.create(
            user=UserFactory(),
            programme=staff,
            role="mentee",
            status="approved",
            approved_at=date(2026, 1, n + 1).isoformat() + "T12:00:00Z",
        )

    response = client_for(admin_user).get(reverse("admin:profiles_programme_changelist"))

    [row] = response.context["cl"].result_list
    assert (row.mentee_count, row.mentor_count) == (3, 0)
    page = response.content.decode()
    assert "Cora Coordinator" in page
    assert reverse("admin:profiles_menteeprofile_applicants", args=[staff.pk]) in page


def test_a_coordinator_adds_a_round_with_its_recruitment_windows(client_for, coordinator, staff):
    client = client_for(coordinator)
    url = reverse("admin:profiles_round_add")
    data = {
        **_form_data(client.get(url)),
        "programme": staff.pk,
        "name": "2026–27",
        "mentee_opens_on": "2026-09-01",
        "mentee_closes_on": "2027-03-31",
        "term_ends_on": "2027-07-31",
        "recruitment_windows-TOTAL_FORMS": 2,
        "recruitment_windows-0-opens_on": "2026-08-01",
        "recruitment_windows-0-closes_on": "2026-08-31",
        "recruitment_windows-1-opens_on": "2027-03-01",
        "recruitment_windows-1-closes_on": "2027-03-31",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    created = Round.objects.get(programme=staff)
    assert list(
        RecruitmentWindow.objects.filter(round=created).values_list("opens_on", flat=True)
    ) == [date(2026, 8, 1), date(2027, 3, 1)]


def test_a_coordinator_cannot_add_a_round_to_another_programme(client_for, coordinator):
    careers = ProgrammeFactory(slug="careers")
    client = client_for(coordinator)
    url = reverse("admin:profiles_round_add")
    data = {
        **_form_data(client.get(url)),
        "programme": careers.pk,
        "name": "2026–27",
        "mentee_opens_on": "2026-09-01",
        "mentee_closes_on": "2027-03-31",
        "term_ends_on": "2027-07-31",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["adminform"].form.errors["programme"])
    assert not Round.objects.exists()


def test_a_round_with_its_dates_out_of_order_is_refused_next_to_the_field(
    client_for, coordinator, staff
):
    client = client_for(coordinator)
    url = reverse("admin:profiles_round_add")
    data = {
        **_form_data(client.get(url)),
        "programme": staff.pk,
        "name": "2026–27",
        "mentee_opens_on": "2026-09-01",
        "mentee_closes_on": "2026-08-01",
        "term_ends_on": "2027-07-31",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "This must be after the opening date." in str(errors["mentee_closes_on"])
    assert 'value="2026–27"' in response.content.decode()


def test_a_membership_is_read_only_and_approved_by_the_action(client_for, coordinator, staff):
    membership = Membership.objects.create(user=UserFactory(), programme=staff, role="mentee")
    client = client_for(coordinator)

    page = client.get(reverse("admin:profiles_membership_change", args=[membership.pk]))

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert not page.context["has_change_permission"]


def test_the_membership_search_finds_people_by_name_and_email(client_for, coordinator, staff):
    found = UserFactory(full_name="Zara Quill", email="zq@example.org")
    Membership.objects.create(user=found, programme=staff, role="mentee")
    Membership.objects.create(
        user=UserFactory(full_name="Other Person"), programme=staff, role="mentee"
    )
    client = client_for(coordinator)

    by_name = client.get(reverse("admin:profiles_membership_changelist"), {"q": "Quill"})
    by_email = client.get(reverse("admin:profiles_membership_changelist"), {"q": "zq@example"})

    for response in (by_name, by_email):
        assert [m.user for m in response.context["cl"].result_list] == [found]


def test_a_programme_in_rounds_lists_its_rounds_with_a_link_to_each(client_for, coordinator, staff):
    client = client_for(coordinator)
    url = reverse("admin:profiles_programme_change", args=[staff.pk])
    always_open = client.get(url)
    staff.rhythm = Programme.Rhythm.ROUNDS
    staff.save(update_fields=["rhythm"])
    autumn = Round.objects.create(
        programme=staff,
        name="2026–27",
        mentee_opens_on=date(2026, 9, 1),
        mentee_closes_on=date(2027, 3, 31),
        term_ends_on=date(2027, 7, 31),
    )

    in_rounds = client.get(url)

    assert always_open.context["inline_admin_formsets"] == []
    assert reverse("admin:profiles_round_change", args=[autumn.pk]) in in_rounds.content.decode()


def test_a_coordinator_chooses_the_login_members_sign_in_with_from_the_configured_providers(
    client_for, coordinator, staff
):
    """Programme → Sign in with: any way, or a provider a superuser configured (here one added
    in the admin); a provider no longer configured stays listed, marked, rather than vanishing
    on the next save."""
    from allauth.socialaccount.models import SocialApp

    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="university",
        name="University login",
        client_id="mentoring",
        settings={"server_url": "https://login.example.ac.uk"},
    )
    client = client_for(coordinator)
    url = reverse("admin:profiles_programme_change", args=[staff.pk])
    page = client.get(url)
    choices = dict(page.context["adminform"].form.fields["single_sign_on"].choices)
    assert choices["university"] == "University login (university)"
    assert "" in choices

    response = client.post(url, {**_form_data(page), "single_sign_on": "university"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.single_sign_on == "university"

    refused = client.post(url, {**_form_data(page), "single_sign_on": "made-up"})
    assert "Select a valid choice" in str(refused.context["adminform"].form.errors)

    SocialApp.objects.all().delete()
    page = client.get(url)
    choices = dict(page.context["adminform"].form.fields["single_sign_on"].choices)
    assert choices["university"] == "university (no such provider is configured now)"
    assert '<option value="university" selected>' in page.text
