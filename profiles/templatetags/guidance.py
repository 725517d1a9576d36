"""Handbook pages linked at the moment they matter, and the training that waits, as tags.

    {% load guidance %}
    {% handbook_links programme "request" %}            a request page
    {% handbook_links mentorship.programme "start first_meeting" held_meetings=n %}
    {% handbook_links programme "ending" absolute=True %}     an HTML email
    {% handbook_links programme "start" text=True %}          a plain-text email
    {% training_due %}                                  home and profile pages
    {% programme_guidance programme %}                  a programme's page

`programme` may be one programme, None, or several (a queryset or a list).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from profiles import handbook, training
from profiles.models import HandbookPage, Membership, Programme

register = template.Library()


def _programmes(value) -> list[Programme]:
    if value is None or value == "":
        return []
    if isinstance(value, Model):
        return [value]
    return list(value)


@register.simple_tag
def handbook_links(
    programmes, moments: str, held_meetings=0, absolute: bool = False, text: bool = False
) -> SafeString | str:
    """Links to the handbook pages of `programmes` for `moments` (space-separated); "Before
    your first meeting" pages only while the pair has held none."""
    wanted = [m for m in str(moments).split() if m in HandbookPage.Moment.values]
    if held_meetings:
        wanted = [m for m in wanted if m != HandbookPage.Moment.FIRST_MEETING]
    pages = handbook.pages_at(_programmes(programmes), wanted)
    if not pages:
        return ""
    prefix = settings.SITE_URL if absolute or text else ""
    links = [
        {
            "page": page,
            "url": prefix
            + reverse("profiles:handbook-page", args=[page.programme.slug, page.slug]),
        }
        for page in pages
    ]
    if text:
        return render_to_string("emails/_handbook_links.txt", {"links": links})
    template = (
        "emails/_handbook_links.html" if absolute else "profiles/includes/handbook_links.html"
    )
    return mark_safe(render_to_string(template, {"links": links}))  # noqa: S308 - autoescaped


@register.inclusion_tag("profiles/includes/training_due.html", takes_context=True)
def training_due(context, programme=None, memberships=None) -> dict:
    """The training the signed-in person still has to do before approval or matching, across
    their programmes (or in `programme`). A page that has read the person's current
    memberships (with their programmes) passes them, saving the query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notices": []}
    if memberships is None:
        memberships = Membership.objects.current().filter(user=user).select_related("programme")
        if programme is not None:
            memberships = memberships.filter(programme=programme)
    elif programme is not None:
        memberships = [m for m in memberships if m.programme_id == programme.pk]
    return {"notices": training.due_notices(user, memberships)}


@register.inclusion_tag("profiles/includes/programme_guidance.html", takes_context=True)
def programme_guidance(context, programme) -> dict:
    """On a programme's page: its training for the person and a link to its handbook, for its
    members and coordinators."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not handbook.may_read(user, programme):
        return {"show": False}
    trainings = list(programme.trainings.order_by("position", "name"))
    pages = list(handbook.pages_for(programme)[:8])
    return {
        "show": bool(trainings or pages),
        "programme": programme,
        "trainings": trainings,
        "pages": pages,
    }
