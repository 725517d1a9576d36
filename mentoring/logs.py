"""Secrets in URLs stay out of the logs.

Some links carry their own credential in the path: a check-in survey, a private calendar feed,
an unsubscribe link, a mentor's "still up to date" link, a programme invitation, allauth's
email-confirmation and password-reset keys. Whoever reads the access log could otherwise follow them. The filter is used
by Django's logging (runserver's request lines, "Not Found: <path>" warnings) and by gunicorn's
access log (mentoring/gunicorn_conf.py).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# A path separator, also as it appears percent-encoded in a ?next= parameter.
_SEP = r"(?:/|%2[fF])"
_SECRET = r"(?:(?!%2[fF])[^/?&#\s\"'])+?"
_END = r"(?=/|%2[fF]|[?&#\s\"']|$)"
_SECRET_IN_PATH = re.compile(
    rf"(?P<prefix>{_SEP}(?:check-ins|email{_SEP}unsubscribe|profile{_SEP}mentor{_SEP}confirm"
    rf"|accounts{_SEP}confirm-email){_SEP}"
    rf"|{_SEP}accounts{_SEP}password{_SEP}reset{_SEP}key{_SEP}(?!done{_END})"
    rf"|{_SEP}programmes{_SEP}{_SECRET}{_SEP}invitation{_SEP}"
    rf"|{_SEP}calendar{_SEP}(?={_SECRET}\.ics{_END}))"
    rf"(?P<secret>{_SECRET})(?P<suffix>\.ics)?{_END}"
)


def redact_secrets(text: str) -> str:
    """`text` with the secret part of every tokened path replaced by [redacted]."""
    return _SECRET_IN_PATH.sub(lambda m: f"{m['prefix']}{REDACTED}{m['suffix'] or ''}", text)


# Any other link's opaque parts, for showing a stored email to staff: a path segment of 20 or
# more token characters with a digit in it (a signed value, an invitation key), and every query.
_URL = re.compile(r"https?://[^\s\"'<>]+")
_OPAQUE_SEGMENT = re.compile(r"(?<=/)(?=[^/?#]*\d)[A-Za-z0-9_.:~%=-]{20,}(?=/|$)")


def _mask_url(match: re.Match[str]) -> str:
    url, _, query = match[0].partition("?")
    url = _OPAQUE_SEGMENT.sub(REDACTED, url)
    return f"{url}?{REDACTED}" if query else url


def mask_links(text: str) -> str:
    """`text` (an email's text or HTML) with the secret part of every link replaced by
    [redacted]: the tokened paths above, long opaque path segments and query strings."""
    return _URL.sub(_mask_url, redact_secrets(text))


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message with the secrets in any path it mentions redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
