"""Small numbers: what a count may be shown as, so that no one can be picked out of a figure.

A count from 1 to 4 is shown as "<5", on the page and in the CSV ("the one mentee who ended
early" stays unnamed). 0 is shown as 0: it describes nobody. Rates, averages, medians and hours
are computed from the exact numbers, but shown as "–" when fewer than 5 people or things are
behind them. This is primary suppression only: a total minus the other cells of its breakdown
can still narrow a "<5" down, so figures meant for publication deserve a second look.
"""

from __future__ import annotations

SMALL = 5
HIDDEN = "–"


def suppress(n: int) -> str:
    """A count as it may be shown: "<5" from 1 to 4, the number otherwise."""
    if 0 < n < SMALL:
        return f"<{SMALL}"
    return f"{n:,}"


def plain(n: int) -> str:
    """A count as it may be written in the CSV: suppressed, without thousands separators."""
    return suppress(n).replace(",", "")
