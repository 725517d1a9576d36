"""Changes the scheme team makes to a mentor's own words, recorded field by field and shown to
the mentor on their profile page until they have read them: a review never rewrites someone's
profile in silence."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profiles.forms import MentorProfileForm
from profiles.models import MentorProfile, ProfileEdit

# Fields the mentor writes on their own form; staff changes to these are recorded. Review and
# visibility fields have their own trail (review notes, the history of requests closed).
MENTOR_WRITTEN = frozenset(MentorProfileForm.Meta.fields)
SHOWN_FOR_DAYS = 90


def _raw(value):
    """A value as stored in the record: codes and plain data, turned into words in the
    reader's language only when the page is shown (labels frozen at record time would stay in
    the language of whoever edited)."""
    if value in (None, "", [], ()):
        return ""
    if hasattr(value, "url") and hasattr(value, "name"):  # a stored photo
        return "photo" if value.name else ""
    if hasattr(value, "read"):  # a new upload
        return "photo"
    if isinstance(value, (list, tuple)) or hasattr(value, "model"):  # arrays, areas
        return sorted(str(item) for item in value)
    if hasattr(value, "code"):  # a country
        return value.code
    return value if isinstance(value, (int, float, bool)) else str(value)


def changes(form: forms.ModelForm) -> list[dict]:
    """What a staff member's bound, valid admin form changes in the mentor's words."""
    found = []
    for name in form.changed_data:
        if name not in MENTOR_WRITTEN or name not in form.fields:
            continue
        before = _raw(form[name].initial)
        after = "" if form.cleaned_data.get(name) is False else _raw(form.cleaned_data.get(name))
        if before != after:
            found.append({"field": name, "before": before, "after": after})
    return found


def record(profile: MentorProfile, *, by, form: forms.ModelForm) -> ProfileEdit | None:
    """Record the changes `by` made to someone else's profile (none for one's own)."""
    return _record(profile, by, lambda: changes(form))


def _record(profile: MentorProfile, by, found) -> ProfileEdit | None:
    if by is not None and by.pk == profile.user_id:
        return None
    lines = found()
    return ProfileEdit.objects.create(profile=profile, by=by, changes=lines) if lines else None


# The job history, edited in the admin's inline beneath the profile: one change per entry added,
# changed or removed, each entry written as one line.
JOB_HISTORY = "job_history"


def _job_line(data: dict) -> str:
    if not data.get("title") and not data.get("organisation"):
        return ""
    start, end = data.get("start_year") or "", data.get("end_year") or ""
    line = f"{data.get('title', '')}, {data.get('organisation', '')} ({start}–{end})"
    return f"{line}: {data['description']}" if data.get("description") else line


def job_history_changes(formset: forms.BaseFormSet) -> list[dict]:
    """What a staff member's valid job-history inline changes: entries added, changed, removed."""
    deleted = set(map(id, formset.deleted_forms)) if formset.can_delete else set()
    found = []
    for form in formset.forms:
        removed = id(form) in deleted
        if not form.has_changed() and not removed:
            continue
        before = _job_line(form.initial) if form.instance.pk else ""
        after = "" if removed else _job_line(form.cleaned_data)
        if before != after:
            found.append({"field": JOB_HISTORY, "before": before, "after": after})
    return found


def record_job_history(
    profile: MentorProfile, *, by, formset: forms.BaseFormSet
) -> ProfileEdit | None:
    """Record the job-history entries `by` changed on someone else's profile."""
    return _record(profile, by, lambda: job_history_changes(formset))


def _words(field: forms.Field | None, value) -> str:
    if value in ("", [], None):
        return ""
    if value == "photo" and isinstance(field, forms.FileField):
        return str(_("a photo"))
    choices = {str(key): label for key, label in getattr(field, "choices", None) or ()}
    if isinstance(field, forms.ModelMultipleChoiceField):
        choices = {}  # area names are stored as shown
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(str(value), value))


def readable(edits: list[ProfileEdit]) -> list[ProfileEdit]:
    """Each edit with `.lines`: label, before and after in the reader's language, worded by the
    mentor's own form (its labels and choices)."""
    fields = MentorProfileForm.base_fields
    for edit in edits:
        edit.lines = []
        for change in edit.changes:
            field = fields.get(change.get("field"))
            if change.get("field") == JOB_HISTORY:
                label = _("Job history")
            else:
                label = field.label if field is not None and field.label else change.get("field")
            edit.lines.append(
                {
                    "label": str(label),
                    "before": _words(field, change.get("before")),
                    "after": _words(field, change.get("after")),
                }
            )
    return edits


def unseen(profile: MentorProfile) -> QuerySet[ProfileEdit]:
    since = timezone.now() - timedelta(days=SHOWN_FOR_DAYS)
    return profile.staff_edits.filter(seen_at__isnull=True, at__gte=since).order_by("at")


@login_required
@require_POST
def mark_seen(request):
    """ "Thank you, I have read this": the notice goes from the mentor's page."""
    profile = MentorProfile.objects.filter(user=request.user).first()
    if profile is not None:
        profile.staff_edits.filter(seen_at__isnull=True).update(seen_at=timezone.now())
    return redirect("profiles:mentor-edit")
