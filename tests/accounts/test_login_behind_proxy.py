"""allauth's per-address login limit ("login_failed": 10 a minute per address) behind a proxy.

Every request reaches the app from the proxy's address; the client's own address is what the
proxy appends to X-Forwarded-For, trusted only when TRUSTED_PROXY_COUNT says a proxy is there.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
TOO_MANY = "Too many failed login attempts"


def client_at(remote_addr: str, forwarded_for: str | None = None) -> Client:
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**headers)


def fail_logins(client: Client, times: int) -> None:
    # Each attempt names a different account, so only the per-address limit can trip.
    for attempt in range(times):
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.org", "password": "wrong-password"},
        )
        assert response.status_code == 200


def log_in(client: Client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_a_client_behind_the_proxy_is_not_locked_out_by_another(settings, mentee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = client_at(PROXY, forwarded_for="203.0.113.7")
    fail_logins(attacker, 11)
    assert TOO_MANY in log_in(attacker, mentee.email).content.decode()

    response = log_in(client_at(PROXY, forwarded_for="198.51.100.20"), mentee.email)

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_client_address_is_the_one_the_trusted_proxy_appended(settings, mentee):
    # The client wrote its own X-Forwarded-For entry; only the proxy's appended one is trusted,
    # so changing the forged part does not escape the limit.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for forged in range(11):
        fail_logins(client_at(PROXY, forwarded_for=f"192.0.2.{forged}, 203.0.113.7"), 1)

    response = log_in(client_at(PROXY, forwarded_for="192.0.2.99, 203.0.113.7"), mentee.email)

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()


def test_a_named_client_ip_header_is_used_when_configured(settings, mentee):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    fail_logins(Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.7"), 11)

    response = log_in(Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.20"), mentee.email)

    assert response.status_code == 302


def test_without_a_trusted_proxy_a_spoofed_forwarded_for_is_ignored(settings, mentee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    # One client rotating made-up X-Forwarded-For values is still one address.
    for spoofed in range(11):
        fail_logins(client_at("198.51.100.20", forwarded_for=f"203.0.113.{spoofed}"), 1)

    response = log_in(client_at("198.51.100.20", forwarded_for="203.0.113.200"), mentee.email)

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
