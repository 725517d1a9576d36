"""A programme's handbook: Markdown rendered and then sanitised, shown to its members and
coordinators only, and linked at the moment each page matters (request pages, the pair's space,
emails)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from matching import services as matching
from mentoring.models import Outbox
from profiles.handbook import render_markdown
from profiles.models import HandbookPage, Membership
from tests.factories import (
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)

pytestmark = pytest.mark.django_db

HOSTILE = """\
# Welcome

Some *emphasis*, **strong** and `code`, a [good link](https://example.org/guide) and
[mail us](mailto:team@example.org).

- one
- two

1. first
2. second

> A quote.

<script>alert("script")</script>
<SCRIPT SRC=//evil.example/x.js></SCRIPT>
<img src=x onerror=alert("img")>
<a href="javascript:alert('a')" onclick="alert('click')">raw link</a>
[md link](javascript:alert('md'))
[md link 2](JaVaScRiPt:alert('md2'))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
<p style="background:url(javascript:alert('css'))" onmouseover="alert('over')">styled</p>
<svg onload=alert("svg")><circle r=1></circle></svg>
<object data="x.swf"></object><embed src="x.swf">
<form action="https://evil.example/"><input name=q></form>
<a href="  javascript:alert('spaced')">spaced</a>
"""


class _Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_hostile_markdown_cannot_inject_script():
    html = str(render_markdown(HOSTILE))
    found = _elements(html)

    assert set(found.tags) <= {
        "h2",
        "p",
        "em",
        "strong",
        "code",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
    }
    for forbidden in ("<script", "<iframe", "<style", "<svg", "<object", "<embed", "<form", "<img"):
        assert forbidden not in html.lower(), forbidden
    # No event handler, no style, and links only to http(s) and mailto addresses.
    assert {name for _, name, _ in found.attributes} <= {"href", "rel"}
    hrefs = [value for _, name, value in found.attributes if name == "href"]
    assert hrefs == ["https://example.org/guide", "mailto:team@example.org"]
    # What was not markup stays visible as harmless text (escaped), never as an element.
    assert "&lt;img src=x onerror" in html


def test_headings_lists_links_and_emphasis_survive():
    html = str(render_markdown(HOSTILE))

    # The page's title is its h1: "# Welcome" becomes an h2.
    assert "<h2>Welcome</h2>" in html
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.org/guide" rel="noopener noreferrer">good link</a>' in html
    assert 'href="mailto:team@example.org"' in html
    assert "<ul>\n<li>one</li>" in html and "<ol>\n<li>first</li>" in html
    assert "<blockquote>" in html
    # Every link carries rel="noopener noreferrer".
    for tag in re.findall(r"<a [^>]*>", html):
        assert 'rel="noopener noreferrer"' in tag


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Staff mentoring", slug="staff")


@pytest.fixture
def page(programme):
    return HandbookPage.objects.create(
        programme=programme,
        title="Your first meeting",
        slug="your-first-meeting",
        moment=HandbookPage.Moment.FIRST_MEETING,
        body="## Before you meet\n\nAgree **how often** you will meet.\n\n<script>x()</script>",
    )


def test_a_member_reads_a_page_rendered_and_sanitised(client_for, programme, page):
    member = MenteeProfileFactory(programmes=[programme]).user

    response = client_for(member).get(
        reverse("profiles:handbook-page", args=["staff", "your-first-meeting"])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h2">Your first meeting</h1>' in html
    assert "<h3>Before you meet</h3>" in html and "<strong>how often</strong>" in html
    assert "x()" not in html


def test_handbook_authorization(client_for, programme, page):
    mentee = MenteeProfileFactory(programmes=[programme]).user
    waiting_mentor = MentorProfileFactory(programmes=[]).user
    Membership.objects.create(
        user=waiting_mentor, programme=programme, role="mentor", status="pending"
    )
    coordinator = UserFactory(is_staff=True)
    programme.coordinators.add(coordinator)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    stranger = MenteeProfileFactory().user  # in the default programme only
    other_coordinator = UserFactory(is_staff=True)
    default_programme().coordinators.add(other_coordinator)
    left = MenteeProfileFactory(programmes=[programme]).user
    Membership.objects.filter(user=left).update(status="left", left_at=timezone.now())
    urls = [
        reverse("profiles:handbook", args=["staff"]),
        reverse("profiles:handbook-page", args=["staff", "your-first-meeting"]),
    ]

    for url in urls:
        for person in (mentee, waiting_mentor, coordinator, superuser):
            assert client_for(person).get(url).status_code == 200, (url, person)
        for person in (stranger, other_coordinator, left):
            assert client_for(person).get(url).status_code == 404, (url, person)
        anonymous = client_for(None).get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        assert client_for(mentee).post(url).status_code == 405
    # A page of another programme is not found under this one's address.
    HandbookPage.objects.create(
        programme=default_programme(), title="Elsewhere", slug="elsewhere", body="x"
    )
    missing = reverse("profiles:handbook-page", args=["staff", "elsewhere"])
    assert client_for(mentee).get(missing).status_code == 404
    assert client_for(None).get("/programmes/nope/handbook/").status_code == 302
    assert client_for(mentee).get("/programmes/nope/handbook/").status_code == 404


def test_the_index_reads_a_constant_number_of_queries(
    client_for, programme, django_assert_max_num_queries
):
    for n in range(25):
        HandbookPage.objects.create(
            programme=programme, title=f"Page {n}", slug=f"page-{n}", body="Text " * 400
        )
    member = MenteeProfileFactory(programmes=[programme]).user
    client = client_for(member)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("profiles:handbook", args=["staff"]))

    assert response.content.decode().count("/programmes/staff/handbook/page-") == 25


def test_a_page_reads_a_constant_number_of_queries(
    client_for, programme, page, django_assert_max_num_queries
):
    for n in range(25):
        HandbookPage.objects.create(programme=programme, title=f"Page {n}", slug=f"p-{n}", body="x")
    client = client_for(MenteeProfileFactory(programmes=[programme]).user)

    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("profiles:handbook-page", args=["staff", "your-first-meeting"])
        )
    assert response.status_code == 200


# Linked at the moment they matter ------------------------------------------------------------


def _pages(programme):
    for slug, moment in [
        ("ways-you-can-help", "request"),
        ("starting", "start"),
        ("first-meeting", "first_meeting"),
        ("ending-well", "ending"),
        ("about", "anytime"),
    ]:
        HandbookPage.objects.create(
            programme=programme,
            title=slug.replace("-", " ").title(),
            slug=slug,
            moment=moment,
            body="Advice.",
        )


def _links(html: str) -> set[str]:
    return set(re.findall(r"/handbook/([a-z-]+)/", html))


def test_the_request_pages_link_the_request_pages(client_for):
    programme = default_programme()
    _pages(programme)
    mentor = MentorProfileFactory()
    mentee = MenteeProfileFactory().user

    form = client_for(mentee).get(reverse("matching:request-create", args=[mentor.pk]))
    req = MentorshipRequestFactory(mentor=mentor.user, mentee=mentee)
    detail = client_for(mentor.user).get(req.get_absolute_url())

    assert _links(form.content.decode()) == {"ways-you-can-help"}
    assert "ways-you-can-help" in _links(detail.content.decode())


def test_the_pair_space_links_start_and_first_meeting_until_a_meeting_is_held(client_for):
    programme = default_programme()
    _pages(programme)
    pair = MentorshipFactory(programme=programme)
    client = client_for(pair.mentee)

    before = _links(client.get(pair.get_absolute_url()).content.decode())
    assert {"starting", "first-meeting", "ending-well"} <= before
    assert "about" not in before and "ways-you-can-help" not in before

    MeetingFactory(mentorship=pair, held=True)
    after = _links(client.get(pair.get_absolute_url()).content.decode())
    assert "first-meeting" not in after
    assert {"starting", "ending-well"} <= after


def test_the_emails_carry_absolute_links_at_their_moment(settings):
    programme = default_programme()
    _pages(programme)
    req = MentorshipRequestFactory()
    matching.accept_request(req, by=req.mentor)

    accepted = Outbox.objects.get(kind="request_accepted")
    start_url = f"{settings.SITE_URL}/programmes/mentoring/handbook/starting/"
    assert start_url in accepted.body_text and start_url in accepted.body_html
    assert "ending-well" not in accepted.body_text

    req.refresh_from_db()
    matching.end_mentorship(req.mentorship, by=req.mentee, reason="achieved")
    ended = Outbox.objects.get(kind="mentorship_ended")
    end_url = f"{settings.SITE_URL}/programmes/mentoring/handbook/ending-well/"
    assert end_url in ended.body_text and end_url in ended.body_html


def test_emails_without_pages_have_no_handbook_section():
    req = MentorshipRequestFactory()
    matching.accept_request(req, by=req.mentor)

    accepted = Outbox.objects.get(kind="request_accepted")
    assert "From the handbook" not in accepted.body_text
    assert "From the handbook" not in accepted.body_html


# The admin -----------------------------------------------------------------------------------


def test_a_coordinator_writes_a_page_of_their_programme_only(client_for, programme):
    coordinator = UserFactory(is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(coordinator)
    client = client_for(coordinator)
    add = reverse("admin:profiles_handbookpage_add")
    body = {
        "title": "Ending well",
        "slug": "ending-well",
        "moment": "ending",
        "position": 1,
        "body": "Say **thank you**.<script>x()</script>",
    }

    refused = client.post(add, {**body, "programme": default_programme().pk})
    assert refused.status_code == 200 and not HandbookPage.objects.exists()

    done = client.post(add, {**body, "programme": programme.pk})
    assert done.status_code == 302
    saved = HandbookPage.objects.get()
    change = client.get(reverse("admin:profiles_handbookpage_change", args=[saved.pk]))
    assert b"<strong>thank you</strong>" in change.content
    assert b"<script>x()" not in change.content
    other = HandbookPage.objects.create(
        programme=default_programme(), title="Theirs", slug="theirs", body="x"
    )
    assert (
        client.get(reverse("admin:profiles_handbookpage_change", args=[other.pk])).status_code
        == 404
    )
