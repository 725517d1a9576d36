"""Translated messages remembered per language, so a message is looked up once per process.

Django looks every `gettext` up in a chain of catalogues: for English, nine catalogues (one per
plural rule the installed apps' `en_GB` files declare) and six empty `en` catalogues that
packages ship beside them, each asked twice on a miss; English messages are nearly all misses.
That is about 4 µs a message, and a page or an email asks for 30 to 150 of them (the
`{% translate %}` tags, month and day names, choices): a tenth of an email's rendering
(bench/README.md, "Scheduled jobs").

`install()` (mentoring.apps) puts a dictionary in front of the chain on Django's translation
class: the first lookup of a message in a language goes through Django's own `gettext`, later
ones are one dictionary read, while every catalogue in the chain is a plain one (see
`_plain_chain`). Nothing else changes: the same results, the same fallbacks,
`pgettext` included (Django builds it on `gettext`); plurals (`ngettext`) are left alone, their
answer depends on the number. A new catalogue (`makemessages`/`compilemessages` in development)
comes with new translation objects, whose memory starts empty. Django has no setting for this;
tests/mentoring/test_translation_memo.py fails if a Django upgrade moves what it wraps.
"""

from __future__ import annotations

from gettext import GNUTranslations
from typing import Any

from django.utils.translation import trans_real

# A bound on what one language remembers: messages are the code's and templates' (about 2,500),
# but `gettext` can be handed a variable, and the memory must not grow with what people type.
MAX_REMEMBERED = 20_000

_lookup = trans_real.DjangoTranslation.gettext  # Django's own, through the whole chain
_PLAIN = (GNUTranslations, trans_real.DjangoTranslation)


def _plain_chain(translation: Any) -> bool:
    """Whether every catalogue the lookup may reach is a plain one, whose answers depend on
    the message alone. django-countries puts a translator of its own in the chain that answers
    "" while a flag of its is set (to learn whether a country's newest name is translated):
    while such a translator is there, nothing is remembered or answered from memory."""
    fallback = translation._fallback
    while fallback is not None:
        if type(fallback) not in _PLAIN:
            return False
        fallback = fallback._fallback
    return True


def _remembering_gettext(self: Any, message: str) -> str:
    if not _plain_chain(self):
        return _lookup(self, message)
    try:
        return self._remembered[message]
    except KeyError:
        pass
    except AttributeError:
        self._remembered = {}
    # A plain str: a message that is not in the catalogue comes back as itself, and one that
    # was marked safe must not hand its safety to the next caller of the same text.
    result = str.__str__(_lookup(self, message))
    if len(self._remembered) < MAX_REMEMBERED:
        self._remembered[message] = result
    return result


def install() -> None:
    """Remember translated messages on every translation object, made or to be made."""
    trans_real.DjangoTranslation.gettext = _remembering_gettext  # type: ignore[method-assign]
