"""Accessibility audits of every page a browser context shows, with axe-core.

`Auditor.install(context)` adds axe-core and a small script to every document before the
document's own scripts run. Once the top-level document is parsed and styled, the script runs
axe and reports the violations to Python. A navigation request waits until the page it replaces has
reported, so a journey that moves on quickly cannot skip an audit. Init scripts are not
subject to the page's Content-Security-Policy, so the policy stays on, and anything it blocks
is reported too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Route

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A large admin page (the dashboard with the whole app list) took over 10 s to audit in a full
# serial run on a 2-core machine.
AUDIT_TIMEOUT_MS = 20_000
SHOWN_REPORT_GRACE_MS = 100

_AUDIT_JS = """
(() => {
  if (!/^https?:$/.test(location.protocol)) return;
  document.addEventListener("securitypolicyviolation", (event) =>
    window.__a11yCspViolation(location.href, event.effectiveDirective, event.blockedURI || "inline")
  );
  if (window.top !== window) return;

  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  window.__a11yShown(id, location.href);
  const options = { runOnly: { type: "tag", values: WCAG_TAGS }, resultTypes: ["violations"] };
  const audit = () =>
    axe.run(document, options).then((results) =>
      results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl.split("?")[0],
        targets: v.nodes.map((node) => node.target.join(" ")),
      }))
    );
  // Stylesheets still loading; they count for contrast and target sizes.
  const stylesheets = () =>
    Promise.race([
      Promise.all(
        [...document.querySelectorAll('link[rel="stylesheet"]')]
          .filter((link) => !link.sheet)
          .map((link) => new Promise((done) => {
            link.addEventListener("load", done);
            link.addEventListener("error", done);
          }))
      ),
      new Promise((done) => setTimeout(done, 5000)),
    ]);
  // The first audit runs once the document is parsed and styled, not on "load": a new
  // navigation stops a page's pending loads, so a journey that moves on quickly would leave a
  // page whose load event never comes. A navigation that starts while the parser waits for a
  // script (a click on a button above it) aborts the parser: the document then goes straight
  // to "complete" and DOMContentLoaded never fires, so that starts the audit too. axe refuses
  // to run twice at once, so every audit of this document joins one queue.
  let queue = new Promise((resolve) => {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      // A turn later, so that the page's own DOMContentLoaded handlers (focusing the error
      // summary) have run.
      setTimeout(() => {
        stylesheets()
          .then(audit)
          .then(
            (violations) => window.__a11yAudited(id, location.href, violations, ""),
            (error) => window.__a11yAudited(id, location.href, [], String(error))
          )
          .finally(resolve);
      }, 0);
    };
    document.addEventListener("DOMContentLoaded", start);
    document.addEventListener("readystatechange", () => {
      if (document.readyState === "complete") start();
    });
  });
  Object.defineProperty(window, "__a11yAuditNow", {
    value: () => {
      queue = queue.then(audit);
      return queue.then((violations) => ({ id, url: location.href, violations }));
    },
  });
})();
""".replace("WCAG_TAGS", json.dumps(WCAG_TAGS))


@dataclass
class Audit:
    url: str
    violations: list[dict]


@dataclass
class Auditor:
    """Collects what the pages of one browser context report about themselves."""

    shown: dict[str, str] = field(default_factory=dict)  # document id -> URL
    current: dict[Page, str] = field(default_factory=dict)  # page -> id of its document
    audits: dict[str, list[Audit]] = field(default_factory=dict)  # document id -> audits
    problems: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.expose_binding("__a11yShown", self._shown)
        context.expose_binding("__a11yAudited", self._audited)
        context.expose_binding("__a11yCspViolation", self._csp_violation)
        context.add_init_script(path=AXE_PATH)
        context.add_init_script(_AUDIT_JS)
        context.route("**/*", self._audit_before_leaving)

    def audit(self, page: Page) -> list[dict]:
        """Audit the page as it is now, after a change that was not a navigation (a dialog
        opened, an htmx swap). Returns the violations; the test fails on them at the end."""
        result = page.evaluate("window.__a11yAuditNow()")
        self.audits.setdefault(result["id"], []).append(Audit(result["url"], result["violations"]))
        return result["violations"]

    def wait_for_audit(self, page: Page) -> None:
        """Wait until the document `page` shows has audited itself."""
        waited, settled = 0, False
        while True:
            document_id = self.current.get(page)
            if document_id and document_id not in self.audits:
                if waited >= AUDIT_TIMEOUT_MS:
                    self.problems.append(f"{page.url}: its audit did not finish (still loading?)")
                    return
                page.wait_for_timeout(25)
                waited += 25
            elif settled:
                return
            else:
                # The newest document's "shown" report crosses Playwright's server as a binding
                # call and may arrive after this navigation's request: give it a moment, so the
                # page it reports is waited for rather than left unaudited.
                page.wait_for_timeout(SHOWN_REPORT_GRACE_MS)
                settled = True

    def report(self) -> str:
        """Every problem found, in a readable list; empty when all is well."""
        lines = list(self.problems)
        for document_id, url in self.shown.items():
            audits = self.audits.get(document_id)
            if not audits:
                lines.append(
                    f"{url}: never audited: the page was left before it finished loading, or a "
                    "route handler of the test bypassed the harness's (use route.fallback())"
                )
            for audit in audits or []:
                if audit.violations:
                    lines.append(f"{audit.url}:")
                    lines.extend(_describe(violation) for violation in audit.violations)
        return "\n".join(lines)

    def _shown(self, source: dict, document_id: str, url: str) -> None:
        self.shown[document_id] = url
        self.current[source["page"]] = document_id

    def _audited(self, source: dict, document_id: str, url: str, violations, error: str) -> None:
        self.audits.setdefault(document_id, []).append(Audit(url, violations))
        if error:
            self.problems.append(f"{url}: axe-core failed: {error}")

    def _csp_violation(self, source: dict, url: str, directive: str, blocked: str) -> None:
        self.problems.append(f"{url}: the Content-Security-Policy ({directive}) blocked {blocked}")

    def _audit_before_leaving(self, route: Route) -> None:
        # A new top-level document is about to replace the current one: let the current one
        # finish its audit first. Its scripts keep running while this request waits. (Calls
        # into the page, like evaluate(), would hang here: only wait for its report.)
        try:
            request = route.request
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self.wait_for_audit(request.frame.page)
        finally:
            route.fallback()


def _describe(violation: dict) -> str:
    targets = violation["targets"]
    listed = ", ".join(targets[:5]) + (f" and {len(targets) - 5} more" if len(targets) > 5 else "")
    return (
        f"  - {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"      elements: {listed}\n"
        f"      more: {violation['helpUrl']}"
    )
