import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_sees_the_landing_page(client):
    response = client.get("/")

    assert response.status_code == 200
    assert b"What mentoring is" in response.content
    assert reverse("account_signup").encode() in response.content


def test_signed_in_user_sees_their_home(client_for, mentee):
    response = client_for(mentee).get("/")

    assert response.status_code == 200
    assert b"Welcome, Maya" in response.content


def test_pages_carry_a_csp_with_a_nonce_on_every_script(client):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert "script-src 'self' 'nonce-" in policy
    html = response.content.decode()
    assert html.count("<script") == html.count(f'nonce="{nonce}"')


def test_landing_has_a_skip_link_and_landmarks(client):
    html = client.get("/").content.decode()

    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and 'lang="en-GB"' in html
