"""Each status knows its badge colour, and one include draws every status badge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from matching.models import Mentorship, MentorshipRequest
from profiles.models import MentorProfile
from sessions_log.models import Objective
from tests.factories import (
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
)

TONES = {"primary", "secondary", "success", "warning", "danger", "info", "light", "dark"}


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        (MentorshipRequest.Status.PENDING, "warning"),
        (MentorshipRequest.Status.ACCEPTED, "success"),
        (MentorshipRequest.Status.DECLINED, "secondary"),
        (Mentorship.Status.ACTIVE, "success"),
        (Mentorship.Status.ENDED, "secondary"),
        (Objective.Status.IN_PROGRESS, "primary"),
        (Objective.Status.ACHIEVED, "success"),
        (Objective.Status.DROPPED, "light"),
        (MentorProfile.ReviewStatus.APPROVED, "success"),
        (MentorProfile.ReviewStatus.CHANGES_REQUESTED, "warning"),
        (MentorProfile.ReviewStatus.SUBMITTED, "secondary"),
    ],
)
def test_a_status_knows_its_tone(status, tone):
    assert status.tone == tone


@pytest.mark.parametrize(
    "choices",
    [MentorshipRequest.Status, Mentorship.Status, Objective.Status, MentorProfile.ReviewStatus],
)
def test_every_status_has_a_bootstrap_tone(choices):
    assert {member.tone for member in choices} <= TONES


def test_one_include_draws_every_status_badge():
    templates = Path(settings.BASE_DIR, "templates")
    # A colour chosen in a template, like `text-bg-{% if status == "approved" %}success...`
    colour_chosen = re.compile(r"text-bg-\{% if|\{% (el)?if [^%]*%\}text-bg-")
    choosing = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if colour_chosen.search(path.read_text())
        and not str(path.relative_to(templates)).startswith("allauth/")  # allauth's own badges
    ]
    partials = [p.name for p in templates.rglob("*status*.html")]

    assert partials == ["status_badge.html"]
    assert choosing == []


@pytest.mark.django_db
def test_the_badges_on_the_pages(client_for, mentee, mentor):
    MentorProfileFactory(user=mentor, review_status=MentorProfile.ReviewStatus.APPROVED)
    MentorshipRequestFactory(mentee=mentee)
    pair = MentorshipFactory(mentee=mentee, mentor=mentor)
    ObjectiveFactory(mentorship=pair, status=Objective.Status.DROPPED)

    requests = client_for(mentee).get(reverse("matching:request-list")).content.decode()
    space = client_for(mentee).get(pair.get_absolute_url()).content.decode()
    profile = client_for(mentor).get(reverse("profiles:mentor-edit")).content.decode()

    assert (
        '<span class="badge status-pending text-bg-warning">Waiting for an answer</span>'
        in requests
    )
    assert '<span class="badge status-active text-bg-success">Active</span>' in space
    assert '<span class="badge status-dropped text-bg-light">No longer relevant</span>' in space
    assert '<span class="badge status-approved text-bg-success">Approved</span>' in profile


def test_no_template_compares_a_status():
    # Flags like "declined" or "approved" are model predicates (req.is_declined,
    # profile.is_approved): a template only asks them.
    templates = Path(settings.BASE_DIR, "templates")
    comparing = re.compile(r"\b(status|review_status) *[!=]=")

    assert [p.name for p in templates.rglob("*.*") if comparing.search(p.read_text())] == []


def test_the_predicates_say_what_the_templates_used_to_compare():
    declined = MentorshipRequest(status=MentorshipRequest.Status.DECLINED)
    approved = MentorProfile(capacity=1, review_status=MentorProfile.ReviewStatus.APPROVED)
    to_change = MentorProfile(
        capacity=1, review_status=MentorProfile.ReviewStatus.CHANGES_REQUESTED
    )

    assert declined.is_declined and not MentorshipRequest().is_declined
    assert approved.is_approved and not approved.has_changes_requested
    assert approved.can_submit is False
    assert to_change.has_changes_requested and to_change.can_submit
    assert not to_change.is_approved
