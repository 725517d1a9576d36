"""Issue 19: a mentee who reads the scheme in Welsh has her pages and her emails in Welsh.

Maya's saved language is Welsh; Daniel (her mentor) reads English. She asks him, he accepts
with a note and plans their first meeting, and she goes about her pages. No page she sees and
no email she is sent may carry an English sentence the Welsh catalogue translates: each is
looked for in what she reads (names and what people typed are theirs, in their words)."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from matching.models import MentorshipRequest
from mentoring.models import Outbox
from sessions_log import services as pair_services
from tests.factories import (
    MentorProfileFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def english_sentences() -> list[str]:
    """The catalogue's English sentences that read differently in Welsh, as a page shows them:
    whole ones (no placeholder or markup), long enough not to be a name or a word of data."""
    found = []
    for entry in polib.pofile(str(CATALOGUE)):
        text = " ".join(entry.msgid.split())
        if (
            entry.msgstr
            and " ".join(entry.msgstr.split()) != text
            and len(text) >= 15
            and " " in text
            and not re.search(r"[%{<>]", text)
        ):
            found.append(text)
    assert len(found) > 500
    return found


def _readable(html: str) -> str:
    main = html.split('id="main"', 1)[-1]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S | re.I)
    main = re.sub(r"<[^>]+>", " ", main)
    return " ".join(html_lib.unescape(main).split())


def _english_in(text: str, sentences: list[str]) -> list[str]:
    return [s for s in sentences if s in text]


@pytest.fixture
def welsh_pair(mentee, mentee_profile, mentor, mentor_profile):
    mentee.language = "cy"
    mentee.save(update_fields=["language"])
    request = MentorshipRequestFactory(
        mentee=mentee, mentor=mentor, message="Hoffwn ddysgu am gyllid."
    )
    matching.accept_request(request, by=mentor, welcome="Looking forward to it.")
    mentorship = MentorshipRequest.objects.get(pk=request.pk).mentorship
    pair_services.plan_meeting(
        mentorship,
        by=mentor,
        starts_at=timezone.now() + timedelta(days=3),
        time_zone="Europe/London",
        duration_minutes=45,
        format="video",
        agenda="CV",
    )
    ObjectiveFactory(mentorship=mentorship, title="Swydd i raddedigion")
    other = MentorProfileFactory(user__full_name="Priya Shah")
    return request, mentorship, other


def test_her_pages_are_in_welsh(client_for, mentee, welsh_pair, english_sentences):
    request, mentorship, other = welsh_pair
    client = client_for(mentee)
    pages = [
        reverse("home"),
        reverse("profiles:directory"),
        reverse("matching:mentor-detail", args=[other.pk]),
        reverse("matching:request-create", args=[other.pk]),
        reverse("matching:request-list"),
        reverse("matching:request-detail", args=[request.pk]),
        reverse("matching:mentorship-list"),
        reverse("sessions_log:mentorship-detail", args=[mentorship.pk]),
        reverse("sessions_log:meeting-add", args=[mentorship.pk]),
        reverse("sessions_log:objective-add", args=[mentorship.pk]),
        reverse("sessions_log:agreement-edit", args=[mentorship.pk]),
        reverse("matching:inbox"),
        reverse("profiles:programme-list"),
        reverse("profiles:shortlist"),
        reverse("accounts:email-preferences"),
        reverse("accounts:personal-data"),
    ]
    problems = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="cy">' in html, url
        if found := _english_in(_readable(html), english_sentences):
            problems[url] = found
    assert not problems


def test_her_emails_are_in_welsh(mentee, welsh_pair, english_sentences):
    sent = Outbox.objects.filter(recipient=mentee)
    kinds = set(sent.values_list("kind", flat=True))
    assert {"request_accepted", "meeting_planned"} <= kinds
    problems = {}
    for email in sent:
        text = " ".join(f"{email.subject}\n{email.body_text}".split())
        if found := _english_in(text, english_sentences):
            problems[email.kind] = found
        assert 'lang="cy"' in email.body_html, email.kind
    assert not problems
    # Daniel reads English: his copies are not touched by her language.
    assert (
        Outbox.objects.exclude(recipient=mentee).filter(body_html__contains='lang="cy"').count()
        == 0
    )
