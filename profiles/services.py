"""Changes to mentor profiles that are more than saving a form."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from accounts import sso
from accounts.models import User
from profiles import cache as directory_cache
from profiles import emails, signals, training
from profiles.models import (
    Membership,
    MenteeProfile,
    MentorProfile,
    Programme,
    new_invitation_token,
)


class ProfileError(Exception):
    """A refused change; the message is the sentence the user sees."""


# A mentor's places: only these three change `mentee_count`.


def take_place(profile: MentorProfile) -> None:
    """A mentorship starts. The caller holds the lock on the profile and has checked it has a
    free place (the matching services)."""
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=F("mentee_count") + 1)
    directory_cache.bump()  # "1 place left" on the card


def free_place(profile: MentorProfile) -> None:
    """A mentorship ends. The caller holds the lock on the profile."""
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=F("mentee_count") - 1)
    directory_cache.bump()


def recount_places(active_pairs: QuerySet) -> int:
    """Set each mentor's count from `active_pairs`, a query of active mentorships, in one UPDATE:
    for bulk loaders (the demo seeder) that write mentorships straight into their table. Mentors
    with no pair in it are left as they are. Returns how many counts changed."""
    taken = Subquery(
        active_pairs.filter(mentor=OuterRef("user"))
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    changed = (
        MentorProfile.objects.filter(user__in=active_pairs.values("mentor"))
        .exclude(mentee_count=taken)
        .update(mentee_count=taken)
    )
    if changed:
        directory_cache.bump()
    return changed


@transaction.atomic
def submit_for_review(profile: MentorProfile) -> MentorProfile:
    """Send a profile to the scheme team, or publish it when the scheme does not review."""
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.review_status in {
        MentorProfile.ReviewStatus.SUBMITTED,
        MentorProfile.ReviewStatus.APPROVED,
    }:
        return profile  # a double click, or already live
    percent, missing = profile.completeness()
    # completeness() names what is missing in the active language: compare in that language.
    required = {gettext(label) for label in _REQUIRED}
    required_missing = [m for m in missing[:8] if m in required]
    if required_missing:
        raise ProfileError(
            gettext("Before you submit, please add %(missing)s.")
            % {"missing": ", ".join(required_missing)}
        )
    now = timezone.now()
    profile.submitted_at = now
    if _needs_review(profile.user_id):
        profile.review_status = MentorProfile.ReviewStatus.SUBMITTED
    else:
        profile.review_status = MentorProfile.ReviewStatus.APPROVED
        profile.approved_at = now
        profile.confirmed_at = profile.confirmed_at or now
    profile.save(update_fields=["review_status", "submitted_at", "approved_at", "confirmed_at"])
    return profile


def _needs_review(user_id: int) -> bool:
    """A profile is reviewed when one of the mentor's programmes approves its mentors (and,
    before they joined any, when the scheme-wide default says so)."""
    memberships = Membership.objects.current().mentors().filter(user=user_id)
    if not memberships.exists():
        return settings.SCHEME_MENTOR_APPROVAL_REQUIRED
    return memberships.filter(programme__mentor_approval_required=True).exists()


# What a profile must have to be submitted: MentorProfile.completeness() labels (its msgids).
_REQUIRED = {
    "a headline",
    "your current role and organisation",
    "your key areas of success",
    "areas you can help with",
    "meeting formats",
}


@transaction.atomic
def set_active(profile: MentorProfile, *, active: bool) -> MentorProfile:
    """Show or hide a mentor in the directory; running mentorships are not affected. Hiding
    closes the requests waiting for their answer kindly (matching listens to `mentor_hidden`)."""
    hiding = profile.is_active and not active
    profile.is_active = active
    profile.save(update_fields=["is_active", "updated_at"])  # the signal refreshes is_listed
    if hiding:
        signals.mentor_hidden.send(sender=MentorProfile, profile=profile)
    return profile


@transaction.atomic
def confirm_up_to_date(profile: MentorProfile) -> MentorProfile:
    now = timezone.now()
    MentorProfile.objects.filter(pk=profile.pk).update(confirmed_at=now, updated_at=now)
    # No signal sees an update(): the card's "confirmed" line and the directory's order change.
    directory_cache.directory_changed()
    profile.confirmed_at = now
    return profile


@transaction.atomic
def approve_profile(profile: MentorProfile, *, by: User) -> MentorProfile:
    """The scheme team approves a submitted profile: it appears in the directory at once."""
    profile = MentorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    pending = list(
        Membership.objects.mentors()
        .filter(user=profile.user_id, status=Membership.Status.PENDING)
        .filter(programme__in=Programme.objects.coordinated_by(by))
        .select_related("programme")
        .select_for_update(of=("self",))
    )
    for membership in pending:
        _refuse_untrained(profile, membership.programme)
    now = timezone.now()
    if profile.review_status == MentorProfile.ReviewStatus.APPROVED:
        # Reviewed before: approving it again lists the mentor in the approver's programmes
        # that were waiting for them.
        for membership in pending:
            _approve(membership, by=by, at=now)
            emails.membership_approved(membership)
        return profile
    profile.review_status = MentorProfile.ReviewStatus.APPROVED
    profile.approved_at = now
    profile.confirmed_at = profile.confirmed_at or now
    profile.review_note = ""
    profile.reviewed_by = by
    profile.save(
        update_fields=["review_status", "approved_at", "confirmed_at", "review_note", "reviewed_by"]
    )
    for membership in pending:
        _approve(membership, by=by, at=now)
    emails.profile_approved(profile, programmes=[m.programme for m in pending])
    return profile


def approval_waits_for(profile: MentorProfile, *, by: User) -> list[str]:
    """What approving `profile` now would be refused for (the sentences approve_profile gives):
    the required training of the reviewer's programmes the mentor waits in. Reads only, for the
    review page to say before anyone presses Approve."""
    pending = (
        Membership.objects.mentors()
        .filter(user=profile.user_id, status=Membership.Status.PENDING)
        .filter(programme__in=Programme.objects.coordinated_by(by))
        .select_related("programme")
    )
    sentences = []
    for membership in pending:
        outstanding = training.outstanding_required(
            profile.user, membership.programme, Membership.Role.MENTOR
        )
        if outstanding:
            sentences.append(
                training.coordinator_sentence(profile.user, membership.programme, outstanding)
            )
    return sentences


def _refuse_untrained(profile: MentorProfile, programme: Programme) -> None:
    """Approval waits for the programme's required mentor training (profiles.training)."""
    outstanding = training.outstanding_required(profile.user, programme, Membership.Role.MENTOR)
    if outstanding:
        raise ProfileError(training.coordinator_sentence(profile.user, programme, outstanding))


@transaction.atomic
def request_changes(profile: MentorProfile, *, by: User, message: str) -> MentorProfile:
    """The scheme team asks for changes before approving; the mentor gets the message."""
    message = message.strip()
    if not message:
        raise ProfileError("Please say what the mentor should change.")
    profile = MentorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    elsewhere = (
        Membership.objects.approved()
        .mentors()
        .filter(user=profile.user_id)
        .exclude(programme__in=Programme.objects.coordinated_by(by))
        .select_related("programme")
        .first()
    )
    if elsewhere is not None:
        # The profile is one for all the mentor's programmes: asking for changes takes it out
        # of every directory, so only someone who runs them all may.
        raise ProfileError(
            f"{profile.user.full_name} mentors in {elsewhere.programme.name} too, which you do "
            "not coordinate: asking for changes would take them out of its directory. Ask an "
            "administrator, or write to the mentor."
        )
    profile.review_status = MentorProfile.ReviewStatus.CHANGES_REQUESTED
    profile.review_note = message
    profile.reviewed_by = by
    profile.save(update_fields=["review_status", "review_note", "reviewed_by"])
    emails.profile_changes_requested(profile)
    return profile


# Memberships: only these change a membership's `status`.


def eligibility_refusal(
    programme: Programme, user: User, role: str, *, invited: bool = False
) -> str | None:
    """Why `user` may not join `programme` as `role`, or None. An invitation link opens a
    programme that is by invitation or limited to some email domains."""
    name = {"programme": programme.name}
    if programme.status == Programme.Status.DRAFT or programme.status == Programme.Status.ARCHIVED:
        return gettext("%(programme)s is not open.") % name
    if programme.status == Programme.Status.CLOSED and not invited:
        return gettext("%(programme)s is not taking new members at the moment.") % name
    if refusal := single_sign_on_refusal(programme, user):
        return refusal
    if invited:
        return None
    if programme.invitation_only:
        return gettext("%(programme)s is by invitation: ask its coordinators for the link.") % name
    if not programme.accepts_email(user.email, role):
        either = " " + pgettext("one email domain or another", "or") + " "
        domains = either.join("@" + d for d in programme.domains_for(role))
        if role == Membership.Role.MENTOR:
            sentence = gettext(
                "%(programme)s is open to a mentor with an %(domains)s email address. Add one "
                "to your account (Account, Email addresses) and try again."
            )
        else:
            sentence = gettext(
                "%(programme)s is open to a mentee with an %(domains)s email address. Add one "
                "to your account (Account, Email addresses) and try again."
            )
        return sentence % {**name, "domains": domains}
    return None


def single_sign_on_refusal(programme: Programme, user: User) -> str | None:
    """A programme that members join with a single sign-on provider (Programme.single_sign_on)
    takes only people whose account is linked to it: the university vouches for who they are.
    An invitation does not replace it."""
    if not programme.single_sign_on or sso.has_account_with(user, programme.single_sign_on):
        return None
    provider = sso.find_provider(None, programme.single_sign_on)
    return gettext(
        "Members of %(programme)s sign in with %(provider)s. Sign in with it once, then join."
    ) % {
        "programme": programme.name,
        "provider": provider.name if provider else programme.single_sign_on,
    }


@transaction.atomic
def join_programme(
    *, user: User, programme: Programme, role: str, invited: bool = False
) -> Membership:
    """`user` joins as mentor or mentee. Mentees take part at once; mentors too where the
    programme does not approve its mentors, otherwise once a coordinator approves them.
    Joining twice (a double click) returns the membership there is; a person who left joins
    again."""
    if role not in Membership.Role.values:
        raise ProfileError(gettext("Choose whether you join as a mentor or a mentee."))
    # One join at a time per person. A no-key lock: it must not wait for, or block, the key-share
    # locks that new rows referring to the person take (a request being accepted for them).
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    membership = Membership.objects.filter(user=user, programme=programme, role=role).first()
    if membership is not None and membership.status != Membership.Status.LEFT:
        return membership
    if refusal := eligibility_refusal(programme, user, role, invited=invited):
        raise ProfileError(refusal)
    now = timezone.now()
    if membership is None:
        membership = Membership(user=user, programme=programme, role=role)
    membership.joined_at, membership.left_at, membership.by_invitation = now, None, invited
    # A mentor waits for the coordinators' approval, or, in a programme that lists its mentors
    # without one, for its required mentor training (approve_once_trained).
    needs_approval = role == Membership.Role.MENTOR and (
        programme.mentor_approval_required
        or bool(training.outstanding_required(user, programme, role))
    )
    if needs_approval:
        membership.status, membership.approved_at = Membership.Status.PENDING, None
    else:
        membership.status, membership.approved_at = Membership.Status.APPROVED, now
    membership.save()
    return membership


def join_only_programme(user: User, role: str) -> Membership | None:
    """A person who creates a profile in an installation with one open programme they may join,
    and who belongs to none in that role, joins it: no chooser where there is nothing to choose."""
    if Membership.objects.current().filter(user=user, role=role).exists():
        return None
    joinable = [
        p
        for p in Programme.objects.filter(status=Programme.Status.OPEN)
        if eligibility_refusal(p, user, role) is None
    ]
    if len(joinable) != 1:
        return None
    return join_programme(user=user, programme=joinable[0], role=role)


@transaction.atomic
def approve_membership(membership: Membership, *, by: User) -> Membership:
    """A coordinator approves a mentor in their programme; a profile never reviewed is approved
    with it (the profile text is one for all their programmes)."""
    # Lock order, as everywhere: the person's profile, then their memberships.
    _lock_profile_of(membership)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("programme", "user")
        .get(pk=membership.pk)
    )
    if membership.status == Membership.Status.APPROVED:
        return membership
    if membership.status == Membership.Status.LEFT:
        raise ProfileError(f"{membership.user.full_name} has left {membership.programme.name}.")
    if not Programme.objects.coordinated_by(by).filter(pk=membership.programme_id).exists():
        raise ProfileError(f"You do not coordinate {membership.programme.name}.")
    profile = MentorProfile.objects.filter(user=membership.user_id).first()
    if membership.role == Membership.Role.MENTOR:
        if profile is None:
            raise ProfileError(f"{membership.user.full_name} has no mentor profile yet.")
        _refuse_untrained(profile, membership.programme)
        if profile.review_status != MentorProfile.ReviewStatus.APPROVED:
            approve_profile(profile, by=by)  # approves this membership too
            membership.refresh_from_db()
            return membership
    _approve(membership, by=by, at=timezone.now())
    if membership.role == Membership.Role.MENTOR:
        emails.membership_approved(membership)
    return membership


@transaction.atomic
def approve_once_trained(user: User, programme: Programme) -> Membership | None:
    """A mentor waiting only for `programme`'s required training (the programme lists its
    mentors without the coordinators' approval) takes part once it is recorded: called after
    training is recorded. Returns the membership it approved, or None."""
    if programme.mentor_approval_required:
        return None
    pending = Membership.objects.mentors().filter(
        user=user, programme=programme, status=Membership.Status.PENDING
    )
    if not pending.exists():
        return None
    list(MentorProfile.objects.select_for_update().filter(user=user))  # the usual lock order
    membership = pending.select_for_update(of=("self",)).select_related("programme").first()
    if membership is None or training.outstanding_required(user, programme, membership.role):
        return None
    membership.status, membership.approved_at = Membership.Status.APPROVED, timezone.now()
    membership.save(update_fields=["status", "approved_at"])
    return membership


def _lock_profile_of(membership: Membership) -> None:
    """Take the lock the matching services take first: the mentor's profile for a mentor's
    membership, the mentee's profile for a mentee's."""
    model = MentorProfile if membership.role == Membership.Role.MENTOR else MenteeProfile
    list(model.objects.select_for_update().filter(user=membership.user_id))


def _approve(membership: Membership, *, by: User, at: datetime) -> None:
    membership.status, membership.approved_at, membership.approved_by = (
        Membership.Status.APPROVED,
        at,
        by,
    )
    membership.save(update_fields=["status", "approved_at", "approved_by"])


@transaction.atomic
def leave_programme(membership: Membership, *, by: User) -> Membership:
    """A person leaves a programme. Their waiting requests in it are closed kindly (matching
    listens to `membership_left`); pairs already working together carry on."""
    if by.pk != membership.user_id:
        raise ProfileError(gettext("Only the member can leave a programme."))
    _lock_profile_of(membership)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.LEFT:
        return membership
    membership.status, membership.left_at = Membership.Status.LEFT, timezone.now()
    # An application is for this stay: someone who joins again applies again.
    membership.application, membership.applied_at = "", None
    membership.save(update_fields=["status", "left_at", "application", "applied_at"])
    membership.preferred_mentors.clear()
    signals.membership_left.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def apply_to_be_matched(
    membership: Membership, *, application: str, preferred_mentors: list[User] | None = None
) -> Membership:
    """A mentee in a programme that matches centrally tells the coordinators what they look
    for; they appear in the coordinators' queue of applicants."""
    membership = (
        Membership.objects.select_for_update().select_related("programme").get(pk=membership.pk)
    )
    if membership.role != Membership.Role.MENTEE or not membership.is_approved:
        raise ProfileError(gettext("Join the programme as a mentee first."))
    if not membership.programme.matches_centrally:
        raise ProfileError(
            gettext("In %(programme)s you choose your mentor yourself.")
            % {"programme": membership.programme.name}
        )
    application = application.strip()
    if not application:
        raise ProfileError(gettext("Tell the coordinators what you are looking for in a mentor."))
    membership.application = application
    membership.applied_at = membership.applied_at or timezone.now()
    membership.save(update_fields=["application", "applied_at"])
    if preferred_mentors is not None:
        membership.preferred_mentors.set(preferred_mentors)
    return membership


@transaction.atomic
def new_invitation_link(programme: Programme, *, by: User) -> Programme:
    """A new invitation token for `programme`, made by one of its coordinators (or a
    superuser): the old link stops working at once."""
    changed = (
        Programme.objects.coordinated_by(by)
        .filter(pk=programme.pk)
        .update(invitation_token=new_invitation_token())
    )
    if not changed:
        raise ProfileError(f"Only the coordinators of {programme.name} may change its link.")
    programme.refresh_from_db(fields=["invitation_token"])
    return programme
