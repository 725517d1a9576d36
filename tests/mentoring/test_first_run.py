"""A first run that works, and the small things: the job loop beside the development server,
SITE_URL from HOST/PORT, friendly 404 and 500 pages, the favicon, counts that agree with their
noun and the accessibility statement."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from mentoring.management.commands import run_jobs
from mentoring.text import counted
from profiles.models import MentorProfile
from tests.factories import MentorProfileFactory
from tests.support import queued, requests_made_at

REPO = Path(__file__).resolve().parents[2]


# The job loop -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_job_loop_runs_the_jobs_and_one_failing_job_does_not_stop_the_others(
    monkeypatch, caplog
):
    back_today = MentorProfileFactory(away_until=timezone.localdate() - timedelta(days=1))
    monkeypatch.setattr(run_jobs, "JOBS", ["no_such_job", "return_away_mentors"])

    def no_sleep(seconds):
        raise AssertionError("one round must not wait for the next")

    monkeypatch.setattr(run_jobs.time, "sleep", no_sleep)

    call_command("run_jobs", every=60, rounds=1)

    assert MentorProfile.objects.get(pk=back_today.pk).away_until is None
    assert "Scheduled job no_such_job failed" in caplog.text


@pytest.mark.django_db
def test_the_job_loop_waits_between_rounds(monkeypatch):
    rounds = []
    monkeypatch.setattr(run_jobs, "JOBS", ["return_away_mentors"])
    monkeypatch.setattr(run_jobs.Command, "run_round", lambda self: rounds.append(1))
    monkeypatch.setattr(run_jobs.time, "sleep", lambda seconds: rounds.append(seconds))

    call_command("run_jobs", every=45, rounds=3)

    assert rounds == [1, 45, 1, 45, 1]


@pytest.mark.django_db
def test_one_round_of_the_job_loop_sends_a_due_reminder(monkeypatch):
    """The loop `make run` starts (run_jobs --every N), run for one round against the database:
    a request unanswered for three days gets its reminder in the outbox."""
    (request,) = requests_made_at(timezone.now() - timedelta(days=3))

    def no_sleep(seconds):
        raise AssertionError("one round must not wait for the next")

    monkeypatch.setattr(run_jobs.time, "sleep", no_sleep)

    call_command("run_jobs", "--every", "30", "--rounds", "1")

    [reminder] = queued("request_reminder")
    assert reminder.to_email == request.mentor.email


def test_make_run_starts_the_job_loop_beside_the_server_only_without_redis():
    plan = subprocess.run(
        ["make", "-n", "run", "JOBS_EVERY=30"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "REDIS_URL": ""},
    ).stdout

    assert "manage.py run_jobs --every 30 & jobs=$!" in plan
    assert "trap 'kill $jobs" in plan  # stopped with the server
    # Not inside runserver, so the autoreloader's second process cannot run the jobs twice.
    assert "runserver" in plan and "--every 30" not in plan.split("runserver", 1)[1]


# SITE_URL -----------------------------------------------------------------------------------


def _site_url(**env) -> str:
    return _site_setting("SITE_URL", **env)


def _site_setting(name: str, **env) -> str:
    unset = {"SITE_URL", "HOST", "PORT", "SERVE_MEDIA"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    code = f"import mentoring.settings as s; print(s.{name})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_make_run_with_redis_passes_site_url_to_every_process():
    # honcho gives the worker and beat their own PORT (8100, 8200): their emails must not use it.
    plan = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8123"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "REDIS_URL": "redis://localhost:6379/0"},
    ).stdout

    # Listening on every address: emails link to this machine, not to "0.0.0.0".
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8123}"' in plan
    assert "honcho start" in plan


def test_site_url_follows_host_and_port_in_development():
    assert _site_url(DEBUG="1", HOST="192.168.1.20", PORT="8123") == "http://192.168.1.20:8123"
    assert _site_url(DEBUG="1") == "http://127.0.0.1:8000"


def test_a_server_on_every_address_gets_links_to_this_machine():
    # HOST=0.0.0.0 make run: "http://0.0.0.0:8123" is no address to open from an email.
    assert _site_url(DEBUG="1", HOST="0.0.0.0", PORT="8123") == "http://127.0.0.1:8123"
    assert _site_url(DEBUG="1", HOST="::", PORT="8123") == "http://127.0.0.1:8123"


def test_an_explicit_site_url_wins():
    url = _site_url(DEBUG="1", HOST="0.0.0.0", PORT="8123", SITE_URL="https://m.example.org/")
    assert url == "https://m.example.org"


# Error pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_404_page_is_friendly_and_links_home_and_search(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1" in body and "Page not found" in body
    assert f'href="{reverse("home")}"' in body
    assert f'href="{reverse("profiles:directory")}"' in body


def test_the_500_page_needs_no_database_and_no_context():
    # No django_db mark: any query would raise. No request context: no context processors.
    request = RequestFactory().get("/")

    response = server_error(request)

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert 'href="/"' in body and 'href="/mentors/"' in body
    assert reverse("profiles:directory") == "/mentors/"


# Favicon ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_favicon_is_served_and_every_page_links_it(client, settings):
    settings.DEBUG = True  # development: static files come from static/ (whitenoise's finders)
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301
    icon = client.get(redirect["Location"])

    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
    page = client.get(reverse("accessibility")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


# Counts -------------------------------------------------------------------------------------


def test_counted_agrees_the_noun_with_the_number():
    assert counted(1, "person", "people") == "1 person"
    assert counted(2, "person", "people") == "2 people"
    assert counted(0, "mentor") == "0 mentors"
    assert counted(1, "mentor") == "1 mentor"
    assert counted(1200, "mentee") == "1,200 mentees"


@pytest.mark.django_db
def test_one_mentee_is_one_person_in_the_capacity_error(mentor_profile):
    from profiles.forms import MentorProfileForm

    MentorProfile.objects.filter(pk=mentor_profile.pk).update(mentee_count=1, capacity=1)
    mentor_profile.refresh_from_db()
    form = MentorProfileForm(instance=mentor_profile)
    form.cleaned_data = {"capacity": 0}

    with pytest.raises(Exception, match="You mentor 1 person at the moment"):
        form.clean_capacity()


# Accessibility statement --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_accessibility_statement_is_public_complete_and_in_the_footer(client):
    response = client.get("/accessibility/")

    assert response.status_code == 200
    body = response.content.decode()
    for part in (
        "WCAG",
        "2.2",
        "How we test it",
        "axe-core",
        "Manual checks",
        "Known issues",
        "Tell us about a problem",
        "mailto:",
        'datetime="2026-11-26"',
    ):
        assert part in body, part
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("accessibility")}">Accessibility</a>' in home


# Photos in a deployment ---------------------------------------------------------------------


def test_compose_keeps_photos_in_a_volume_the_app_serves():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    env = compose["x-app"]["environment"]
    web = compose["services"]["web"]

    assert "media" in compose["volumes"]
    assert f"media:{env['MEDIA_ROOT']}" in web["volumes"]
    assert env["SERVE_MEDIA"] == "${SERVE_MEDIA:-1}"
    # The image creates the directory for its non-root user, so a new volume is writable.
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"chown app:app /var/lib/celery {env['MEDIA_ROOT']}" in dockerfile


@pytest.mark.django_db
def test_photos_are_served_in_production_only_when_asked(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "mentor-photos").mkdir()
    (tmp_path / "mentor-photos" / "a.jpg").write_bytes(b"\xff\xd8\xff photo")

    production = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
    }
    assert _site_setting("SERVE_MEDIA", **production) == "False"
    assert _site_setting("SERVE_MEDIA", **production, SERVE_MEDIA="1") == "True"
    response = client.get("/media/mentor-photos/a.jpg")  # the suite runs with SERVE_MEDIA on
    assert response.status_code == 200
    assert client.get("/media/../settings.py").status_code in {400, 404}  # never a file outside
