"""Small numbers: what a count may be shown as, so that no one can be picked out of a figure.

The scheme team sees exact numbers of their own programmes (the reports page, and the CSV by
default). Figures meant for publication are suppressed, a choice made on the export: a count
from 1 to 4 is shown as "<5" ("the one mentee who ended early" stays unnamed); 0 stays 0, it
describes nobody. Rates, averages, medians and hours are computed from the exact numbers, but
shown as "–" when fewer than 5 people or things are behind them. This is primary suppression
only: a total minus the other cells of its breakdown can still narrow a "<5" down, so figures
meant for publication deserve a second look.

In the CSV a value column holds numbers only: a suppressed figure is an empty cell with "yes" in
the "Suppressed" column; an empty cell without it is a figure with nothing behind it (a rate of
no requests).

Whether a report is exact is set for the time it is built (`exactly()`), so that every figure of
one report follows the same rule without passing it through each section.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

SMALL = 5
HIDDEN = "–"
SUPPRESSED = "yes"  # the "Suppressed" column of a suppressed figure in the CSV

_exact: ContextVar[bool] = ContextVar("report_exact", default=False)


@contextmanager
def exactly(exact: bool) -> Iterator[None]:
    """Figures built inside are exact (True) or suppressed for publication (False)."""
    token = _exact.set(exact)
    try:
        yield
    finally:
        _exact.reset(token)


def is_exact() -> bool:
    return _exact.get()


def hidden(n: int) -> bool:
    """Whether a count is suppressed under the rule in force."""
    return not is_exact() and 0 < n < SMALL


def too_few(n: int) -> bool:
    """Whether a rate or an average resting on `n` is suppressed under the rule in force."""
    return not is_exact() and n < SMALL


def suppress(n: int) -> str:
    """A count as it may be shown: "<5" from 1 to 4 when suppressed, the number otherwise."""
    if hidden(n):
        return f"<{SMALL}"
    return f"{n:,}"
