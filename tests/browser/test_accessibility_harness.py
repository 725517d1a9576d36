"""The harness itself: a page with violations is reported, even when the journey leaves at once."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.accessibility import Auditor

pytestmark = pytest.mark.browser

PAGES = {
    # The stylesheet never arrives, which holds the audit back for two seconds while the
    # journey moves on. (For print, so that it blocks neither parsing nor rendering.)
    "/": """<!doctype html><html lang="en"><title>Broken</title>
        <link rel="stylesheet" href="/never.css" media="print">
        <main><h1>Broken</h1><a href="/next">Next</a><img src="data:,"><input></main>""",
    "/next": """<!doctype html><html lang="en"><title>Fine</title><main><h1>Fine</h1></main>""",
    # The parser waits for a script that never arrives, below a link the journey follows: the
    # navigation aborts the parser, and DOMContentLoaded never comes.
    "/blocked": """<!doctype html><html lang="en"><title>Blocked</title>
        <main><h1>Blocked</h1><a href="/next">Next</a><img src="data:,"></main>
        <script src="/never.js"></script>""",
}


def _serve(route: Route) -> None:
    path = urlsplit(route.request.url).path
    if path in PAGES:
        route.fulfill(content_type="text/html", body=PAGES[path])
    # Anything else is left unanswered.


@pytest.fixture
def auditor_and_page(browser: Browser):
    # A context of its own, so that this test's deliberate violations do not fail it.
    context = browser.new_context()
    context.route("http://harness.test/**", _serve)
    auditor = Auditor()
    auditor.install(context)
    yield auditor, context.new_page()
    context.close()


def test_violations_are_reported_for_a_page_left_at_once(auditor_and_page):
    auditor, page = auditor_and_page

    page.goto("http://harness.test/", wait_until="commit")
    page.get_by_role("link", name="Next").click()  # while its audit still waits for the stylesheet
    expect(page).to_have_title("Fine")
    auditor.wait_for_audit(page)

    report = auditor.report()
    assert report.splitlines()[0] == "http://harness.test/:"
    assert "  - image-alt (critical): Images must have alternative text" in report
    assert "  - label (critical): Form elements must have labels" in report
    assert "      elements: img" in report
    assert "      more: https://dequeuniversity.com/rules/axe/" in report
    assert "harness.test/next" not in report  # audited and clean


def test_a_page_left_while_its_parser_waits_is_still_audited(auditor_and_page):
    auditor, page = auditor_and_page

    page.goto("http://harness.test/blocked", wait_until="commit")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_title("Fine")
    auditor.wait_for_audit(page)

    report = auditor.report()
    assert report.splitlines()[0] == "http://harness.test/blocked:"
    assert "  - image-alt (critical): Images must have alternative text" in report
    assert "did not finish" not in report
    assert "never audited" not in report


def test_an_audit_after_a_change_in_place_sees_the_change(auditor_and_page):
    auditor, page = auditor_and_page
    page.goto("http://harness.test/next")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input>')")

    violations = auditor.audit(page)

    assert [v["id"] for v in violations] == ["label"]
    assert "http://harness.test/next:" in auditor.report()
