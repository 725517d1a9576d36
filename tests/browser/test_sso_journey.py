"""Issue 19: a member of staff signs in with the university login (single sign-on against a real
OpenID Connect provider run for the test) and joins the staff programme, which only takes
people signed in that way. Our pages are audited with axe; so is the provider's own sign-in
page, a plain form."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils.csp import CSP
from playwright.sync_api import Page, expect

from accounts import sso_config
from accounts.models import User
from profiles.models import Membership
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import ProgrammeFactory, UserFactory
from tests.sso_support import PASSWORD, ProviderUser, start_oidc_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server, tmp_path, settings):
    running = start_oidc_provider(
        tmp_path,
        [ProviderUser("mjones", "mari.jones@uni.example.ac.uk", "Mari", "Jones")],
        [f"{live_server.url}/accounts/oidc/university/login/callback/"],
    )
    # As settings.py configures SSO_OIDC_PROVIDERS, the CSP's form-action included.
    apps = sso_config.oidc_apps(json.dumps(running.app_config()))
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {"APPS": apps, "OAUTH_PKCE_ENABLED": True},
    }
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, *sso_config.form_action_origins(apps)],
    }
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()


def test_a_member_of_staff_signs_in_with_the_university_login_and_joins_the_staff_programme(
    page: Page, live_server, provider, artifacts_dir: Path
):
    ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        summary="Staff mentor staff across departments.",
        matching="central",
        single_sign_on="university",
    )

    page.goto(live_server.url + reverse("account_login"))
    page.screenshot(path=artifacts_dir / "sso-sign-in-page.png", full_page=True)
    page.get_by_role("button", name="Sign in with University login").click()

    # The university's own sign-in page.
    expect(page.get_by_role("heading", name="University login")).to_be_visible()
    page.get_by_label("Username").fill("mjones")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back with us, signed in with a new account named as the university knows her.
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    mari = User.objects.get(email="mari.jones@uni.example.ac.uk")
    assert mari.full_name == "Mari Jones"
    assert SocialAccount.objects.get(user=mari).provider == "university"

    page.goto(live_server.url + reverse("profiles:programme-detail", args=["staff"]))
    expect(page.get_by_role("heading", name="Professional staff mentoring")).to_be_visible()
    expect(page.get_by_text("Members of Professional staff mentoring sign in")).to_have_count(0)
    page.get_by_role("button", name="Join as a mentee").click()

    expect(page.get_by_text("You have joined Professional staff mentoring")).to_be_visible()
    page.screenshot(path=artifacts_dir / "sso-joined.png", full_page=True)
    membership = Membership.objects.get(user=mari)
    assert (membership.programme.slug, membership.role) == ("staff", "mentee")


def test_a_member_of_staff_with_a_password_account_links_the_university_login_to_join(
    page: Page, live_server, provider, artifacts_dir: Path
):
    ProgrammeFactory(
        name="Professional staff mentoring",
        slug="staff",
        matching="central",
        single_sign_on="university",
    )
    mari = UserFactory(full_name="Mari Jones", email="mari.jones@uni.example.ac.uk")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_role("textbox", name="Email").fill(mari.email)
    page.get_by_role("textbox", name="Password").fill(FACTORY_PASSWORD)
    page.get_by_role("textbox", name="Password").press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    page.goto(live_server.url + reverse("profiles:programme-detail", args=["staff"]))
    expect(
        page.get_by_text("Members of Professional staff mentoring sign in with University login.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Join as a mentee")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "sso-programme-asks-for-the-login.png", full_page=True)
    page.get_by_role("button", name="Sign in with University login").click()
    page.get_by_label("Username").fill("mjones")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Back on the programme's page, her account now linked to the university login.
    expect(page.get_by_role("button", name="Join as a mentee")).to_be_visible()
    assert SocialAccount.objects.get(provider="university").user == mari
    page.get_by_role("button", name="Join as a mentee").click()
    expect(page.get_by_text("You have joined Professional staff mentoring")).to_be_visible()
    assert Membership.objects.get(user=mari).programme.slug == "staff"
