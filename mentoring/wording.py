"""The words and looks of an email the scheme team may change: a programme's name, logo and
contact address, and the opening paragraphs and sign-off of each kind of email
(mentoring.models.EmailWording).

`emails.render` calls `words_for` and `brand_for` for every email, so both read from a small
in-process cache: a job sending 15,000 reminders of one kind reads the wording table once
(every row: it holds a few rows per kind) and each programme once. The cache is emptied when a
row or a programme is saved or deleted in this process, at the start of each request and
Celery task, and after CACHE_SECONDS in any case, so another process sees an edit within that;
a job therefore pays two queries per run (`warm`), whatever the number of emails or
programmes.

Staff type plain text: it is escaped, and blank lines make paragraphs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.html import linebreaks
from django.utils.safestring import SafeString

CACHE_SECONDS = 60

_cache: dict[str, Any] = {}


def clear(**kwargs: Any) -> None:
    """Forget the cached wording and programmes (a signal receiver, see MentoringConfig)."""
    _cache.clear()


def _fresh() -> dict[str, Any]:
    if time.monotonic() - _cache.get("loaded_at", -CACHE_SECONDS) >= CACHE_SECONDS:
        _cache.clear()
        _cache["loaded_at"] = time.monotonic()
    return _cache


@dataclass(frozen=True)
class Words:
    intro: str = ""
    sign_off: str = ""

    def __bool__(self) -> bool:
        return bool(self.intro or self.sign_off)

    @property
    def intro_html(self) -> SafeString:
        """The intro's paragraphs as HTML, staff's text escaped."""
        return SafeString(linebreaks(self.intro, autoescape=True)) if self.intro else SafeString("")

    @property
    def sign_off_html(self) -> SafeString:
        return (
            SafeString(linebreaks(self.sign_off, autoescape=True))
            if self.sign_off
            else SafeString("")
        )


def _rows() -> dict[tuple[str, int | None, str], tuple[str, str]]:
    # Read once and kept in a local: another thread (a request starting, a save) may empty the
    # shared dict at any moment, so what was just checked or stored is never read back from it.
    cache = _fresh()
    rows = cache.get("rows")
    if rows is None:
        model = apps.get_model("mentoring", "EmailWording")
        rows = {
            (kind, programme_id, language): (intro.strip(), sign_off.strip())
            for kind, programme_id, language, intro, sign_off in model.objects.values_list(
                "kind", "programme_id", "language", "intro", "sign_off"
            )
        }
        cache["rows"] = rows
    return rows


def words_for(kind: str, programme_id: int | None, language: str = "") -> Words:
    """The team's words for this email: for each part, the most specific row that sets it (this
    programme before every programme, the recipient's language before any language)."""
    rows = _rows()
    if not rows:
        return Words()
    keys = [
        (kind, programme_id, language),
        (kind, programme_id, ""),
        (kind, None, language),
        (kind, None, ""),
    ]
    found = [rows[key] for key in keys if key in rows]
    intro = next((intro for intro, _ in found if intro), "")
    sign_off = next((sign_off for _, sign_off in found if sign_off), "")
    return Words(intro, sign_off)


@dataclass(frozen=True)
class Brand:
    """What an email about a programme shows of it."""

    name: str
    logo_url: str
    contact_email: str


def _absolute(url: str) -> str:
    return url if "://" in url else f"{settings.SITE_URL}{url}"


def _text(value: Any) -> str:
    # An unsaved programme (the previews' samples) holds its database defaults, not "".
    return value if isinstance(value, str) else ""


def brand_of(programme: Any) -> Brand:
    logo: Any = getattr(programme, "logo", None)
    return Brand(
        name=programme.name,
        logo_url=_absolute(logo.url) if logo is not None and _text(logo.name) else "",
        contact_email=_text(programme.contact_email) or settings.SCHEME_CONTACT_EMAIL,
    )


def _brands() -> dict[int, Brand]:
    cache = _fresh()  # never read back after storing: see _rows
    brands = cache.get("brands")
    if brands is None:
        # Every programme at once: a scheme runs a handful, and a job emailing people of many
        # programmes then reads them in one query, not one per programme.
        model = apps.get_model("profiles", "Programme")
        brands = {
            programme.pk: brand_of(programme)
            for programme in model.objects.only("name", "logo", "contact_email")
        }
        cache["brands"] = brands
    return brands


def brand_for(programme_id: int) -> Brand | None:
    """A programme's brand by its id, read once per cache lifetime."""
    return _brands().get(programme_id)


def warm() -> None:
    """Load the wording and every programme's brand now (what a task's first email would),
    so that what follows reads neither."""
    _rows()
    _brands()


# Context keys whose object belongs to a programme, in the order they are looked at.
_OWNERS = ("req", "mentorship", "conversation", "round", "membership", "check_in", "training")


def _is_programme(value: Any) -> bool:
    meta = getattr(value, "_meta", None)
    return meta is not None and meta.label == "profiles.Programme"


def programme_in(ctx: dict[str, Any]) -> tuple[int | None, Brand | None]:
    """The programme an email is about, as its id and brand, found in the email's context
    without a query when the context already holds it: `programme`, or the programme of a
    request, mentorship, conversation or round it names (by id: loaded once per process)."""
    programme: Any = ctx.get("programme")
    if _is_programme(programme):
        return programme.pk, brand_of(programme)
    for key in _OWNERS:
        owner = ctx.get(key)
        programme_id = getattr(owner, "programme_id", None)
        if programme_id is None:
            continue
        state = getattr(owner, "_state", None)
        cached = state.fields_cache.get("programme") if state is not None else None
        return programme_id, brand_of(cached) if cached is not None else brand_for(programme_id)
    return None, None


# The text part ---------------------------------------------------------------------------

_FOOTER = "\n\n--\n"


def apply_to_text(body: str, words: Words, scheme_name: str) -> str:
    """The team's intro after the greeting (the first paragraph when it is one, "Hello Maya,";
    else at the top), and their sign-off instead of the email's own (its scheme-name line) or, in an
    email without one, before its "--" footer or at the end. The body's final newline stays."""
    if words.intro:
        head, sep, rest = body.partition("\n\n")
        if sep and _is_greeting(head):
            body = f"{head}\n\n{words.intro}\n\n{rest}"
        else:
            body = f"{words.intro}\n\n{body}"
    if words.sign_off:
        text, end = _split_end(body)
        own = f"\n\n{scheme_name}"
        if text.endswith(own):
            body = text.removesuffix(own) + f"\n\n{words.sign_off}{end}"
        else:
            body = add_before_footer(body, words.sign_off)
    return body


def _is_greeting(paragraph: str) -> bool:
    """ "Hello Maya," (or "Helo Maya," once translated): one short line ending with a comma."""
    line = paragraph.strip()
    return "\n" not in line and line.endswith(",") and len(line) <= 80


def _split_end(body: str) -> tuple[str, str]:
    text = body.rstrip()
    return text, body[len(text) :]


def add_before_footer(body: str, paragraph: str) -> str:
    """`paragraph` at the end of the text part, before its "--" footer if it has one."""
    text, end = _split_end(body)
    if _FOOTER in text:
        before, _, after = text.rpartition(_FOOTER)
        return f"{before.rstrip()}\n\n{paragraph}{_FOOTER}{after}{end}"
    return f"{text}\n\n{paragraph}{end}"


# The HTML part: emails/base.html marks where the content starts.
CONTENT_MARK = "<!--content-->"


def apply_to_html(body: str, words: Words) -> str:
    """The team's intro after the greeting paragraph (or first in the content); the mark goes
    either way, so an email nobody changed is as its template made it."""
    at = body.find(CONTENT_MARK)
    if at < 0:
        return body
    before, content = body[:at], body[at + len(CONTENT_MARK) :]
    if words.intro:
        stripped = content.lstrip()
        end = stripped.find("</p>")
        if stripped.startswith("<p>") and end >= 0 and _is_greeting(stripped[3:end]):
            cut = len(content) - len(stripped) + end + len("</p>")
            content = f"{content[:cut]}\n{words.intro_html}{content[cut:]}"
        else:
            content = f"{words.intro_html}\n{content}"
    return before + content
