"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

A journey takes `page` and `live_server`, is marked `browser` and `django_db(transaction=True)`,
and needs nothing else for accessibility: every page it shows is audited with axe-core (WCAG
2.0, 2.1 and 2.2, levels A and AA; see accessibility.py). After the test body, the test fails
with a list of the violations if any page had violations, was never audited or broke the
Content-Security-Policy (the journeys run under the real policy). After a change that is not a
navigation (a dialog opened, an htmx swap), call `a11y.audit(page)`.

On failure a screenshot and the HTML of each open page are saved to test-artifacts/, named
after the test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.accessibility import AUDIT_TIMEOUT_MS, AXE_PATH, Auditor

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Longer than the harness's wait for a page's audit (accessibility.AUDIT_TIMEOUT_MS): a click that
# leaves a page waits for that page's audit first, and a large admin page audited on a busy
# machine took most of 10 s, so a click timing out at the same 10 s failed the journey.
TIMEOUT_MS = 2 * AUDIT_TIMEOUT_MS

AUDITOR_KEY = pytest.StashKey[Auditor]()
REPORTS_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "The browser tests need Debian's Chromium on PATH: run `make browser` or "
            "`apt-get install chromium` (not `playwright install`: these tests use the "
            "system browser).",
            pytrace=False,
        )
    return path


# Package scope: Playwright, and the settings it needs, end with the last browser test.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not AXE_PATH.exists():
        pytest.fail(
            f"axe-core is missing ({AXE_PATH.relative_to(REPO_ROOT)}): run `npm ci`.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as mp:
        # Playwright's sync API runs an event loop in the test's thread while it is started;
        # Django refuses ORM calls (the journeys', the live server's flush) from such a thread
        # unless told it is safe, and it is: nothing else runs on that loop. Only for as long
        # as Playwright runs, so that the processes later tests start (`check --deploy`) do
        # not inherit it.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    auditor = Auditor()
    auditor.install(context)
    request.node.stash[AUDITOR_KEY] = auditor
    yield context
    if any(report.failed for report in request.node.stash.get(REPORTS_KEY, {}).values()):
        _save_artifacts(request.node, context)
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def a11y(context: BrowserContext, request: pytest.FixtureRequest) -> Auditor:
    """The auditor of this test's pages, for audits beyond the automatic ones."""
    return request.node.stash[AUDITOR_KEY]


@pytest.fixture
def artifacts_dir() -> Path:
    """Where a journey may save screenshots worth a look (git-ignored)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(autouse=True)
def _fresh_rate_limits(_test_settings):
    # allauth counts sign-ups and failed sign-ins in the local-memory cache, which outlives a
    # test: every journey starts with none.
    cache.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield
    # The test body passed; now every page it showed must have passed its audit.
    auditor = item.stash.get(AUDITOR_KEY, None)
    if auditor is not None:
        for page in item.funcargs["context"].pages:
            auditor.wait_for_audit(page)
        problems = auditor.report()
        if problems:
            pytest.fail(f"Problems on pages this journey showed:\n{problems}", pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    item.stash.setdefault(REPORTS_KEY, {})[report.when] = report
    return report


def _save_artifacts(item: pytest.Item, context: BrowserContext) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{item.module.__name__}.{item.name}")
    for index, page in enumerate(context.pages):
        stem = name if index == 0 else f"{name}.page{index + 1}"
        try:
            page.screenshot(path=ARTIFACTS_DIR / f"{stem}.png", full_page=True)
            (ARTIFACTS_DIR / f"{stem}.html").write_text(page.content())
        except Exception as exc:  # noqa: BLE001 - a broken page must not hide the failure
            (ARTIFACTS_DIR / f"{stem}.error.txt").write_text(f"{page.url}: {exc}\n")
