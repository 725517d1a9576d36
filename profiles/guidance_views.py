"""A programme's training and handbook pages, for its members and its coordinators.

/programmes/<slug>/training/ lists the training the programme expects of the person (required
or advised, done, valid until), each with an "I have completed this" form;
/programmes/<slug>/handbook/ and /programmes/<slug>/handbook/<page>/ show its handbook. Anyone
else gets a 404, and a visitor who is not signed in is sent to sign in.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from profiles import handbook, services, training
from profiles.models import HandbookPage, Membership, Programme, Training


class DateInput(forms.DateInput):
    input_type = "date"


class TrainingDoneForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Date you completed it"),
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date you completed it."),
            "invalid": _("Enter a real date, for example 14 March 2026."),
        },
    )

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                gettext("The date you completed it cannot be in the future.")
            )
        if value.year < 1990:
            raise forms.ValidationError(gettext("Enter a date after 1990."))
        return value


def _programme_for_member(request, slug: str) -> tuple[Programme, list[Membership], bool]:
    """The programme, the person's current memberships of it and whether they coordinate it;
    a 404 for anyone else."""
    programme = get_object_or_404(Programme, slug=slug)
    memberships = list(Membership.objects.current().filter(user=request.user, programme=programme))
    coordinates = Programme.objects.coordinated_by(request.user).filter(pk=programme.pk).exists()
    if not memberships and not coordinates:
        raise Http404("No such programme.")
    return programme, memberships, coordinates


def _training_rows(request, programme: Programme, memberships: list[Membership], forms_by_pk):
    """Each training that concerns the person (or, for a coordinator who takes no part, every
    training), with their record and its form; and the sentences of what waits for it."""
    today = timezone.localdate()
    roles = [m.role for m in memberships]
    if roles:
        audiences = {a for role in roles for a in training.audiences_for(role)}
        trainings = list(
            programme.trainings.filter(audience__in=audiences).order_by("position", "name")
        )
    else:
        trainings = list(programme.trainings.order_by("position", "name"))
    records = {
        r.training_id: r
        for r in request.user.training_records.filter(training__in=[t.pk for t in trainings])
    }
    rows = []
    for item in trainings:
        expected = training.Expected(item, records.get(item.pk), today)
        form = forms_by_pk.get(item.pk) or TrainingDoneForm(
            prefix=f"t{item.pk}", initial={"completed_on": today}
        )
        rows.append({"expected": expected, "form": form, "may_record": bool(roles)})
    waiting = []
    for membership in memberships:
        if membership.role == Membership.Role.MENTOR and not membership.is_approved:
            outstanding = training.outstanding_required(request.user, programme, membership.role)
            if outstanding:
                waiting.append(training.approval_sentence(outstanding))
        elif membership.role == Membership.Role.MENTEE:
            if refusal := training.refusal_for_mentee(request.user, programme):
                waiting.append(refusal)
    return rows, waiting


def _training_page(request, programme, memberships, coordinates, *, forms_by_pk=None, status=200):
    rows, waiting = _training_rows(request, programme, memberships, forms_by_pk or {})
    ctx = {
        "programme": programme,
        "rows": rows,
        "waiting": waiting,
        "coordinates": coordinates,
        "takes_part": bool(memberships),
    }
    return render(request, "profiles/programme_training.html", ctx, status=status)


@login_required
@require_safe
def training_list(request, slug: str):
    programme, memberships, coordinates = _programme_for_member(request, slug)
    return _training_page(request, programme, memberships, coordinates)


@login_required
@require_POST
def training_done(request, slug: str, pk: int):
    """ "I have completed this": a date, not in the future. A second submit changes nothing."""
    programme, memberships, coordinates = _programme_for_member(request, slug)
    item = get_object_or_404(Training, pk=pk, programme=programme)
    if not training.may_record_for_self(request.user, item):
        raise Http404("This training is not one the programme expects of you.")
    form = TrainingDoneForm(request.POST, prefix=f"t{item.pk}")
    if form.is_valid():
        try:
            record = training.record_completion(
                request.user, item, form.cleaned_data["completed_on"]
            )
        except training.TrainingError as exc:
            form.add_error("completed_on", str(exc))
        else:
            done = gettext("Thank you: %(training)s is recorded as completed on %(date)s.") % {
                "training": item.name,
                "date": date_format(record.completed_on, "j F Y"),
            }
            if record.expires_on:
                done += " " + gettext("It is valid until %(date)s.") % {
                    "date": date_format(record.expires_on, "j F Y")
                }
            messages.success(request, done)
            if services.approve_once_trained(request.user, programme):
                messages.success(
                    request,
                    gettext("You are now a mentor in %(programme)s: its mentees can find you.")
                    % {"programme": programme.name},
                )
            return redirect(f"{reverse('profiles:programme-training', args=[slug])}#t{item.pk}")
    return _training_page(request, programme, memberships, coordinates, forms_by_pk={item.pk: form})


@login_required
@require_safe
def handbook_index(request, slug: str):
    programme, _, _ = _programme_for_member(request, slug)
    pages = list(handbook.pages_for(programme))
    return render(request, "profiles/handbook_index.html", {"programme": programme, "pages": pages})


@login_required
@require_safe
def handbook_page(request, slug: str, page: str):
    programme, _, _ = _programme_for_member(request, slug)
    current = get_object_or_404(HandbookPage, programme=programme, slug=page)
    pages = list(handbook.pages_for(programme))
    return render(
        request,
        "profiles/handbook_page.html",
        {
            "programme": programme,
            "page": current,
            "body": handbook.render_markdown(current.body),
            "pages": pages,
        },
    )
