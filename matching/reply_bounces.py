"""The one email that tells a person their reply by email was not added to the conversation.

matching.inbound refuses a reply for a reason and names the known participant who may be told
(InboundError.person): a verified address of the person the reply address was made for, or of
the conversation's other person. Nobody else is ever answered, so a forged sender gets no mail
from us (no backscatter); automatic emails are never answered (no loops). The email goes to the
person's account address, not to the reply's From, carries Auto-Submitted, and is sent at most
once a day per person, conversation and reason, and at most MAX_PER_DAY times a day per person.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching.conversations import conversation_url, other_name
from matching.models import Message
from mentoring.emails import absolute_url, email_language, queue
from mentoring.models import Outbox
from mentoring.text import counted

if TYPE_CHECKING:
    from matching.inbound import InboundError

logger = logging.getLogger(__name__)

KIND = "reply_refused"
MAX_PER_DAY = 5

# Why, in a sentence that follows "We did not add it because". Reasons not listed (reply by
# email off, automatic emails, an address with no genuine signed token) are never answered.
# Lazy, so that the sentence is in the recipient's language (bounce() formats it in theirs).
REASONS = {
    "gone": _("the conversation it answers no longer exists."),
    "expired": _(
        "the reply address in the email you answered has expired: reply addresses work "
        "for %(days)s."
    ),
    "unverified": _(
        "it came from %(sender)s, which is not a confirmed email address of your "
        "account. You can add and confirm it in your account's email settings."
    ),
    "not_participant": _(
        "you answered an email that was sent to the other person of your "
        "conversation, not to you. Please answer from your own email, or on the site."
    ),
    "empty": _("we found no new text in it, only the quoted email or a signature."),
    "read_only": "%(read_only)s",
    "too_long": _("it is %(length)s characters long, and a message holds at most %(max_length)s."),
    "refused": "%(detail)s",
}


def bounce(exc: InboundError) -> bool:
    """Queue the explanation of a refused reply for the known participant `exc` names, if any
    and not already told today. Returns whether an email was queued."""
    person = exc.person
    if person is None or exc.reason not in REASONS or not person.is_active or not person.email:
        return False
    now = timezone.now()
    conversation = exc.conversation
    with transaction.atomic():
        sent_today = Outbox.objects.filter(
            kind=KIND, recipient=person, created_at__gte=now - timedelta(days=1)
        ).count()
        if sent_today >= MAX_PER_DAY:
            logger.info("Refused reply not explained: person %s was told enough today", person.pk)
            return False
        detail = str(exc)
        with translation.override(email_language(person)):
            why = str(REASONS[exc.reason]) % {
                "days": counted(settings.REPLY_EMAIL_MAX_AGE_DAYS, "day"),
                "sender": exc.sender[:254] or gettext("another address"),
                "read_only": detail[:1].lower() + detail[1:],
                "length": len(exc.body),
                "max_length": Message.MAX_LENGTH,
                "detail": detail[:1].lower() + detail[1:],
            }
            other = other_name(conversation, person) if conversation else ""
        url = absolute_url(
            conversation_url(conversation)
            if conversation is not None
            else reverse("matching:inbox")
        )
        queue(
            KIND,
            to=person,
            ctx={
                "why": why,
                "url": url,
                "other_name": other,
                "has_conversation": conversation is not None,
                "body": exc.body,
            },
            headers={"Auto-Submitted": "auto-replied"},
            dedupe_key=(
                f"reply-refused:{person.pk}:{conversation.pk if conversation else 0}:"
                f"{exc.reason}:{timezone.localdate(now).isoformat()}"
            ),
        )
    return True
