"""Many URLs of one pattern at the cost of one `reverse()`: a list page links to each of its rows
(a report form under each message, a button on each card), and reversing each costs more than
the row's other work."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# An id no row has: the URL is made once around it, and each row's id goes in its place.
_PLACEHOLDER = 987_654_321_987_654_321


def url_for_each(viewname: str) -> Callable[[int], str]:
    """`url(pk)`, equal to `reverse(viewname, args=[pk])`, for a URL whose one argument is an
    `<int:...>` (its text is the number's). Made per page, so it follows the script prefix and
    the language of the request."""
    before, placeholder, after = reverse(viewname, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
    if not placeholder:
        raise ValueError(f"{viewname} does not show its argument as a number")

    def url(pk: int) -> str:
        return f"{before}{int(pk)}{after}"

    return url
