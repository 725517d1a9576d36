import pytest
from django.urls import reverse

from mentoring.backoffice import previews

pytestmark = pytest.mark.django_db


def test_every_email_kind_has_sample_data():
    assert set(previews.all_kinds()) <= set(previews.sample_contexts())


@pytest.mark.parametrize("kind", previews.all_kinds())
def test_each_kind_renders_html_and_text_side_by_side(client_for, admin_user, kind):
    client = client_for(admin_user)

    page = client.get(reverse("admin-email-previews"), {"kind": kind})
    html = client.get(reverse("admin-email-preview-html", args=[kind]))

    assert page.status_code == 200
    assert page.context["email"].subject
    assert page.context["email"].body_text.strip()
    assert html.status_code == 200
    assert b"<html" in html.content
    assert html["X-Frame-Options"] == "SAMEORIGIN"


def test_reminders_carry_an_unsubscribe_link_in_the_preview(client_for, admin_user):
    page = client_for(admin_user).get(reverse("admin-email-previews"), {"kind": "request_reminder"})

    assert "/email/unsubscribe/" in page.context["email"].body_text


@pytest.mark.parametrize("who", ["anonymous", "mentee"])
def test_people_who_are_not_staff_cannot_see_previews(client, client_for, mentee, who):
    c = client if who == "anonymous" else client_for(mentee)

    assert c.get(reverse("admin-email-previews")).status_code == 302
    assert c.get(reverse("admin-email-preview-html", args=["request_received"])).status_code == 302


def test_an_unknown_kind_is_404(client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin-email-preview-html", args=["nope"]))

    assert response.status_code == 404


def test_the_check_in_preview_names_the_other_person(client_for, admin_user):
    page = client_for(admin_user).get(reverse("admin-email-previews"), {"kind": "check_in"})

    assert "You have been working with Daniel Okafor for" in page.context["email"].body_text
