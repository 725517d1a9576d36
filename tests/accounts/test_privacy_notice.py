from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("accounts:privacy")


def test_anyone_can_read_the_privacy_notice(client, settings):
    settings.SCHEME_CONTACT_EMAIL = "privacy@uni.example"
    settings.OUTBOX_BODY_RETENTION_DAYS = 12
    settings.OUTBOX_DELETE_AFTER_DAYS = 400

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Privacy notice" in html
    assert 'href="mailto:privacy@uni.example"' in html
    assert "12 days after sending" in html
    assert "400 days" in html


def test_the_footer_links_to_the_privacy_notice(client):
    html = client.get(reverse("home")).content.decode()

    assert f'<a href="{URL}">Privacy notice</a>' in html


def test_the_sign_up_page_links_to_the_privacy_notice(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert f'<a href="{URL}">privacy notice</a>' in html


def test_the_account_menu_offers_my_data_and_deleting_my_account(client_for, mentee):
    html = client_for(mentee).get(reverse("home")).content.decode()

    assert f'href="{reverse("accounts:personal-data")}">Download my data</a>' in html
    assert f'href="{reverse("accounts:account-delete")}">Delete my account</a>' in html
