"""Record an informal mentoring relationship (issue 14): either person of a programme that
allows informal pairs names the other by the email address they use here and says which role
they have; the other confirms or declines it on the request's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from matching import engagements
from matching.services import MatchingError
from profiles.models import Programme


class InformalPairForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("In which programme?"),
        queryset=Programme.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the programme."),
            "invalid_choice": _("Choose one of your programmes that records informal pairs."),
        },
    )
    my_role = forms.ChoiceField(
        label=_("Your role"),
        choices=[("mentor", _("I am the mentor")), ("mentee", _("I am the mentee"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you are the mentor or the mentee.")},
    )
    other_email = forms.EmailField(
        label=_("The other person's email address"),
        max_length=254,
        help_text=_("The address they use on this site. They must be a member of the programme."),
        error_messages={
            "required": _("Enter the other person's email address."),
            "invalid": _("Enter an email address, like name@example.org."),
        },
    )

    def __init__(self, *args, programmes: list[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        field.queryset = Programme.objects.filter(pk__in=[p.pk for p in programmes])
        self.only = programmes[0] if len(programmes) == 1 else None
        if self.only is not None:
            # Nothing to choose: the one programme, whatever a stale page posts.
            field.required, field.initial, field.widget = False, self.only.pk, forms.HiddenInput()

    def clean_programme(self):
        return self.only or self.cleaned_data["programme"]


@login_required
@require_http_methods(["GET", "POST"])
def informal_record(request):
    """ "Record an informal mentoring relationship": only for members of a programme that
    allows informal pairs (404 for anyone else)."""
    programmes = engagements.informal_programmes(request.user)
    if not programmes:
        raise Http404("None of your programmes records informal pairs.")
    form = InformalPairForm(
        request.POST if request.method == "POST" else None, programmes=programmes
    )
    if form.is_bound and form.is_valid():
        try:
            req = engagements.record_informal(
                by=request.user,
                programme=form.cleaned_data["programme"],
                other_email=form.cleaned_data["other_email"],
                my_role=form.cleaned_data["my_role"],
            )
        except MatchingError as exc:
            form.add_error("other_email", str(exc))
        else:
            other = req.mentee if req.sent_by_mentor else req.mentor
            name = other.full_name if other is not None else gettext("The other person")
            messages.success(
                request,
                gettext(
                    "Recorded. %(name)s has been emailed to confirm it; your shared space opens "
                    "once they do."
                )
                % {"name": name},
            )
            return redirect(req)
    status = 400 if form.is_bound else 200
    ctx = {"form": form, "programmes": programmes}
    return render(request, "matching/informal_form.html", ctx, status=status)
