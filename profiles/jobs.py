"""The mentor profiles' scheduled job. Its beat task (profiles.tasks) and command are thin doors
to it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mentoring.models import SchemeSettings
from profiles import emails
from profiles.models import MentorProfile


@transaction.atomic
def ask_mentors_to_confirm(*, now: datetime | None = None) -> int:
    """Each year in the confirmation month, ask every approved mentor to confirm their profile is
    up to date; in the other recruitment months, remind those who have not confirmed for a
    year. Set-based and idempotent: a mentor is asked once a month at most."""
    now = now or timezone.now()
    cfg = SchemeSettings.load()
    local = timezone.localtime(now)
    annual = local.month == cfg.profile_confirmation_month
    if not annual and local.month not in cfg.recruitment_months:
        return 0
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    due = MentorProfile.objects.filter(
        review_status=MentorProfile.ReviewStatus.APPROVED, user__is_active=True
    ).filter(Q(confirmation_asked_at__isnull=True) | Q(confirmation_asked_at__lt=month_start))
    if annual:
        due = due.filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=month_start))
        kind = "profile_confirm"
    else:
        lapsed = now - timedelta(days=365)
        due = due.filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=lapsed))
        kind = "profile_lapsed"
    profiles = list(due.select_for_update(skip_locked=True, of=("self",)).select_related("user"))
    if not profiles:
        return 0
    MentorProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(confirmation_asked_at=now)
    return emails.profile_confirmation_requests(profiles, kind=kind, period=local.strftime("%Y-%m"))
