"""Staff pages inside the admin: the email previews and the reports."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from mentoring import email_kinds
from mentoring.admin_utils import coordinated_programmes, csv_response, programme_choices
from mentoring.backoffice import charts, previews
from mentoring.backoffice.reports import Scope, build_report
from mentoring.backoffice.reports.pairs import pair_rows
from mentoring.backoffice.reports.query import Period
from mentoring.delivery import PRIVATE_KINDS, SECRET_KINDS
from mentoring.logs import mask_links
from mentoring.models import Outbox


class PreviewChoiceForm(forms.Form):
    """Which programme's and language's wording a preview shows (GET)."""

    programme = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="A sample programme (every programme's words)"
    )
    language = forms.ChoiceField(
        choices=[("", "Any language"), *settings.LANGUAGES], required=False
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


def _preview_choice(request) -> tuple[PreviewChoiceForm, object, str]:
    form = PreviewChoiceForm(request.GET or None, programmes=coordinated_programmes(request))
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["programme"], form.cleaned_data["language"]
    return form, None, ""


@staff_member_required
@require_safe
def email_previews(request):
    """Every kind of email by audience and human title, one rendered as sent (subject, HTML in
    a sandboxed frame, text), with a chosen programme's and language's wording."""
    samples = previews.sample_contexts()
    groups = [
        (audience, [{"kind": k, "ready": k.slug in samples} for k in kinds])
        for audience, kinds in email_kinds.by_audience()
    ]
    first_ready = next((k["kind"].slug for _, ks in groups for k in ks if k["ready"]), None)
    selected = request.GET.get("kind") or first_ready
    form, programme, language = _preview_choice(request)
    email = (
        previews.render_kind(selected, programme=programme, language=language)
        if selected in samples
        else None
    )
    choice = {"kind": selected, **{k: v for k, v in request.GET.items() if k != "kind"}}
    ctx = {
        **admin.site.each_context(request),
        "title": "Email previews",
        "groups": groups,
        "selected": selected,
        "selected_kind": email_kinds.describe(selected) if selected else None,
        "email": email,
        "form": form,
        "frame_query": urlencode(
            {k: v for k, v in choice.items() if k in ("programme", "language") and v}
        ),
    }
    return render(request, "admin/email_previews.html", ctx)


# The policy of an email's HTML shown in a frame (a preview, or an outbox email as sent). It
# replaces the site's whole policy, so it names every directive that does not fall back to
# default-src: no form submits anywhere (form-action), no <base> moves relative links
# (base-uri), and `sandbox` makes the page sandboxed even when opened outside its sandboxed
# frame (no script, no forms, no popups, its own opaque origin).
EMAIL_FRAME_POLICY = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "sandbox": True,
}


@staff_member_required
@xframe_options_sameorigin
@csp_override(EMAIL_FRAME_POLICY)
@require_safe
def email_preview_html(request, kind: str):
    """The HTML part alone, shown in an iframe: emails use inline styles, which the site's CSP
    forbids everywhere else."""
    if kind not in previews.sample_contexts():
        raise Http404("No such email.")
    _, programme, language = _preview_choice(request)
    return HttpResponse(
        previews.render_kind(kind, programme=programme, language=language).body_html
    )


@staff_member_required
@xframe_options_sameorigin
@csp_override(EMAIL_FRAME_POLICY)
@require_safe
def outbox_email_html(request, pk: int):
    """An outbox email's HTML part as sent, for superusers (mentoring.admin.OutboxAdmin), every
    link's secret part masked; never an email that carries a sign-in or reset link or quotes a
    pair's private words (delivery.PRIVATE_KINDS). Shown in a sandboxed frame: no script runs
    and no form submits, whatever the email holds."""
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied
    hidden = SECRET_KINDS | PRIVATE_KINDS
    row = get_object_or_404(Outbox.objects.exclude(kind__in=hidden), pk=pk)
    return HttpResponse(mask_links(row.body_html))


@require_safe
def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's "View on site" redirect, for models whose admin offers that link and staff
    who may view them there. Django's own follows any object's `get_absolute_url` for any staff
    member, and a check-in's or a calendar feed's address is its secret token."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or not admin.site.is_registered(model):
        raise Http404("No such page.")
    model_admin = admin.site.get_model_admin(model)
    if not model_admin.view_on_site or not model_admin.has_view_permission(request):
        raise Http404("No such page.")
    # Only for an object the person may see in the admin (their programmes' for a coordinator).
    try:
        visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, ValidationError):
        visible = False  # not an id at all
    if not visible:
        raise Http404("No such page.")
    return contenttype_views.shortcut(request, content_type_id, object_id)


REPORT_MAX_YEARS = 5
REPORT_FIRST_DAY = date(2000, 1, 1)


def _today() -> date:
    return timezone.localdate(timezone=ZoneInfo(settings.TIME_ZONE))


def _months_back(day: date, months: int) -> date:
    """The first day of the month `months` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def default_report_range(today: date | None = None) -> tuple[date, date]:
    """The last twelve months: the current month so far and the eleven before it."""
    today = today or _today()
    return _months_back(today, 11), today


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


ALL_MINE = ""  # the programme choice "all my programmes"


class ReportRangeForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=_DateInput())
    end = forms.DateField(label="To", required=False, widget=_DateInput())
    programme = forms.TypedChoiceField(label="Programme", required=False, coerce=int)

    def __init__(self, *args, programmes: list[tuple[int, str]], everything: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = programmes
        field = self.fields["programme"]
        field.choices = [
            (ALL_MINE, "All programmes" if everything else "All my programmes"),
            *programmes,
        ]
        if len(programmes) <= 1:
            # No chooser where there is nothing to choose.
            field.widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        today, first = _today(), REPORT_FIRST_DAY
        for name, day in [("start", start), ("end", end)]:
            if day is not None and day < first:
                self.add_error(name, f"Choose a date from {first.day} {first:%B %Y}.")
            if day is not None and day > today + timedelta(days=366):
                self.add_error(name, "Choose a date at most a year from today.")
        if self.errors:
            return data
        end = end or today
        start = start or _months_back(end, 11)
        if start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        if start < _months_back(end, 12 * REPORT_MAX_YEARS - 1):
            raise forms.ValidationError(
                f"Choose a period of at most {REPORT_MAX_YEARS} years: the charts show months."
            )
        data["start"], data["end"] = start, end
        return data


def _report_scope(request, chosen: int | None) -> tuple[Scope, str]:
    """What the report covers, and its name: one of the person's programmes, or all of theirs
    (every programme for a superuser). A programme the person does not run is never read."""
    programmes = dict(programme_choices(request))
    if chosen in programmes:
        return Scope([chosen]), programmes[chosen]
    if request.user.is_superuser:
        return Scope(), "All programmes" if len(programmes) > 1 else ""
    return Scope(list(programmes)), "All my programmes" if len(programmes) > 1 else ""


def _suppress_requested(request) -> bool:
    """The export's "Suppress counts below 5 for publication" (GET suppress=1): off unless
    asked for."""
    return bool(forms.BooleanField(required=False).clean(request.GET.get("suppress", "")))


@require_safe
def reports(request):
    """The figures of the person's programmes for a period (GET start, end, programme;
    format=csv to download them): one programme, or all of theirs. The page and the team's
    CSV show exact numbers; the CSV with suppress=1 is for publication (small numbers
    suppressed).

    Staff only: wrapped in admin.site.admin_view in mentoring/urls.py, and under /admin/, so
    the two-factor rule for staff applies too.
    """
    start, end = default_report_range()
    status = 200
    programmes = programme_choices(request)
    options = {"programmes": programmes, "everything": request.user.is_superuser}
    chosen = None
    if {"start", "end", "programme"} & set(request.GET):
        form = ReportRangeForm(request.GET, **options)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            chosen = form.cleaned_data["programme"] or None
        else:
            status = 400
    else:
        form = ReportRangeForm(initial={"start": start, "end": end}, **options)
    scope, covers = _report_scope(request, chosen)
    query = {"start": start, "end": end, **({"programme": chosen} if chosen else {})}
    if request.GET.get("format") == "csv" and status == 200:
        suppressed = _suppress_requested(request)
        report = build_report(start, end, scope=scope, exact=not suppressed)
        report.covers = covers
        name = "scheme-report-for-publication" if suppressed else "scheme-report"
        return csv_response(report.csv_rows(), f"{name}-{start}-to-{end}.csv")
    report = build_report(start, end, scope=scope, exact=True)
    report.covers = covers
    ctx = {
        **admin.site.each_context(request),
        "title": f"Report: {covers}" if covers else "Scheme report",
        "form": form,
        "report": report,
        "programme_query": urlencode({"programme": chosen}) if chosen else "",
        "csv_url": "?" + urlencode({**query, "format": "csv"}),
        "export_query": query,
        "pairs_url": reverse("admin-report-pairs") + "?" + urlencode(query)
        if request.user.has_perm(PAIRS_PERMISSION)
        else "",
        "trend_charts": [charts.column_chart(s, months=True) for s in report.trends],
        "end_reasons_chart": charts.bar_chart(report.end_reasons),
        "ratings_chart": charts.column_chart(report.ratings),
    }
    return TemplateResponse(request, "admin/reports.html", ctx, status=status)


# The per-pair export reads mentorships, so it asks for their view permission (the scheme
# coordinator group has it; mentoring.roles): no permission of its own, which would need a
# migration.
PAIRS_PERMISSION = "matching.view_mentorship"


@require_safe
def report_pairs(request):
    """The per-pair CSV for funders (GET start, end, programme, as the reports page): the
    person's programmes only, numbers and dates only (reports.pairs).

    Staff only (admin.site.admin_view in mentoring/urls.py) with PAIRS_PERMISSION.
    """
    if not request.user.has_perm(PAIRS_PERMISSION):
        raise PermissionDenied
    start, end = default_report_range()
    chosen = None
    if {"start", "end", "programme"} & set(request.GET):
        form = ReportRangeForm(
            request.GET,
            programmes=programme_choices(request),
            everything=request.user.is_superuser,
        )
        if not form.is_valid():
            errors = "; ".join(e for errs in form.errors.values() for e in errs)
            return HttpResponseBadRequest(
                f"The export was not made: {errors}", content_type="text/plain; charset=utf-8"
            )
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        chosen = form.cleaned_data["programme"] or None
    scope, _ = _report_scope(request, chosen)
    return csv_response(pair_rows(Period(start, end), scope), f"pairs-{start}-to-{end}.csv")
