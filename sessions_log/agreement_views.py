"""The pair's mentoring agreement (propose, change, agree, withdraw) and the programme's
suggested objectives, on the pair's page. Only the two people reach them: anyone else gets a
404, as for the rest of their space."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from matching import agreements
from matching.models import Agreement, Mentorship
from sessions_log import services
from sessions_log.agreement_forms import AgreementForm
from sessions_log.agreement_space import add_suggested_objective
from sessions_log.views import _get_mentorship_for_user, _pair


def _back(mentorship: Mentorship, anchor: str = "agreement"):
    return redirect(f"{mentorship.get_absolute_url()}#{anchor}")


def _closed(request, mentorship: Mentorship):
    """Ended pairs and one-off advice conversations have no agreement to change."""
    if not agreements.has_agreement(mentorship):
        messages.error(
            request, gettext("A one-off advice conversation has no mentoring agreement.")
        )
        return _back(mentorship, "meetings")
    if not mentorship.is_active:
        messages.error(
            request,
            gettext("This mentorship has ended, so its agreement can no longer be changed."),
        )
        return _back(mentorship)
    return None


def _get_agreement(request, pk: int, aid: int) -> Agreement:
    qs = Agreement.objects.filter(
        mentorship__in=Mentorship.objects.for_user(request.user)
    ).select_related("mentorship__mentor", "mentorship__mentee", "proposed_by")
    return get_object_or_404(qs, pk=aid, mentorship_id=pk)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    """Propose the agreement, change one's own proposal, suggest changes to the other
    person's, or propose a change to the agreed one."""
    mentorship = _get_mentorship_for_user(request, pk)
    if response := _closed(request, mentorship):
        return response
    current = {
        a.status: a
        for a in mentorship.agreements.filter(status__in=["proposed", "agreed"]).select_related(
            "proposed_by"
        )
    }
    proposal, agreed = current.get("proposed"), current.get("agreed")
    start_from = proposal or agreed
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        initial=AgreementForm.initial_from(start_from),
    )
    if form.is_bound and form.is_valid():
        try:
            agreements.propose(mentorship, by=request.user, data=form.cleaned_data)
        except agreements.AgreementError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            other = mentorship.other_name(request.user)
            messages.success(
                request,
                gettext(
                    "Your proposal is with %(name)s, who has been emailed. It applies once they "
                    "agree it."
                )
                % {"name": other},
            )
            return _back(mentorship)
    if proposal is not None and proposal.proposed_by_id == request.user.pk:
        heading = gettext("Change your proposal")
    elif proposal is not None:
        heading = gettext("Suggest changes")
    elif agreed is not None:
        heading = gettext("Propose a change to your agreement")
    else:
        heading = gettext("Propose your mentoring agreement")
    ctx = {
        **_pair(request, mentorship),
        "form": form,
        "heading": heading,
        "proposal": proposal,
        "programme": mentorship.programme,
    }
    return render(request, "sessions_log/agreement_form.html", ctx)


@login_required
@require_POST
def agreement_agree(request, pk: int, aid: int):
    agreement = _get_agreement(request, pk, aid)
    mentorship = agreement.mentorship
    if response := _closed(request, mentorship):
        return response
    try:
        agreements.agree(agreement, by=request.user)
    except agreements.AgreementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("You have both agreed it. %(name)s has been emailed.")
            % {"name": mentorship.other_name(request.user)},
        )
    return _back(mentorship)


@login_required
@require_POST
def agreement_withdraw(request, pk: int, aid: int):
    agreement = _get_agreement(request, pk, aid)
    mentorship = agreement.mentorship
    if response := _closed(request, mentorship):
        return response
    try:
        agreements.withdraw(agreement, by=request.user)
    except agreements.AgreementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Your proposal has been withdrawn."))
    return _back(mentorship)


@login_required
@require_POST
def objective_suggested_add(request, pk: int):
    """One click adds a programme's suggested objective (once)."""
    mentorship = _get_mentorship_for_user(request, pk)
    if not mentorship.is_active:
        messages.error(
            request,
            gettext(
                "This mentorship has ended, so its objectives and meetings can no longer be "
                "changed."
            ),
        )
        return _back(mentorship, "objectives")
    try:
        objective = add_suggested_objective(
            mentorship, by=request.user, title=request.POST.get("title", "")
        )
    except services.SessionsError as exc:
        messages.error(request, str(exc))
        return _back(mentorship, "objectives")
    if objective is None:
        messages.info(request, gettext("You already have this objective."))
        return _back(mentorship, "objectives")
    messages.success(request, gettext("Objective added: %(title)s.") % {"title": objective.title})
    return _back(mentorship, f"objective-{objective.pk}")
