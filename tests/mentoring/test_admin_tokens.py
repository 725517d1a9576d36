"""No live link outside email bodies reaches staff (issue 10): check-in and calendar-feed tokens,
profile-confirm and unsubscribe links."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from mentoring import emails
from mentoring.backoffice import previews
from profiles.tokens import confirm_token
from sessions_log.models import CalendarFeed, CheckIn
from tests.factories import CheckInFactory, MentorshipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user(db):
    """Staff with a single, unrelated permission: what any staff member has."""
    user = UserFactory(full_name="Val Viewer", email="val@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_outbox"))
    return user


@pytest.fixture
def check_in(db):
    return CheckInFactory(mentorship=MentorshipFactory())


def _view_on_site(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return f"/admin/r/{content_type.pk}/{obj.pk}/"


@pytest.mark.parametrize("who", ["staff_user", "admin_user"])
def test_view_on_site_never_redirects_to_a_check_in_token(request, client_for, check_in, who):
    # Django's own redirect follows get_absolute_url for any staff member, whatever their
    # permissions: enumerating ids read every check-in's answer link.
    response = client_for(request.getfixturevalue(who)).get(_view_on_site(check_in))

    assert response.status_code == 404
    assert check_in.token not in response.get("Location", "")


@pytest.mark.parametrize("who", ["staff_user", "admin_user"])
def test_view_on_site_never_redirects_to_a_calendar_feed(request, client_for, mentee, who):
    feed = CalendarFeed.objects.create(user=mentee)

    response = client_for(request.getfixturevalue(who)).get(_view_on_site(feed))

    assert response.status_code == 404
    assert feed.token not in response.get("Location", "")


def test_view_on_site_needs_permission_to_view_the_object(client_for, staff_user):
    mentorship = MentorshipFactory()

    response = client_for(staff_user).get(_view_on_site(mentorship))

    assert response.status_code == 404


def test_view_on_site_still_works_for_the_objects_whose_admin_offers_it(client_for, admin_user):
    mentorship = MentorshipFactory()

    response = client_for(admin_user).get(_view_on_site(mentorship))

    assert response.status_code == 302
    assert response["Location"].endswith(mentorship.get_absolute_url())


def test_check_in_change_page_has_no_view_on_site_link(client_for, admin_user, check_in):
    html = (
        client_for(admin_user)
        .get(reverse("admin:sessions_log_checkin_change", args=[check_in.pk]))
        .content.decode()
    )

    assert "View on site" not in html
    assert check_in.token not in html


@pytest.mark.parametrize("lookup", ["token", "token__startswith", "token__regex"])
def test_check_in_changelist_refuses_filters_on_the_token(client_for, admin_user, check_in, lookup):
    # ?token__startswith=<guess> would otherwise reveal the token one character at a time.
    response = client_for(admin_user).get(
        reverse("admin:sessions_log_checkin_changelist"), {lookup: check_in.token[:1]}
    )

    assert response.status_code == 400


def test_email_previews_never_carry_a_real_persons_link(client_for, admin_user, check_in):
    profile = check_in.mentorship.mentor.mentor_profile
    feed = CalendarFeed.objects.create(user=check_in.person)
    secrets = {
        check_in.token,
        feed.token,
        confirm_token(profile),
        *(emails.unsubscribe_token(u) for u in [admin_user, profile.user, check_in.person]),
    }
    client = client_for(admin_user)

    for kind in previews.all_kinds():
        page = client.get(reverse("admin-email-previews"), {"kind": kind})
        html = client.get(reverse("admin-email-preview-html", args=[kind]))
        shown = page.content.decode() + html.content.decode()
        assert not [s for s in secrets if s in shown], kind
    assert CheckIn.objects.count() == 1
