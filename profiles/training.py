"""A programme's training: what it expects of its mentors and mentees, who has done it, and
what approval, joining or being matched waits for.

Each programme lists its training (`Training`): for mentors, mentees or both, required or
advised, valid for a number of months or for good. A person's completion is one
`TrainingRecord` per training, renewed by a later date.

The older single "training done" date (`MentorProfile.training_completed_on`, set by the
coordinators on a mentor's profile) and `Programme.mentor_training_required` keep their
meaning: a programme that requires mentor training but lists no required training for its
mentors still waits for that date. Once the programme lists required training for mentors,
those items are what approval waits for, and recording one also fills in the profile's date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import User
from mentoring.emails import (
    absolute_url,
    queue_many,
    reminder_extras,
    render,
    wants_reminders,
)
from profiles.models import Membership, MentorProfile, Programme, Training, TrainingRecord

# Days before a training expires that its one reminder goes.
EXPIRY_NOTICE_DAYS = 30


class TrainingError(Exception):
    """A refused change; the message is the sentence the person sees."""


def audiences_for(role: str) -> list[str]:
    """The training audiences that concern a person in `role` (mentor or mentee)."""
    own = Training.Audience.MENTORS if role == Membership.Role.MENTOR else Training.Audience.MENTEES
    return [own, Training.Audience.BOTH]


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry_for(training: Training, completed_on: date) -> date | None:
    return add_months(completed_on, training.valid_months) if training.valid_months else None


@dataclass
class Expected:
    """One training a person is expected to do, with where they stand."""

    training: Training
    record: TrainingRecord | None
    today: date

    @property
    def done(self) -> bool:
        """Completed and not expired."""
        return self.record is not None and (
            self.record.expires_on is None or self.record.expires_on >= self.today
        )

    @property
    def expired(self) -> bool:
        return self.record is not None and not self.done

    @property
    def expiring_soon(self) -> bool:
        return (
            self.done
            and self.record is not None
            and self.record.expires_on is not None
            and self.record.expires_on <= self.today + timedelta(days=EXPIRY_NOTICE_DAYS)
        )

    @property
    def label(self) -> str:
        """ "Mentor briefing (required)" or, when it lapsed, "... (required; yours expired on
        3 March 2026)"."""
        name = self.training.name
        if self.expired and self.record is not None and self.record.expires_on is not None:
            on = {"name": name, "date": _day(self.record.expires_on)}
            if self.training.required:
                return gettext("%(name)s (required; yours expired on %(date)s)") % on
            return gettext("%(name)s (advised; yours expired on %(date)s)") % on
        if self.training.required:
            return gettext("%(name)s (required)") % {"name": name}
        return gettext("%(name)s (advised)") % {"name": name}


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def trainings_for(programme: Programme, role: str) -> QuerySet[Training]:
    return programme.trainings.filter(audience__in=audiences_for(role)).order_by("position", "name")


def expected_of(
    user: User, programme: Programme, role: str, *, today: date | None = None
) -> list[Expected]:
    """Every training `programme` lists for `role`, with `user`'s record of it: two queries."""
    today = today or timezone.localdate()
    trainings = list(trainings_for(programme, role))
    records = {
        r.training_id: r
        for r in TrainingRecord.objects.filter(user=user, training__in=[t.pk for t in trainings])
    }
    return [Expected(t, records.get(t.pk), today) for t in trainings]


def _legacy_mentor_training(programme: Programme) -> Training:
    """The programme's "mentors complete training" rule, as a training (never saved) for a
    programme that lists none of its own for mentors."""
    return Training(programme=programme, name=gettext("Mentor training"), required=True)


def outstanding_required(
    user: User, programme: Programme, role: str, *, today: date | None = None
) -> list[Expected]:
    """The required training `user` has not done (or has let expire) for `role` in
    `programme`: what approval (mentors) or being matched (mentees) waits for."""
    expected = expected_of(user, programme, role, today=today)
    missing = [e for e in expected if e.training.required and not e.done]
    if role == Membership.Role.MENTOR and programme.mentor_training_required:
        if not any(e.training.required for e in expected):
            profile = MentorProfile.objects.filter(user=user).only("training_completed_on").first()
            if profile is None or profile.training_completed_on is None:
                missing.append(
                    Expected(
                        _legacy_mentor_training(programme), None, today or timezone.localdate()
                    )
                )
    return missing


def due_notices(user: User, memberships: Iterable[Membership]) -> list[dict]:
    """{programme, sentence} for each of `memberships` (the person's current ones, with their
    programmes) whose approval or matching waits for training: what `outstanding_required`
    answers for each, in at most three queries whatever their number (the programmes'
    training, the person's records, and the mentor profile when an older rule needs it)."""
    candidates = [
        m for m in memberships if not (m.role == Membership.Role.MENTOR and m.is_approved)
    ]
    if not candidates:
        return []
    today = timezone.localdate()
    trainings = list(
        Training.objects.filter(programme__in={m.programme_id for m in candidates}).order_by(
            "position", "name"
        )
    )
    records = (
        {
            r.training_id: r
            for r in TrainingRecord.objects.filter(
                user=user, training__in=[t.pk for t in trainings]
            )
        }
        if trainings
        else {}
    )
    profile: list[MentorProfile | None] = []  # read once, when first needed
    notices = []
    for membership in candidates:
        programme, role = membership.programme, membership.role
        own = [t for t in trainings if t.programme_id == programme.pk]
        is_mentor = role == Membership.Role.MENTOR
        if not own and not (is_mentor and programme.mentor_training_required):
            continue
        audiences = audiences_for(role)
        expected = [Expected(t, records.get(t.pk), today) for t in own if t.audience in audiences]
        missing = [e for e in expected if e.training.required and not e.done]
        if (
            is_mentor
            and programme.mentor_training_required
            and not any(e.training.required for e in expected)
        ):
            if not profile:
                profile.append(
                    MentorProfile.objects.filter(user=user).only("training_completed_on").first()
                )
            if profile[0] is None or profile[0].training_completed_on is None:
                missing.append(Expected(_legacy_mentor_training(programme), None, today))
        if not missing:
            continue
        sentence = (
            approval_sentence(missing) if is_mentor else matching_sentence(missing, programme)
        )
        notices.append({"programme": programme, "sentence": sentence})
    return notices


def _names(outstanding: list[Expected]) -> str:
    return "; ".join(e.label for e in outstanding)


def approval_sentence(outstanding: list[Expected]) -> str:
    """What the person reads: "Before you can be approved, please complete: Mentor briefing
    (required)."."""
    return gettext("Before you can be approved, please complete: %(training)s.") % {
        "training": _names(outstanding)
    }


def joining_sentence(user: User, programme: Programme) -> str:
    """What a mentor who joined a programme without an approval step reads while its required
    training is outstanding."""
    outstanding = outstanding_required(user, programme, Membership.Role.MENTOR)
    return gettext(
        "Mentees can find you once you have completed its required training: %(training)s. "
        "Mark it done on the programme's training page."
    ) % {"training": _names(outstanding)}


def matching_sentence(outstanding: list[Expected], programme: Programme) -> str:
    """What a mentee reads when approaching a mentor waits for training."""
    return gettext(
        "Before you can approach a mentor in %(programme)s, please complete: %(training)s. "
        "Mark it done on the programme's training page."
    ) % {"programme": programme.name, "training": _names(outstanding)}


def coordinator_sentence(
    person: User, programme: Programme, outstanding: list[Expected], *, action: str = "approval"
) -> str:
    """What a coordinator reads when approving (or matching) waits for training."""
    if any(e.training.pk is None for e in outstanding):
        # The programme's older rule, with no training of its own listed.
        return (
            f"{person.full_name} has not completed mentor training yet: record the date on "
            f"their mentor profile first ({programme.name} requires training before {action})."
        )
    what = "mentor" if action == "approval" else "mentee"
    return (
        f"{person.full_name} has not completed {what} training yet: {programme.name} requires "
        f"{_names(outstanding)} before {action}. Record it (Training records, or “Record "
        "training” on the memberships) once they have."
    )


def refusal_for_mentee(user: User, programme: Programme) -> str | None:
    """Why a mentee may not approach a mentor in `programme` yet, or None."""
    outstanding = outstanding_required(user, programme, Membership.Role.MENTEE)
    return matching_sentence(outstanding, programme) if outstanding else None


# Recording ---------------------------------------------------------------------------------


@transaction.atomic
def record_completion(
    user: User,
    training: Training,
    completed_on: date,
    *,
    by: User | None = None,
    correction: bool = False,
) -> TrainingRecord:
    """`user` completed `training` on `completed_on` (they say so, or a coordinator `by`
    records it). Idempotent: recording the same date again, or an earlier one, changes nothing;
    a later date renews it (a new expiry, and a new reminder when that one nears). With
    `correction` (a coordinator fixing a record in the admin), an earlier date replaces the
    recorded one too, with its own expiry and reminder."""
    today = timezone.localdate()
    if completed_on > today:
        raise TrainingError(gettext("The date you completed it cannot be in the future."))
    expires_on = expiry_for(training, completed_on)
    record = TrainingRecord.objects.select_for_update().filter(training=training, user=user).first()
    if record is None:
        try:
            with transaction.atomic():
                record = TrainingRecord.objects.create(
                    training=training,
                    user=user,
                    completed_on=completed_on,
                    expires_on=expires_on,
                    recorded_by=by,
                    recorded_at=timezone.now(),
                )
        except IntegrityError:
            # Recorded at the same moment by another request (a double submit): that one stands.
            record = TrainingRecord.objects.select_for_update().get(training=training, user=user)
            return record
    elif completed_on > record.completed_on or (correction and completed_on != record.completed_on):
        corrected_from = record.completed_on if completed_on < record.completed_on else None
        record.completed_on, record.expires_on = completed_on, expires_on
        record.recorded_by, record.recorded_at = by, timezone.now()
        record.expiry_reminded_at = None  # the renewed training gets its own reminder
        record.save(
            update_fields=[
                "completed_on",
                "expires_on",
                "recorded_by",
                "recorded_at",
                "expiry_reminded_at",
            ]
        )
        if corrected_from is not None:
            _profile_date_follows_correction(user, training, corrected_from)
            return record
    else:
        return record
    if training.audience in audiences_for(Membership.Role.MENTOR):
        # The profile's single date, which the admin lists and filters by, follows the latest.
        MentorProfile.objects.filter(user=user).filter(
            Q(training_completed_on__isnull=True) | Q(training_completed_on__lt=completed_on)
        ).update(training_completed_on=completed_on)
    return record


def _profile_date_follows_correction(user: User, training: Training, corrected_from: date) -> None:
    """A mentor training's date was corrected to an earlier one: the profile's single date, if
    it was the corrected one, becomes the latest of their mentor training records."""
    if training.audience not in audiences_for(Membership.Role.MENTOR):
        return
    latest = (
        TrainingRecord.objects.filter(
            user=user, training__audience__in=audiences_for(Membership.Role.MENTOR)
        )
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    MentorProfile.objects.filter(user=user, training_completed_on=corrected_from).update(
        training_completed_on=latest
    )


def may_record_for_self(user: User, training: Training) -> bool:
    """Whether `training` concerns `user`: they are in its programme (or waiting for approval)
    in a role it is for."""
    roles = [role for role in Membership.Role.values if training.audience in audiences_for(role)]
    return (
        Membership.objects.current()
        .filter(user=user, programme=training.programme_id, role__in=roles)
        .exists()
    )


def record_for_many(users: list[User], training: Training, completed_on: date, *, by: User) -> int:
    """A coordinator records that each of `users` completed `training` on `completed_on`:
    only for a programme they coordinate. Returns how many records were made or renewed."""
    if not Programme.objects.coordinated_by(by).filter(pk=training.programme_id).exists():
        raise TrainingError(f"You do not coordinate {training.programme.name}.")
    changed = 0
    for person in users:
        before = TrainingRecord.objects.filter(training=training, user=person).first()
        record = record_completion(person, training, completed_on, by=by)
        if before is None or before.completed_on != record.completed_on:
            changed += 1
    return changed


def remind_expiring(*, now: datetime) -> int:
    """One email for each training that expires within EXPIRY_NOTICE_DAYS, to people still in
    its programme; marked reminded in the same transaction (renewing clears the mark). The
    caller holds a transaction. Set-based: a constant number of queries for any number."""
    today = timezone.localdate(now)
    still_in = Exists(
        Membership.objects.current().filter(
            user=OuterRef("user"), programme=OuterRef("training__programme")
        )
    )
    due = list(
        TrainingRecord.objects.filter(
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=EXPIRY_NOTICE_DAYS),
            expiry_reminded_at__isnull=True,
            user__is_active=True,
        )
        .filter(still_in)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "training__programme")
        .order_by("pk")
    )
    if not due:
        return 0
    TrainingRecord.objects.filter(pk__in=[r.pk for r in due]).update(expiry_reminded_at=now)
    rows = []
    for record in due:
        if not wants_reminders(record.user):
            continue  # they turned reminders off: marked all the same, so never sent later
        extra_ctx, headers = reminder_extras(record.user)
        programme = record.training.programme
        rows.append(
            render(
                "training_expiring",
                to=record.user,
                ctx={
                    "person": record.user,
                    "record": record,
                    "training": record.training,
                    "programme": programme,
                    "url": absolute_url(
                        reverse("profiles:programme-training", args=[programme.slug])
                    ),
                    **extra_ctx,
                },
                headers=headers,
                dedupe_key=f"training-expiring:{record.pk}:{record.expires_on:%Y%m%d}",
            )
        )
    queue_many(rows)
    return len(due)


def preview_samples() -> dict[str, dict]:
    """Sample contexts for the staff email previews (unsaved rows: nothing is written)."""
    person = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    programme = Programme(pk=1, name="Staff mentoring", slug="staff")
    item = Training(
        programme=programme,
        name="Mentor briefing (90 minutes)",
        required=True,
        valid_months=24,
        audience=Training.Audience.MENTORS,
    )
    today = timezone.localdate()
    record = TrainingRecord(
        training=item,
        user=person,
        completed_on=add_months(today, -23),
        expires_on=today + timedelta(days=EXPIRY_NOTICE_DAYS),
    )
    return {
        "training_expiring": {
            "to": person,
            "person": person,
            "record": record,
            "training": item,
            "programme": programme,
            "url": absolute_url("/programmes/staff/training/"),
        }
    }
