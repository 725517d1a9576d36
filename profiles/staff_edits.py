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
from django.views.decorators.http import require_POST

from profiles.models import MentorProfile, ProfileEdit

# Fields the mentor writes on their own form; staff changes to these are recorded. Review and
# visibility fields have their own trail (review notes, the history of requests closed).
MENTOR_WRITTEN = (
    "photo",
    "headline",
    "job_title",
    "organisation",
    "industry",
    "department",
    "city",
    "country",
    "languages",
    "course",
    "graduation_year",
    "key_areas",
    "moves_experience",
    "areas",
    "help_offered",
    "formats",
    "frequency",
    "capacity",
)
SHOWN_FOR_DAYS = 90


def _shown(field: forms.Field, value) -> str:
    """A value as the mentor would read it: labels, not stored codes."""
    if value in (None, "", [], ()):
        return ""
    if hasattr(value, "name") and hasattr(value, "url"):  # a photo
        return value.name and "a photo" or ""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(sorted(str(item) for item in value))
    choices = dict(getattr(field, "choices", None) or ())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value) if choices else value)


def changes(form: forms.ModelForm) -> list[dict[str, str]]:
    """What a staff member's bound, valid admin form changes in the mentor's words."""
    found = []
    for name in form.changed_data:
        if name not in MENTOR_WRITTEN or name not in form.fields:
            continue
        field = form.fields[name]
        before = _shown(field, form[name].initial)
        after = _shown(field, form.cleaned_data.get(name))
        if name == "photo":
            after = "" if form.cleaned_data.get(name) is False else "a new photo"
        if before == after:
            continue
        found.append(
            {"field": name, "label": str(field.label or name), "before": before, "after": after}
        )
    return found


def record(profile: MentorProfile, *, by, form: forms.ModelForm) -> ProfileEdit | None:
    """Record the changes `by` made to someone else's profile (none for one's own)."""
    if by is not None and by.pk == profile.user_id:
        return None
    found = changes(form)
    if not found:
        return None
    return ProfileEdit.objects.create(profile=profile, by=by, changes=found)


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
