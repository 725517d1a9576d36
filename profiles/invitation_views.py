"""The link in a coordinator's invitation (profiles.invitations): the invited person signs in or
signs up, then joins the programme in the invited role with one button. A GET never changes
anything, so mail scanners and link previews cannot join for anyone."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.adapters import INVITED_EMAIL_KEY
from profiles import invitations, services
from profiles.models import Membership, MenteeProfile, MentorProfile

TEMPLATE = "profiles/programme_invited.html"


@require_http_methods(["GET", "POST"])
def programme_invited(request, slug: str, token: str):
    try:
        invitation = invitations.invitation_for_token(token, slug=slug)
    except invitations.LinkExpired:
        return render(
            request,
            TEMPLATE,
            {"expired": True, "days": invitations.TOKEN_MAX_AGE.days},
            status=410,
        )
    if invitation is None:
        return render(request, TEMPLATE, {"invalid": True}, status=404)
    here = request.get_full_path()
    ctx = {"invitation": invitation, "programme": invitation.programme, "here": here}
    if not request.user.is_authenticated and invitation.accepted_at is not None:
        # Used already: the link vouches for nobody's address any more, so it only offers to
        # sign in (a forwarded or leaked link must not verify an address for a new account).
        ctx["login_url"] = reverse("account_login") + "?" + urlencode({"next": here})
        return render(request, TEMPLATE, {**ctx, "accepted_already": True})
    if not request.user.is_authenticated:
        # Signing up with the invited address needs no second email to verify it (the link
        # proved it), and the programme's or the site's allowed domains do not refuse it
        # (accounts.adapters): the invitation covers it.
        get_adapter(request).stash_verified_email(request, invitation.email)
        request.session[INVITED_EMAIL_KEY] = invitation.email
        ctx["signup_url"] = (
            reverse("account_signup") + "?" + urlencode({"email": invitation.email, "next": here})
        )
        ctx["login_url"] = reverse("account_login") + "?" + urlencode({"next": here})
        return render(request, TEMPLATE, ctx)
    if not invitations.is_for(invitation, request.user):
        return render(request, TEMPLATE, {**ctx, "wrong_person": True}, status=403)
    if invitation.accepted_by_id not in (None, request.user.pk):
        return render(request, TEMPLATE, {**ctx, "used": True}, status=410)
    if request.method == "POST":
        return _accept(request, invitation)
    return render(request, TEMPLATE, {**ctx, "accepted": invitation.accepted_at is not None})


def _accept(request, invitation):
    programme = invitation.programme
    try:
        membership = invitations.accept(invitation, user=request.user)
    except invitations.NotTheInvitee:
        return render(
            request,
            TEMPLATE,
            {
                "invitation": invitation,
                "programme": programme,
                "here": request.get_full_path(),
                "wrong_person": True,
            },
            status=403,
        )
    except invitations.InvitationUsed:
        return render(
            request,
            TEMPLATE,
            {"invitation": invitation, "programme": programme, "used": True},
            status=410,
        )
    except services.ProfileError as exc:
        messages.error(request, str(exc))
        return redirect(programme)
    if membership.role == Membership.Role.MENTOR:
        joined = _("You have joined %(programme)s as a mentor.") % {"programme": programme.name}
    else:
        joined = _("You have joined %(programme)s as a mentee.") % {"programme": programme.name}
    if membership.role == Membership.Role.MENTEE:
        if not MenteeProfile.objects.filter(user=request.user).exists():
            messages.success(
                request, joined + " " + _("Now tell mentors about you and your goals.")
            )
            return redirect("profiles:mentee-edit")
    elif not MentorProfile.objects.filter(user=request.user).exists():
        messages.success(request, joined + " " + _("Now tell mentees about you as a mentor."))
        return redirect("profiles:mentor-edit")
    if membership.status == Membership.Status.PENDING:
        joined += " " + _(
            "Its coordinators approve each mentor: they will email you once they have."
        )
    messages.success(request, joined)
    return redirect(programme)
