"""mentoring.reversing: one reverse() for many rows gives the URLs reverse() gives."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from mentoring.reversing import url_for_each


@pytest.mark.parametrize(
    "viewname", ["matching:message-report", "profiles:shortlist-save", "profiles:shortlist-remove"]
)
def test_each_url_is_the_one_reverse_gives(viewname):
    url = url_for_each(viewname)
    for pk in (1, 7, 10, 987_654_321, 2**40):
        assert url(pk) == reverse(viewname, args=[pk])


def test_it_follows_the_script_prefix():
    set_script_prefix("/mentoring/")
    try:
        assert url_for_each("matching:message-report")(5) == "/mentoring/messages/5/report/"
    finally:
        set_script_prefix("/")


def test_only_whole_numbers_go_in():
    url = url_for_each("matching:message-report")
    with pytest.raises(ValueError):
        url("5/../../admin")
