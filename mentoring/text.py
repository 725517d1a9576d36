"""Small helpers for the words around numbers: "1 person", "2 people", never "1 people"."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import ngettext


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun that agrees with it: counted(1, "person", "people") -> "1 person",
    counted(2, "mentor") -> "2 mentors", counted(1200, "mentor") -> "1,200 mentors"."""
    noun = ngettext(singular, plural or f"{singular}s", n)
    return f"{intcomma(n)} {noun}"
