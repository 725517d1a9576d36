"""A mentee's shortlist pages: the list, and saving or removing a mentor (POST, no JavaScript
needed). Only the mentee sees any of it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from profiles import shortlist
from profiles.models import MenteeProfile


def _back(request, fallback: str, *args):
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(fallback, *args)


@login_required
@require_safe
def shortlist_page(request):
    has_profile = MenteeProfile.objects.filter(user=request.user).exists()
    entries = shortlist.entries_for(request.user) if has_profile else []
    listed = shortlist.still_listed_for(request.user, entries) if entries else set()
    rows = [
        {"entry": e, "mentor": e.mentor_profile, "listed": e.mentor_profile_id in listed}
        for e in entries
    ]
    ctx = {"has_profile": has_profile, "rows": rows}
    return render(request, "profiles/shortlist.html", ctx)


@login_required
@require_POST
def shortlist_save(request, pk: int):
    mentor = shortlist.saveable_mentor(request.user, pk)
    if mentor is None:
        raise Http404("No such mentor.")
    try:
        shortlist.save(request.user, mentor)
    except shortlist.ShortlistError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext(
                "%(name)s is on your shortlist. Only you can see it: %(short_name)s is not told."
            )
            % {"name": mentor.user.full_name, "short_name": mentor.user.get_short_name()},
        )
    return _back(request, "matching:mentor-detail", pk)


@login_required
@require_POST
def shortlist_remove(request, pk: int):
    # Only ever the viewer's own entry: another mentee's shortlist cannot be reached.
    if shortlist.remove(request.user, pk):
        messages.success(request, gettext("Removed from your shortlist."))
    return _back(request, "profiles:shortlist")
