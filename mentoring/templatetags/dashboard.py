"""{% programme_dashboard %}: the programme dashboard on the admin's index, above its list of
models (mentoring.backoffice.dashboard). The admin's index is staff only (admin_view)."""

from django import template

from mentoring.backoffice.dashboard import build_dashboard

register = template.Library()


@register.inclusion_tag("admin/dashboard.html", takes_context=True)
def programme_dashboard(context):
    return {"dashboard": build_dashboard(context["request"])}
