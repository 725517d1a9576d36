"""Locators the journeys share."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page


def field(page: Page, label: str) -> Locator:
    """The form field with exactly this label ("Password", not "Password (again)").

    crispy-forms appends "*" to the label of a required field.
    """
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))
