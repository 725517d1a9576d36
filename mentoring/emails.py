"""The one place emails are sent from.

`queue()` renders an email and writes it to the outbox inside the caller's transaction; after
commit a Celery task sends it. One small function per kind of email lives here (or beside the
app that owns the event) and calls `queue()`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import (
    IntegrityError,
    connection,
    transaction,
)
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext

from mentoring import wording
from mentoring.context_processors import scheme
from mentoring.models import Outbox
from mentoring.tasks import publish, publish_many

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    return make_msgid(domain=domain)


def render_subject(kind: str, context: dict[str, Any]) -> str:
    """An email's subject: a plain-text header, so rendered without HTML escaping (O'Brien & Co
    stay as typed), on one line (every run of whitespace, newlines included, becomes one space,
    so nothing typed can add a header)."""
    template = get_template(f"emails/{kind}_subject.txt").template  # type: ignore[attr-defined]
    return " ".join(template.render(Context(context, autoescape=False)).split())


def render(
    kind: str,
    *,
    to: User | str,
    ctx: dict[str, Any] | None = None,
    dedupe_key: str,
    headers: dict[str, str] | None = None,
    programme: Any = None,
    language: str = "",
) -> Outbox:
    """Render `templates/emails/<kind>{_subject.txt,.txt,.html}` into an unsaved outbox row.

    `programme` (by default the one the context is about) gives the email its name, logo,
    contact address and wording; the previews page passes the programme a person chose.
    `language`: for an email to an address (`to` a str) whose owner's saved language is known,
    e.g. an invitation to someone who already has an account."""
    recipient = None if isinstance(to, str) else to
    to_email = to if isinstance(to, str) else to.email
    # The programme the email is about (its name, logo and contact address) and the team's
    # words for this kind of email (mentoring.wording; cached, no query per email).
    brand: wording.Brand | None
    if programme is not None:
        programme_id, brand = programme.pk, wording.brand_of(programme)
    else:
        programme_id, brand = wording.programme_in(ctx or {})
    # Looked up in the language the email is written in: most people's saved language is ""
    # (the site's default), and words saved for English must reach them too.
    language = email_language(recipient, language)
    words = wording.words_for(kind, programme_id, language)
    # The names the `scheme` context processor gives pages, so a template reads the same with or
    # without a request (emails/base.html uses SCHEME_NAME).
    context = {
        **scheme(None),
        "site_url": settings.SITE_URL,
        "scheme_name": settings.SCHEME_NAME,
        "recipient": recipient,
        "email_brand": brand,
        "email_words": words,
        **(ctx or {}),
    }
    # In the recipient's language (their words, dates and plurals), whoever's request sends it.
    with translation.override(language):
        subject = render_subject(kind, context)
        body_text = wording.apply_to_text(
            render_to_string(f"emails/{kind}.txt", context), words, settings.SCHEME_NAME
        )
        if brand is not None:
            body_text = wording.add_before_footer(body_text, _contact_line(brand))
        body_html = wording.apply_to_html(render_to_string(f"emails/{kind}.html", context), words)
    return Outbox(
        kind=kind,
        recipient=recipient,
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        context={k: v for k, v in (ctx or {}).items() if isinstance(v, str | int | float | bool)},
        dedupe_key=dedupe_key,
    )


def email_language(recipient: User | None, saved: str = "") -> str:
    """The language of an email to `recipient`: the one saved on their account (User.language,
    or `saved` for an email to an address) if the site offers it, else the site's default (not
    the language of whoever's request sent it: that may be the other person's)."""
    language = getattr(recipient, "language", "") or saved
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _contact_line(brand: wording.Brand) -> str:
    """The last line of the text part of an email about a programme."""
    return gettext("Questions? Write to the %(programme)s team: %(address)s") % {
        "programme": brand.name,
        "address": brand.contact_email,
    }


def queue(
    kind: str,
    *,
    to: User | str,
    ctx: dict[str, Any] | None = None,
    dedupe_key: str,
    headers: dict[str, str] | None = None,
    hold: timedelta | None = None,
) -> Outbox:
    """Render an email and write it to the outbox.

    Call it inside the transaction of the change the email reports. If a row with the same
    `dedupe_key` exists, nothing new is queued and that row is returned.

    With `hold`, the email waits that long before it may be sent (the sweep publishes it when it
    is due), so `cancel_queued` can still stop it.
    """
    row = render(kind, to=to, ctx=ctx, dedupe_key=dedupe_key, headers=headers)
    return _store(**{f.attname: getattr(row, f.attname) for f in _STORED_FIELDS}, hold=hold)


def cancel_queued(dedupe_key: str) -> bool:
    """Stop a queued email from being sent. Returns whether one was cancelled.

    Call it inside the transaction of the change that makes the email wrong. An email already
    sent or failed is left alone, and so is one being sent at this moment (`sending`): it may
    already be with the SMTP server.
    """
    cancelled = Outbox.objects.filter(dedupe_key=dedupe_key, status=Outbox.Status.QUEUED).update(
        status=Outbox.Status.CANCELLED, queued_at=None
    )
    return cancelled > 0


_QUEUE_MANY_SQL = """
INSERT INTO mentoring_outbox (kind, recipient_id, to_email, subject, body_text, body_html,
    headers, context, dedupe_key, message_id, status, attempts, next_attempt_at, queued_at,
    last_error, claimed_by, created_at)
SELECT kind, recipient_id, to_email, subject, body_text, body_html, headers, context,
       dedupe_key, message_id, 'queued', 0, %(now)s, %(now)s, '', '', %(now)s
FROM unnest(%(kind)s::text[], %(recipient_id)s::bigint[], %(to_email)s::text[],
            %(subject)s::text[], %(body_text)s::text[], %(body_html)s::text[],
            %(headers)s::jsonb[], %(context)s::jsonb[], %(dedupe_key)s::text[],
            %(message_id)s::text[])
     AS r(kind, recipient_id, to_email, subject, body_text, body_html, headers, context,
          dedupe_key, message_id)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""


def queue_many(rows: list[Outbox]) -> int:
    """Write many rendered rows (see `render`) in one INSERT, whatever their number; rows whose
    dedupe_key is already in the outbox are skipped. Returns how many were queued."""
    if not rows:
        return 0
    encode = DjangoJSONEncoder().encode
    now = timezone.now()
    for row in rows:
        row.message_id, row.created_at = _message_id(), now
        row.next_attempt_at, row.queued_at = now, now
    params: dict[str, Any] = {
        "now": now,
        "kind": [r.kind for r in rows],
        "recipient_id": [r.recipient_id for r in rows],
        "to_email": [r.to_email for r in rows],
        "subject": [r.subject for r in rows],
        "body_text": [r.body_text for r in rows],
        "body_html": [r.body_html for r in rows],
        "headers": [encode(r.headers) for r in rows],
        "context": [encode(r.context) for r in rows],
        "dedupe_key": [r.dedupe_key for r in rows],
        "message_id": [r.message_id for r in rows],
    }
    with connection.cursor() as cursor:
        cursor.execute(_QUEUE_MANY_SQL, params)
        pks = [pk for (pk,) in cursor.fetchall()]
    transaction.on_commit(partial(publish_many, pks), robust=True)
    return len(pks)


def queue_message(
    kind: str, message: EmailMessage, *, dedupe_key: str | None = None
) -> Outbox | None:
    """Write an already rendered message (e.g. one of allauth's) to the outbox, one row per recipient."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = content
    row = None
    for address in message.to:
        row = _store(
            kind=kind,
            recipient=None,
            to_email=address,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            headers={},
            context={},
            dedupe_key=dedupe_key or f"{kind}:{get_random_string(24)}",
        )
    return row


_STORED_FIELDS = [
    f
    for f in Outbox._meta.concrete_fields
    if f.name
    in {
        "kind",
        "recipient",
        "to_email",
        "subject",
        "body_text",
        "body_html",
        "headers",
        "context",
        "dedupe_key",
    }
]


def _store(*, hold: timedelta | None = None, **fields: Any) -> Outbox:
    now = timezone.now()
    try:
        with transaction.atomic():
            row = Outbox.objects.create(
                **fields,
                message_id=_message_id(),
                created_at=now,
                next_attempt_at=now + hold if hold else now,
                # A held row has no task outstanding: the sweep publishes it once it is due.
                queued_at=None if hold else now,
            )
    except IntegrityError:
        existing = Outbox.objects.filter(dedupe_key=fields["dedupe_key"]).first()
        if existing is None:
            raise
        return existing
    if not hold:
        transaction.on_commit(partial(publish, row.pk), robust=True)
    return row


UNSUBSCRIBE_SALT = "mentoring.unsubscribe-reminders"


# The kind a reminder is when its sender does not say (accounts.models.ReminderKind.PROFILE).
OTHER_REMINDERS = "profile"


def wants_reminders(user: User, kind: str = OTHER_REMINDERS) -> bool:
    """Whether this person takes reminders of this kind (accounts.models.ReminderKind)."""
    return user.wants_reminder(kind)


def unsubscribe_token(user: User, kind: str | None = None) -> str:
    """A signed link that turns off one kind of reminder, or every kind (no kind: the links in
    emails sent before reminders had kinds)."""
    return signing.dumps(
        user.pk if kind is None else [user.pk, kind], salt=UNSUBSCRIBE_SALT, compress=True
    )


def unsubscribe_target(token: str) -> tuple[int, str | None] | None:
    """The person and the kind of reminder an unsubscribe link stops (None: every kind)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if isinstance(value, int):
        return value, None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        return value[0], value[1]
    return None


def user_for_unsubscribe_token(token: str) -> int | None:
    target = unsubscribe_target(token)
    return target[0] if target else None


def reminder_extras(
    user: User, kind: str = OTHER_REMINDERS
) -> tuple[dict[str, str], dict[str, str]]:
    """The context and headers every reminder carries: a signed one-click unsubscribe link for
    this kind of reminder (RFC 8058), so mail apps show their own unsubscribe button."""
    url = absolute_url(reverse("unsubscribe", args=[unsubscribe_token(user, kind)]))
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return {"unsubscribe_url": url}, headers
