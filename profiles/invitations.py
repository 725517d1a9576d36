"""Bulk invitations to a programme: a coordinator's CSV or pasted addresses, checked row by row
into a preview, then sent exactly as the preview said.

Python's csv rather than django-import-export: import-export maps each row to one model
instance and its dry run answers "created / updated / skipped" for that model, while a row here
is judged against memberships, invitations and the coordinator's own programmes, pasted
addresses are not a table at all, and the confirmation's side effect is an email. Its preview
machinery would be bent out of shape; the checks below are one small function each.

The preview is computed, never stored: the confirmation recomputes it from the same signed
upload under a lock of the programmes its rows name, so what is sent is what the preview said
(or, after a race, less: a second confirmation finds every row "already invited").

An invitation nobody accepted before its link expired (TOKEN_MAX_AGE after it was sent) is not a
dead end: the same address in a later list is "invited again" with a fresh link, and the
invitations list in the admin can resend one.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentoring.emails import absolute_url, queue_many, render
from profiles import services
from profiles.models import Membership, Programme, ProgrammeInvitation

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import QuerySet

    from mentoring.models import Outbox

MAX_ROWS = 2000
TOKEN_SALT = "profiles.programme-invitation"
TOKEN_MAX_AGE = timedelta(days=30)
UPLOAD_SALT = "profiles.invitation-upload"
UPLOAD_MAX_AGE = timedelta(hours=12)
# A resend from the admin within this long of the last sending is taken for a double click.
RESEND_GAP = timedelta(minutes=5)

NEW = "new"
MEMBER = "member"
INVITED = "invited"
INVITED_AGAIN = "invited_again"
DUPLICATE = "duplicate"
BAD_ADDRESS = "bad_address"
UNKNOWN_PROGRAMME = "unknown_programme"
BAD_ROLE = "bad_role"

# (outcome, one, many): the words of the preview's summary, in its order.
OUTCOMES = [
    (NEW, "new", "new"),
    (MEMBER, "already a member", "already members"),
    (INVITED, "already invited", "already invited"),
    (
        INVITED_AGAIN,
        "invited again (the first link expired)",
        "invited again (the first link expired)",
    ),
    (DUPLICATE, "duplicate in the list", "duplicates in the list"),
    (BAD_ADDRESS, "bad address", "bad addresses"),
    (UNKNOWN_PROGRAMME, "unknown programme", "unknown programmes"),
    (BAD_ROLE, "role not mentor or mentee", "roles not mentor or mentee"),
]
# Outcomes whose lines the summary names: the ones to correct in the file.
PROBLEMS = {DUPLICATE, BAD_ADDRESS, UNKNOWN_PROGRAMME, BAD_ROLE}


class InvitationError(Exception):
    """A list that cannot be read at all; the message is the sentence the coordinator sees."""


class UploadExpired(InvitationError):
    """A genuine signed list past UPLOAD_MAX_AGE: what it held, so the form can show it again."""

    def __init__(self, message: str, *, kind: str, text: str, role: str):
        super().__init__(message)
        self.kind, self.text, self.role = kind, text, role


@dataclass
class Row:
    line: int
    name: str
    email: str
    role: str
    programme: str  # as typed: a slug or a name, "" for the page's programme
    outcome: str = ""
    target: Programme | None = None
    note: str = ""
    # The unaccepted invitation whose link expired, for an "invited again" row.
    invitation: ProgrammeInvitation | None = None


@dataclass
class Preview:
    rows: list[Row]
    counts: Counter = field(default_factory=Counter)

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if r.outcome == NEW]

    @property
    def again_rows(self) -> list[Row]:
        return [r for r in self.rows if r.outcome == INVITED_AGAIN]

    @property
    def to_send(self) -> int:
        """How many emails sending this preview sends: the new rows and the invited again."""
        return self.counts[NEW] + self.counts[INVITED_AGAIN]

    @property
    def summary(self) -> str:
        """ "12 new, 3 already members, 1 bad address — line 7"."""
        parts = []
        for outcome, one, many in OUTCOMES:
            n = self.counts[outcome]
            if not n:
                continue
            text = f"{n} {one if n == 1 else many}"
            if outcome in PROBLEMS:
                lines = ", ".join(str(r.line) for r in self.rows if r.outcome == outcome)
                text += f" — line{'s' if n > 1 else ''} {lines}"
            parts.append(text)
        return ", ".join(parts) or "Nothing to invite"


# Reading the list -------------------------------------------------------------------------


def read_csv(text: str) -> list[Row]:
    """Rows of a CSV with a header line naming its columns: name, email, role, programme (any
    order, any case; only email is required). Line numbers are the file's lines."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise InvitationError("The file is empty.") from None
    except csv.Error as exc:
        raise InvitationError(f"The file is not a CSV file ({exc}).") from None
    columns = {h.strip().lower(): i for i, h in enumerate(header)}
    if "email" not in columns:
        raise InvitationError("The first line must name the columns: name, email, role, programme.")

    def cell(values: list[str], column: str) -> str:
        i = columns.get(column)
        return values[i].strip() if i is not None and i < len(values) else ""

    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            rows.append(
                Row(
                    line=reader.line_num,
                    name=cell(values, "name"),
                    email=cell(values, "email"),
                    role=cell(values, "role"),
                    programme=cell(values, "programme"),
                )
            )
            if len(rows) > MAX_ROWS:
                raise InvitationError(f"Send at most {MAX_ROWS} people at a time.")
    except csv.Error as exc:
        raise InvitationError(f"Line {reader.line_num} cannot be read ({exc}).") from None
    return rows


def read_pasted(text: str, *, role: str) -> list[Row]:
    """Addresses one per line or separated by commas or semicolons, each optionally
    "Name <address>". An item that is not an address stays, as typed, to be reported."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        for item in re.split(r"[,;]", line):
            if not item.strip():
                continue
            named = _NAMED.match(item)
            name, email = (named[1].strip().strip('"'), named[2]) if named else ("", item)
            rows.append(Row(line=number, name=name, email=email.strip(), role=role, programme=""))
        if len(rows) > MAX_ROWS:
            raise InvitationError(f"Send at most {MAX_ROWS} people at a time.")
    return rows


_NAMED = re.compile(r"^\s*(.*?)\s*<([^<>]*)>\s*$")


def sign_upload(*, kind: str, text: str, role: str, programme: Programme) -> str:
    """The list as the coordinator gave it, signed into the preview's form: the confirmation
    reads the list again from it and cannot be handed a different one."""
    return signing.dumps(
        {"kind": kind, "text": text, "role": role, "programme": programme.pk},
        salt=UPLOAD_SALT,
        compress=True,
    )


def read_upload(signed: str, *, programme: Programme) -> list[Row]:
    try:
        data = signing.loads(signed, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.SignatureExpired:
        # Genuine but old: its rows may have changed since, so it is checked again, not sent.
        data = signing.loads(signed, salt=UPLOAD_SALT)
        if data.get("programme") != programme.pk:
            raise InvitationError("The list has expired: upload it again.") from None
        raise UploadExpired(
            "The list has expired: check it again."
            if data["kind"] != "csv"
            else "The list has expired: choose the file and check it again.",
            kind=data["kind"],
            text=data["text"],
            role=data["role"],
        ) from None
    except signing.BadSignature:
        raise InvitationError("The list has expired: upload it again.") from None
    if data.get("programme") != programme.pk:
        raise InvitationError("That list was made for another programme: upload it again.")
    if data["kind"] == "csv":
        return read_csv(data["text"])
    return read_pasted(data["text"], role=data["role"])


# Checking each row ------------------------------------------------------------------------


def check(rows: list[Row], *, programme: Programme, allowed: QuerySet[Programme]) -> Preview:
    """Each row's outcome, in a fixed number of queries whatever the number of rows.
    `programme` is the page's (rows with no programme); `allowed` the ones the coordinator
    runs (a programme they do not run is as unknown as one that does not exist)."""
    _find_targets(rows, programme=programme, allowed=allowed)
    return _judge(rows)


def _find_targets(rows: list[Row], *, programme: Programme, allowed: QuerySet[Programme]) -> None:
    targets = {programme.slug.lower(): programme}
    if any(r.programme for r in rows):
        # A coordinator runs a handful of programmes: read them all, match slug or name.
        for p in allowed.only("pk", "slug", "name"):
            targets.setdefault(p.slug.lower(), p)
            targets.setdefault(p.name.lower(), p)
    for row in rows:
        row.target = targets.get((row.programme or programme.slug).lower())


def _judge(rows: list[Row]) -> Preview:
    """Each row's outcome against the memberships and invitations of its programme: three
    queries at most, whatever the number of rows."""
    wanted = [r for r in rows if r.target is not None]
    emails = {r.email.lower() for r in wanted}
    programme_ids = {r.target.pk for r in wanted if r.target is not None}
    members = set(
        Membership.objects.filter(programme__in=programme_ids)
        .exclude(status=Membership.Status.LEFT)
        .annotate(address=Lower("user__email"))
        .filter(address__in=emails)
        .values_list("programme_id", "address")
    )
    invited = {
        (i.programme_id, i.address): i
        for i in ProgrammeInvitation.objects.filter(programme__in=programme_ids)
        .annotate(address=Lower("email"))
        .filter(address__in=emails)
        .only("pk", "programme", "email", "name", "role", "created_at", "sent_at", "accepted_at")
    }
    seen: dict[tuple[int, str], int] = {}
    preview = Preview(rows=rows)
    for row in rows:
        row.outcome, row.note = _outcome(row, members, invited, seen)
        preview.counts[row.outcome] += 1
    return preview


def link_expired(invitation: ProgrammeInvitation, *, now: datetime | None = None) -> bool:
    """Whether the last link emailed for an unaccepted invitation no longer works (the link is
    signed when the email is written, as `sent_at` is set; one never sent counts from its
    creation). An accepted invitation never expires: its person has joined."""
    if invitation.accepted_at is not None:
        return False
    last = invitation.sent_at or invitation.created_at
    return last <= (now or timezone.now()) - TOKEN_MAX_AGE


def _outcome(row: Row, members: set, invited: dict, seen: dict) -> tuple[str, str]:
    try:
        validate_email(row.email)
    except ValidationError:
        return BAD_ADDRESS, f"“{row.email}” is not an email address" if row.email else "No address"
    if row.target is None:
        return UNKNOWN_PROGRAMME, f"No programme “{row.programme}” that you run"
    role = row.role.strip().lower()
    if role not in Membership.Role.values:
        return BAD_ROLE, f"“{row.role}”: write mentor or mentee" if row.role else "No role"
    row.role = role
    key = (row.target.pk, row.email.lower())
    if key in seen:
        return DUPLICATE, f"Same address as line {seen[key]}"
    seen[key] = row.line
    if key in members:
        return MEMBER, f"Already in {row.target.name}"
    if key in invited:
        if link_expired(invited[key]):
            row.invitation = invited[key]
            role_label = Membership.Role(role).label.lower()
            return INVITED_AGAIN, (
                f"Invite again to {row.target.name} as {role_label}: the first link expired"
            )
        return INVITED, f"Already invited to {row.target.name}"
    return NEW, f"Invite to {row.target.name} as {Membership.Role(role).label.lower()}"


# Sending ----------------------------------------------------------------------------------


def send(
    rows: list[Row], *, programme: Programme, allowed: QuerySet[Programme], by: User
) -> Preview:
    """Invite the preview's new rows and invite again those whose first link expired: checked
    again under a lock of the programmes the rows name, so two confirmations of the same list
    (a double click) invite each person once. Returns the preview as it stood when sending:
    its new and invited-again rows are exactly the emails sent.

    A fixed number of queries whatever the number of rows: the invitations are inserted in one
    statement with `sent_at` set, the invited again updated in one, and the emails queued in
    one."""
    with transaction.atomic():
        _find_targets(rows, programme=programme, allowed=allowed)
        ids = sorted({r.target.pk for r in rows if r.target is not None})
        # Only the rows' programmes: a coordinator's other programmes stay free.
        list(
            Programme.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        preview = _judge(rows)
        now = timezone.now()
        made = ProgrammeInvitation.objects.bulk_create(
            [
                ProgrammeInvitation(
                    programme=r.target,
                    email=r.email,
                    name=r.name[:150],
                    role=r.role,
                    invited_by=by,
                    sent_at=now,
                )
                for r in preview.new_rows
            ]
        )
        again = []
        for r in preview.again_rows:
            invitation = r.invitation
            assert invitation is not None and r.target is not None
            invitation.programme = r.target
            invitation.role = r.role
            invitation.name = r.name[:150] or invitation.name
            invitation.sent_at = now
            again.append(invitation)
        if again:
            ProgrammeInvitation.objects.bulk_update(again, ["role", "name", "sent_at"])
        sending = [*made, *again]
        languages = _saved_languages(sending)
        queue_many([_email(i, inviter=by, languages=languages) for i in sending])
    return preview


def resend(invitations: QuerySet[ProgrammeInvitation], *, by: User) -> tuple[int, int, int]:
    """Email the unaccepted invitations of `invitations` again with a fresh link (the admin's
    "Resend invitation"). Under a lock of the rows, one sent in the last RESEND_GAP is left
    alone, so a double click sends once. Returns (resent, already accepted, sent moments ago)."""
    with transaction.atomic():
        locked = list(
            invitations.select_for_update(of=("self",)).select_related("programme").order_by("pk")
        )
        now = timezone.now()
        open_ = [i for i in locked if i.accepted_at is None]
        due = [i for i in open_ if i.sent_at is None or i.sent_at <= now - RESEND_GAP]
        for invitation in due:
            invitation.sent_at = now
        if due:
            ProgrammeInvitation.objects.bulk_update(due, ["sent_at"])
        languages = _saved_languages(due)
        queue_many([_email(i, inviter=by, languages=languages) for i in due])
    return len(due), len(locked) - len(open_), len(open_) - len(due)


@transaction.atomic
def send_invitation(invitation: ProgrammeInvitation) -> bool:
    """Email one invitation never sent, once: `sent_at` is set under a lock of the row. Returns
    whether it was sent now."""
    invitation = (
        ProgrammeInvitation.objects.select_for_update(of=("self",))
        .select_related("programme", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.sent_at is not None:
        return False
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    languages = _saved_languages([invitation])
    queue_many([_email(invitation, inviter=invitation.invited_by, languages=languages)])
    return True


def _saved_languages(invitations: list[ProgrammeInvitation]) -> dict[str, str]:
    """The saved language of each invited address that already has an account (one query, none
    for no invitations): an invitation to someone who reads the site in Welsh is in Welsh."""
    addresses = {i.email.lower() for i in invitations}
    if not addresses:
        return {}
    return dict(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .exclude(language="")
        .values_list("address", "language")
    )


def _email(
    invitation: ProgrammeInvitation, *, inviter: User | None, languages: dict[str, str]
) -> Outbox:
    """The invitation's email for its latest sending (`sent_at`), rendered with a fresh link and
    no query of its own. Each sending has its own dedupe key, so an invitation sent again is
    not dropped as a copy of the first email, while the same sending queued twice is."""
    assert invitation.sent_at is not None
    return render(
        "programme_invitation",
        to=invitation.email,
        ctx={
            "invitation": invitation,
            "programme": invitation.programme,
            "name": invitation.name,
            "role": invitation.role,
            "inviter": inviter.full_name if inviter else "",
            "url": absolute_url(invitation_path(invitation)),
            "days": TOKEN_MAX_AGE.days,
        },
        dedupe_key=f"programme-invitation:{invitation.pk}:{invitation.sent_at.isoformat()}",
        language=languages.get(invitation.email.lower(), ""),
    )


# The link ---------------------------------------------------------------------------------


def invitation_token(invitation: ProgrammeInvitation) -> str:
    return signing.dumps(invitation.pk, salt=TOKEN_SALT, compress=True)


def invitation_path(invitation: ProgrammeInvitation) -> str:
    return reverse(
        "profiles:programme-invited",
        args=[invitation.programme.slug, invitation_token(invitation)],
    )


class LinkExpired(Exception):
    pass


def invitation_for_token(token: str, *, slug: str) -> ProgrammeInvitation | None:
    """The invitation a link names; None for a tampered or unknown one. Raises LinkExpired for
    a genuine link older than TOKEN_MAX_AGE."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        return None
    return (
        ProgrammeInvitation.objects.select_related("programme")
        .filter(pk=pk, programme__slug=slug)
        .first()
    )


def is_for(invitation: ProgrammeInvitation, user: User) -> bool:
    """Whether `user` is the person invited: their account's address, or one of its verified
    addresses."""
    if user.email.lower() == invitation.email.lower():
        return True
    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


class InvitationUsed(Exception):
    pass


class NotTheInvitee(Exception):
    """The signed-in person is not the one invited: another address is not covered."""


@transaction.atomic
def accept(invitation: ProgrammeInvitation, *, user: User) -> Membership:
    """The invited person joins the programme in the invited role, through the usual service
    (a mentor may still wait for approval). The invitation covers a programme that is by
    invitation, limited to some email domains or closed. Accepting twice returns the same
    membership; an invitation accepted by someone else is used. Only the invitee may accept,
    whoever calls this: the view checks it first only to say so kindly."""
    if not is_for(invitation, user):
        raise NotTheInvitee
    invitation = (
        ProgrammeInvitation.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_by_id not in (None, user.pk):
        raise InvitationUsed
    membership = services.join_programme(
        user=user, programme=invitation.programme, role=invitation.role, invited=True
    )
    if invitation.accepted_at is None:
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
