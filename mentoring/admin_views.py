"""Staff pages inside the admin: the email preview."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from mentoring import previews


@staff_member_required
def email_previews(request):
    samples = previews.sample_contexts()
    kinds = [{"kind": k, "ready": k in samples} for k in previews.all_kinds()]
    selected = request.GET.get("kind") or next((k["kind"] for k in kinds if k["ready"]), None)
    email = previews.render_kind(selected) if selected in samples else None
    ctx = {
        **admin.site.each_context(request),
        "title": "Email previews",
        "kinds": kinds,
        "selected": selected,
        "email": email,
    }
    return render(request, "admin/email_previews.html", ctx)


@staff_member_required
@xframe_options_sameorigin
@csp_override(
    {
        "default-src": [CSP.NONE],
        "style-src": [CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:"],
        "frame-ancestors": [CSP.SELF],
    }
)
def email_preview_html(request, kind: str):
    """The HTML part alone, shown in an iframe: emails use inline styles, which the site's CSP
    forbids everywhere else."""
    if kind not in previews.sample_contexts():
        raise Http404("No such email.")
    return HttpResponse(previews.render_kind(kind).body_html)
