"""Pages that moved to the app that owns their job keep their addresses (DESIGN "URLs": outside
checks use them), and each address is served by its owner's module."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse


@pytest.mark.parametrize(
    ("name", "args", "path", "module"),
    [
        ("matching:mentor-detail", [7], "/mentors/7/", "matching.views"),
        ("sessions_log:mentorship-detail", [7], "/mentorships/7/", "sessions_log.views"),
        ("sessions_log:mentorship-end", [7], "/mentorships/7/end/", "sessions_log.views"),
        (
            "admin:profiles_menteeprofile_match",
            [7],
            "/admin/profiles/menteeprofile/7/match/",
            "matching.admin",
        ),
        ("admin-reports", [], "/admin/reports/", "mentoring.backoffice.views"),
        ("admin-email-previews", [], "/admin/emails/", "mentoring.backoffice.views"),
    ],
)
def test_a_moved_page_keeps_its_address(name, args, path, module):
    assert reverse(name, args=args) == path
    view = resolve(path).func
    # The admin wraps its views; the wrapped function names the module that wrote it.
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    assert view.__module__ == module
