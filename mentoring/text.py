"""Small helpers for the words around numbers: "1 person", "2 people", never "1 people"."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import ngettext, ngettext_lazy

# Every noun counted() is called with, marked so makemessages puts it in the catalogue with all
# its plural forms (Welsh has four: 1, 2, 3-6/9/10/12+, and 8 and 11). `number` is the count as
# written ("1,200"); the form is chosen by `count`.
_PHRASES = {
    "day": ngettext_lazy("%(number)s day", "%(number)s days", "count"),
    "minute": ngettext_lazy("%(number)s minute", "%(number)s minutes", "count"),
    "message": ngettext_lazy("%(number)s message", "%(number)s messages", "count"),
    "request": ngettext_lazy("%(number)s request", "%(number)s requests", "count"),
    "mentee": ngettext_lazy("%(number)s mentee", "%(number)s mentees", "count"),
    "mentor": ngettext_lazy("%(number)s mentor", "%(number)s mentors", "count"),
    "person": ngettext_lazy("%(number)s person", "%(number)s people", "count"),
    "pair": ngettext_lazy("%(number)s pair", "%(number)s pairs", "count"),
    "meeting": ngettext_lazy("%(number)s meeting", "%(number)s meetings", "count"),
}


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun that agrees with it, in the active language: counted(1, "person",
    "people") -> "1 person", counted(2, "mentor") -> "2 mentors", counted(1200, "mentor") ->
    "1,200 mentors"; in Welsh "2 fentor". A noun not in _PHRASES is counted in English (add it
    there so it is translated)."""
    phrase = _PHRASES.get(singular)
    if phrase is not None:
        return phrase % {"count": n, "number": intcomma(n)}
    noun = ngettext(singular, plural or f"{singular}s", n)
    return f"{intcomma(n)} {noun}"
