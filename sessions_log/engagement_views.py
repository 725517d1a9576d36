"""The informal pair's switch on its page: "Send us reminders and check-ins" (issue 14)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from matching import engagements
from matching.models import Mentorship
from matching.services import MatchingError


@login_required
@require_POST
def scheme_emails(request, pk: int):
    """Turn the scheme's reminders and check-ins on or off for an informal pair: either person
    may; anyone else gets a 404."""
    pair = get_object_or_404(Mentorship.objects.for_user(request.user), pk=pk)
    on = request.POST.get("on") == "1"
    try:
        engagements.set_scheme_emails(pair, by=request.user, on=on)
    except MatchingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("You will both get the scheme's reminders and check-ins.")
            if on
            else gettext("The scheme will not send you reminders or check-ins about this pair."),
        )
    return redirect(pair)
