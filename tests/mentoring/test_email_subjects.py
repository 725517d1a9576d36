"""Subjects are plain-text headers: names read as typed (no HTML escaping of O'Brien or
Smith & Co), and nothing typed can break the subject onto a second header line."""

from __future__ import annotations

import pytest

from matching.services import accept_request
from mentoring.emails import render
from mentoring.models import Outbox
from tests.factories import MenteeProfileFactory, MentorProfileFactory, MentorshipRequestFactory

pytestmark = pytest.mark.django_db


def test_a_subject_keeps_apostrophes_and_ampersands_as_typed():
    mentor = MentorProfileFactory(user__full_name="Siobhán O'Brien & Co").user
    req = MentorshipRequestFactory(mentor=mentor, mentee=MenteeProfileFactory().user)

    accept_request(req, by=mentor)

    email = Outbox.objects.get(kind="request_accepted")
    assert email.subject == "Siobhán O'Brien & Co has agreed to mentor you"
    # The HTML body is still escaped.
    assert "O&#x27;Brien &amp; Co" in email.body_html


def test_a_name_with_line_breaks_cannot_add_a_header():
    mentor = MentorProfileFactory(user__full_name="Eve\r\nBcc: victim@example.org\n").user
    req = MentorshipRequestFactory(mentor=mentor, mentee=MenteeProfileFactory().user)

    row = render("request_accepted", to=req.mentee, ctx={"req": req}, dedupe_key="x")

    assert "\n" not in row.subject and "\r" not in row.subject
    assert row.subject == "Eve Bcc: victim@example.org has agreed to mentor you"
