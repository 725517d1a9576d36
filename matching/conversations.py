"""Conversations: the messages between a mentee and a mentor, from the request to the pair it
becomes. Every write to a conversation or a message happens here (the request's conversation
is started by matching.services.send_request, and a pair's by _start_mentorship).

Only the two people read a conversation; coordinators see a message once one of them reports it.
"""

from __future__ import annotations

import functools
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.template.defaultfilters import linebreaksbr, urlize
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext

from accounts.models import User
from matching.models import (
    Conversation,
    Mentorship,
    MentorshipRequest,
    Message,
    MessageReport,
)
from mentoring.emails import absolute_url, queue
from mentoring.reversing import url_for_each

logger = logging.getLogger(__name__)

# Per person, across all their conversations: at most this many messages in this window.
RATE_LIMIT_COUNT = 30
RATE_LIMIT_WINDOW = timedelta(minutes=10)
# A page of a thread shows the latest this many messages, with a link to older ones.
PAGE_SIZE = 50
INBOX_PAGE_SIZE = 25
UNREAD_CACHE_SECONDS = 24 * 3600


class ConversationError(Exception):
    """A refused message or report. The message is the sentence the user sees."""


def _rate_limit() -> tuple[int, timedelta]:
    return (
        getattr(settings, "MESSAGE_RATE_LIMIT_COUNT", RATE_LIMIT_COUNT),
        getattr(settings, "MESSAGE_RATE_LIMIT_WINDOW", RATE_LIMIT_WINDOW),
    )


def new_client_token() -> str:
    """The one-time token of a rendered message form: a double submit makes one message."""
    return secrets.token_urlsafe(24)


# Starting conversations (called by matching.services inside its transaction) -------------------


def start_for_request(req: MentorshipRequest) -> Conversation:
    """The request's conversation, whose first message is the Interested message."""
    conversation = Conversation.objects.create(
        programme=req.programme,
        request=req,
        mentor=req.mentor,
        mentee=req.mentee,
        created_at=req.created_at,
        last_message_at=req.created_at if req.message else None,
        last_author=req.mentee if req.message else None,
        mentee_read_at=req.created_at,
    )
    if req.message:
        Message.objects.create(
            conversation=conversation,
            author=req.mentee,
            body=req.message,
            created_at=req.created_at,
            notified_at=req.created_at,  # the mentor's "new request" email carries it
        )
        _forget_unread(req.mentor_id)
    return conversation


def continue_for_mentorship(mentorship: Mentorship) -> Conversation:
    """On acceptance the request's conversation goes on in the pair's space; a pair matched
    centrally starts a conversation of its own."""
    conversation = None
    if mentorship.request_id is not None:
        conversation = (
            Conversation.objects.select_for_update()
            .filter(request_id=mentorship.request_id)
            .first()
        )
    if conversation is None:
        return Conversation.objects.create(
            programme=mentorship.programme,
            request_id=mentorship.request_id,
            mentorship=mentorship,
            mentor=mentorship.mentor,
            mentee=mentorship.mentee,
            created_at=mentorship.started_at,
        )
    conversation.mentorship = mentorship
    conversation.save(update_fields=["mentorship"])
    return conversation


def _with_people():
    return Conversation.objects.select_related("mentor", "mentee", "mentorship", "request")


def find_for_request(req: MentorshipRequest) -> Conversation:
    """The request's conversation to show (one query), or an unsaved one holding the Interested
    message for a request from before conversations: its first message makes it."""
    conversation = _with_people().filter(request=req).first()
    if conversation is None:
        conversation = Conversation(
            programme_id=req.programme_id, request=req, mentor=req.mentor, mentee=req.mentee
        )
    return conversation


def find_for_mentorship(mentorship: Mentorship) -> Conversation:
    """The pair's conversation to show (one query), or an unsaved empty one for a pair from
    before conversations: its first message makes it."""
    mine = Q(mentorship=mentorship)
    if mentorship.request_id is not None:
        mine |= Q(request_id=mentorship.request_id)
    # The pair and its two people are the page's already: only the conversation's own row is
    # read (the request's too, which says why an old request's conversation is read-only).
    conversation = Conversation.objects.select_related("request").filter(mine).first()
    if conversation is not None:
        _share_people(conversation, mentorship)
    if conversation is None:
        conversation = Conversation(
            programme_id=mentorship.programme_id,
            mentorship=mentorship,
            mentor=mentorship.mentor,
            mentee=mentorship.mentee,
        )
    return conversation


def _share_people(conversation: Conversation, mentorship: Mentorship) -> None:
    """Give `conversation` the pair and whichever of its two people `mentorship` has loaded,
    where they are the same rows (they are, unless one has since deleted their account)."""
    if conversation.mentorship_id == mentorship.pk:
        Conversation._meta.get_field("mentorship").set_cached_value(conversation, mentorship)
    for name in ("mentor", "mentee"):
        field = Mentorship._meta.get_field(name)
        if field.is_cached(mentorship) and getattr(conversation, f"{name}_id") == getattr(
            mentorship, f"{name}_id"
        ):
            Conversation._meta.get_field(name).set_cached_value(
                conversation, field.get_cached_value(mentorship)
            )


def conversation_for_request(req: MentorshipRequest) -> Conversation:
    """The request's conversation, made now for a request from before conversations existed."""
    conversation = _with_people().filter(request=req).first()
    if conversation is not None:
        return conversation
    with transaction.atomic():
        MentorshipRequest.objects.select_for_update().filter(pk=req.pk).first()
        conversation = Conversation.objects.filter(request=req).first()
        if conversation is None:
            mentorship = Mentorship.objects.filter(request=req).first()
            conversation = start_for_request(req)
            if mentorship is not None:
                conversation.mentorship = mentorship
                conversation.save(update_fields=["mentorship"])
    return conversation


def conversation_for_mentorship(mentorship: Mentorship) -> Conversation:
    """The pair's conversation (the request's, continued), made now when missing."""
    conversation = _with_people().filter(mentorship=mentorship).first()
    if conversation is not None:
        return conversation
    if mentorship.request_id is not None:
        assert mentorship.request is not None
        conversation = conversation_for_request(mentorship.request)
        if conversation.mentorship_id is None:
            conversation.mentorship = mentorship
            conversation.save(update_fields=["mentorship"])
        return conversation
    with transaction.atomic():
        Mentorship.objects.select_for_update().filter(pk=mentorship.pk).first()
        conversation = Conversation.objects.filter(mentorship=mentorship).first()
        if conversation is None:
            conversation = continue_for_mentorship(mentorship)
    return conversation


# Who may do what -----------------------------------------------------------------------------


def is_participant(conversation: Conversation, user: User) -> bool:
    return user.pk is not None and user.pk in (conversation.mentor_id, conversation.mentee_id)


def read_only_reason(conversation: Conversation) -> str | None:
    """Why nobody can write in the conversation any more, or None while it is open."""
    if conversation.mentor_id is None or conversation.mentee_id is None:
        return gettext(
            "The other person has deleted their account: this conversation is read-only."
        )
    mentorship = conversation.mentorship
    if mentorship is not None:
        if mentorship.status != Mentorship.Status.ACTIVE:
            return gettext("This mentorship has ended: its conversation is read-only.")
        return None
    req = conversation.request
    if req is None or req.status != MentorshipRequest.Status.PENDING:
        return gettext("This request is closed: its conversation is read-only.")
    return None


# Writing ---------------------------------------------------------------------------------------


@transaction.atomic
def post_message(
    conversation: Conversation,
    *,
    author: User,
    body: str,
    client_token: str = "",
    by_email: bool = False,
) -> Message:
    """`author` writes in the conversation. A repeated submit of the same form (same
    client_token) returns the message it already made."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("mentorship", "request")
        .get(pk=conversation.pk)
    )
    if not is_participant(conversation, author):
        raise ConversationError(
            gettext("Only the two people of this conversation can write in it.")
        )
    client_token = (client_token or "")[:64]
    if client_token:
        existing = Message.objects.filter(
            conversation=conversation, author=author, client_token=client_token
        ).first()
        if existing is not None:
            return existing  # a double submit
    if refusal := read_only_reason(conversation):
        raise ConversationError(refusal)
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ConversationError(gettext("Please write a message."))
    if len(body) > Message.MAX_LENGTH:
        raise ConversationError(
            gettext("Please keep a message to %(limit)s characters (it has %(length)s).")
            % {"limit": Message.MAX_LENGTH, "length": len(body)}
        )
    now = timezone.now()
    limit, window = _rate_limit()
    recent = Message.objects.filter(author=author, created_at__gt=now - window).count()
    if recent >= limit:
        minutes = int(window.total_seconds() // 60)
        sent = ngettext("%(count)s message", "%(count)s messages", recent) % {
            "count": intcomma(recent)
        }
        span = ngettext("%(count)s minute", "%(count)s minutes", minutes) % {
            "count": intcomma(minutes)
        }
        raise ConversationError(
            gettext(
                "You have sent %(messages)s in the last %(minutes)s, the most the scheme allows. "
                "Please wait a few minutes before you send another."
            )
            % {"messages": sent, "minutes": span}
        )
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                author=author,
                body=body,
                created_at=now,
                client_token=client_token,
                by_email=by_email,
            )
    except IntegrityError:
        return Message.objects.get(
            conversation=conversation, author=author, client_token=client_token
        )
    read_field = "mentor_read_at" if author.pk == conversation.mentor_id else "mentee_read_at"
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, last_author=author, **{read_field: now}
    )
    conversation.last_message_at, conversation.last_author = now, author
    setattr(conversation, read_field, now)
    _forget_unread(conversation.mentor_id)
    _forget_unread(conversation.mentee_id)
    return message


def mark_read(conversation: Conversation, user: User) -> bool:
    """`user` has read the conversation up to now. Returns whether anything was unread."""
    if not is_participant(conversation, user):
        return False
    read_field = "mentor_read_at" if user.pk == conversation.mentor_id else "mentee_read_at"
    read_at = getattr(conversation, read_field)
    last = conversation.last_message_at
    if last is None or (read_at is not None and read_at >= last):
        return False
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(**{read_field: now})
    setattr(conversation, read_field, now)
    _forget_unread(user.pk)
    return True


@transaction.atomic
def report_message(message: Message, *, by: User, reason: str) -> MessageReport:
    """A participant reports the other person's message to the programme's coordinators, who
    then (and only then) see it in the admin."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation__programme")
        .get(pk=message.pk)
    )
    conversation = message.conversation
    if not is_participant(conversation, by):
        raise ConversationError(
            gettext("Only the two people of this conversation can report a message.")
        )
    if message.author_id == by.pk:
        raise ConversationError(gettext("You cannot report your own message."))
    reason = (reason or "").strip()
    if not reason:
        raise ConversationError(gettext("Please say what is wrong with the message."))
    existing = MessageReport.objects.filter(message=message).first()
    if existing is not None:
        return existing
    report = MessageReport.objects.create(message=message, reported_by=by, reason=reason[:2000])
    _email_report(report, conversation)
    return report


def _email_report(report: MessageReport, conversation: Conversation) -> None:
    coordinators = list(conversation.programme.coordinators.filter(is_active=True))
    url = absolute_url(reverse("admin:matching_messagereport_change", args=[report.pk]))
    recipients: list[User | str] = list(coordinators) or [settings.SCHEME_CONTACT_EMAIL]
    for to in recipients:
        key = getattr(to, "pk", "contact")
        queue(
            "message_reported",
            to=to,
            ctx={
                "report": report,
                "message": report.message,
                "programme": conversation.programme,
                "admin_url": url,
            },
            dedupe_key=f"message-reported:{report.pk}:{key}",
        )


# Reading -------------------------------------------------------------------------------------


@dataclass
class ThreadPage:
    messages: list[Message]
    older_before: int | None  # the pk to ask for older messages, when there are some


def thread_page(conversation: Conversation, *, before: int | None = None) -> ThreadPage:
    """The latest PAGE_SIZE messages (or those before the message `before`), oldest first,
    in one query whatever the thread's length."""
    qs = conversation.messages.select_related("report").order_by("-created_at", "-pk")
    if before is not None:
        pivot = conversation.messages.filter(pk=before).values("created_at")[:1]
        qs = qs.filter(Q(created_at__lt=pivot) | Q(created_at=pivot, pk__lt=before))
    rows = list(qs[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE].pk if len(rows) > PAGE_SIZE else None
    page = rows[:PAGE_SIZE]
    page.reverse()
    return ThreadPage(messages=page, older_before=page[0].pk if older and page else None)


# Texts up to this long are kept: most messages. A long text, linkified, can be several times its
# length, so keeping those could take a worker's memory; they are drawn each time.
MESSAGE_HTML_KEPT_CHARS = 600


def message_html(body: str) -> SafeString:
    """A message's text as a thread shows it: escaped, its links clickable, its line breaks
    kept (the template filters `urlize|linebreaksbr`, which cost about a tenth of a millisecond
    per message). A pure function of the text, so each process keeps the last short texts it
    drew (at most 512, a few megabytes at worst): a thread read again costs a lookup per
    message, and an edited or removed text is a different key, never a stale one."""
    if len(body) > MESSAGE_HTML_KEPT_CHARS:
        return _message_html(body)
    return _kept_message_html(body)


def _message_html(body: str) -> SafeString:
    return linebreaksbr(urlize(body, autoescape=True), autoescape=True)


_kept_message_html = functools.lru_cache(maxsize=512)(_message_html)


def other_name(conversation: Conversation, user: User) -> str:
    other = conversation.mentor if user.pk == conversation.mentee_id else conversation.mentee
    return other.full_name if other is not None else gettext("a former participant")


def inbox(user: User):
    """My conversations, newest first, with the two people and the programme in the same
    query, and the last message's text (a subquery)."""
    from django.db.models import OuterRef, Subquery

    last_body = Subquery(
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("body")[:1]
    )
    return (
        Conversation.objects.for_user(user)
        .select_related("mentor", "mentee", "programme", "mentorship", "request")
        .annotate(last_body=last_body)
    )


def is_unread(conversation: Conversation, user: User) -> bool:
    if conversation.last_message_at is None or conversation.last_author_id == user.pk:
        return False
    read_at = (
        conversation.mentor_read_at
        if user.pk == conversation.mentor_id
        else conversation.mentee_read_at
    )
    return read_at is None or read_at < conversation.last_message_at


def unread_key(user_id: int) -> str:
    return f"unread-conversations:{user_id}"


def _forget_unread(user_id: int | None) -> None:
    """Work the person's unread count out again now, at the write (and once more after the
    commit, as others then see it), so that pages read it from the cache without a query."""
    if user_id is not None:
        refresh_unread(user_id)
        transaction.on_commit(lambda: refresh_unread(user_id))


def refresh_unread(user_id: int) -> int:
    unread_as_mentor = Q(mentor_id=user_id) & (
        Q(mentor_read_at__isnull=True) | Q(last_message_at__gt=F("mentor_read_at"))
    )
    unread_as_mentee = Q(mentee_id=user_id) & (
        Q(mentee_read_at__isnull=True) | Q(last_message_at__gt=F("mentee_read_at"))
    )
    count = (
        Conversation.objects.filter(last_message_at__isnull=False)
        .filter(unread_as_mentor | unread_as_mentee)
        .exclude(last_author_id=user_id)
        .count()
    )
    try:
        cache.set(unread_key(user_id), count, UNREAD_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - the cache is a help: writing a message must not need it
        logger.warning("Could not cache an unread count", exc_info=True)
    return count


@receiver(user_logged_in, dispatch_uid="matching-unread-on-login")
def _warm_unread_on_login(sender, request, user, **kwargs) -> None:
    """Signing in works the header's unread count out once, so pages find it in the cache."""
    refresh_unread(user.pk)


def unread_count(user: User) -> int:
    """How many of the user's conversations have a message they have not read: from the cache
    (signing in, posting and reading work it out), or one query when it has gone."""
    try:
        count = cache.get(unread_key(user.pk))
    except Exception:  # noqa: BLE001 - with the cache gone, the page counts in the database
        count = None
    if count is None:
        count = refresh_unread(user.pk)
    return count


def conversation_url(conversation: Conversation) -> str:
    """Where the conversation is read: the pair's space, or the request's page before."""
    if conversation.mentorship_id is not None:
        return reverse("sessions_log:mentorship-detail", args=[conversation.mentorship_id])
    return reverse("matching:request-detail", args=[conversation.request_id])


def thread_context(
    conversation: Conversation,
    user: User,
    *,
    post_url: str,
    form=None,
    before: str | None = None,
) -> dict:
    """What templates/matching/_conversation.html needs: a page of messages with their authors'
    names (no query per message), the form with a fresh one-time token, and whether the
    conversation is read-only. Showing it marks it read."""
    from matching.message_forms import MessageForm

    try:
        before_pk = int(before) if before else None
    except ValueError:
        before_pk = None
    if conversation.pk is not None:
        page = thread_page(conversation, before=before_pk)
    else:  # not made yet: the request's message only
        req = conversation.request
        first = (
            []
            if req is None or not req.message
            else [Message(author_id=req.mentee_id, body=req.message, created_at=req.created_at)]
        )
        page = ThreadPage(messages=first, older_before=None)
    names = {
        conversation.mentor_id: conversation.mentor.full_name if conversation.mentor else "",
        conversation.mentee_id: conversation.mentee.full_name if conversation.mentee else "",
    }
    you = pgettext("the author of a message", "You")
    former = gettext("A former participant")
    report_url = url_for_each("matching:message-report")
    rows = [
        {
            "message": m,
            "body": message_html(m.body) if m.body else "",
            "mine": m.author_id is not None and m.author_id == user.pk,
            "author": you if m.author_id == user.pk else (names.get(m.author_id) or former),
            "reported": m.pk is not None and hasattr(m, "report"),
            # The other person's message, still there: it can be reported.
            "report_url": (
                report_url(m.pk)
                if m.pk and m.author_id and m.author_id != user.pk and m.body
                else ""
            ),
        }
        for m in page.messages
    ]
    if form is None:
        form = MessageForm(initial={"client_token": new_client_token()})
    if conversation.pk is not None:
        mark_read(conversation, user)
    return {
        "conversation": conversation,
        "thread": rows,
        "thread_older_before": page.older_before,
        "thread_is_older_page": before_pk is not None,
        "message_form": form,
        "message_post_url": post_url,
        "read_only_reason": read_only_reason(conversation),
    }
