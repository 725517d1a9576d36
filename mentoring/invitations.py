"""Calendar invitations in emails: the iCalendar text an email's context carries, sent as a
`text/calendar; method=...` part (iMIP, RFC 6047) so mail apps offer to add, move or remove
the event.

The app that sends the email renders the iCalendar text (sessions_log.calendar.invitation) and
puts it in the email's context under `CONTEXT_KEY`; the outbox row keeps it in its `context`
JSON, and this module turns it into MIME parts when the email is sent. It imports no app.
"""

from __future__ import annotations

import email.message
import re
from typing import Any

from django.core.mail import EmailMultiAlternatives

CONTEXT_KEY = "calendar_ics"
_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)
_END = "END:VCALENDAR"
# Where one object ends: END:VCALENDAR on a line of its own. Text typed in a meeting (its agenda)
# is escaped and folded inside DESCRIPTION, but may contain the words: never split there.
_END_LINE = re.compile(r"^END:VCALENDAR\r?$", re.MULTILINE)


def calendars(context: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(iCalendar text, METHOD) for each VCALENDAR object in the context's text, in order.

    An iMIP message carries one meeting (one UID) per object: an email about several meetings
    (a pair that ended with two meetings planned) carries several objects, joined."""
    text = (context or {}).get(CONTEXT_KEY)
    if not isinstance(text, str) or _END not in text:
        return []
    found = []
    for chunk in _END_LINE.split(text)[:-1]:
        body = chunk.strip("\r\n") + "\r\n" + _END + "\r\n"
        match = _METHOD.search(body)
        if match:
            found.append((body, match.group(1)))
    return found


def join(texts: list[str]) -> str:
    """The context value for several invitations."""
    return "".join(t if t.endswith("\n") else t + "\r\n" for t in texts)


class InvitationEmail(EmailMultiAlternatives):
    """An email whose text and HTML bodies are followed by calendar parts.

    One invitation is the last alternative of the body (`text/calendar; method=REQUEST`), the
    form Outlook and Gmail both recognise; when there are several, each is also attached as its
    own `.ics` file, as a mail app reads only one alternative."""

    def __init__(self, *args: Any, calendars: list[tuple[str, str]] = (), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.calendars = list(calendars)
        for number, (text, method) in enumerate(self.calendars[1:] and self.calendars, 1):
            part = email.message.MIMEPart()
            part.set_content(
                text,
                subtype="calendar",
                charset="utf-8",
                disposition="attachment",
                filename=f"{'cancellation' if method == 'CANCEL' else 'invitation'}-{number}.ics",
                params={"method": method},
            )
            self.attach(part)

    def _add_bodies(self, msg):  # type: ignore[no-untyped-def]
        msg = super()._add_bodies(msg) or msg  # type: ignore[misc]
        if self.calendars:
            text, method = self.calendars[0]
            msg.add_alternative(
                text, subtype="calendar", charset="utf-8", params={"method": method}
            )
        return msg
