"""Requests the scheme closed (the mentee was matched elsewhere; the mentor left the
programme) were recorded as withdrawals: they become "closed" with their reason, so neither the
mentee's list nor the reports count them as withdrawn by the mentee."""

from django.db import migrations
from django.db.models import Q

MATCHED_NOTE = "The mentee has been matched with a mentor."


def forwards(apps, schema_editor):
    Request = apps.get_model("matching", "MentorshipRequest")
    StatusChange = apps.get_model("matching", "StatusChange")
    scheme_closed = Request.objects.filter(status="withdrawn", closing_note__gt="")
    matched = scheme_closed.filter(closing_note=MATCHED_NOTE)
    left = scheme_closed.filter(closing_note__contains="has stepped back from mentoring in")
    for qs, reason in ((matched, "matched_elsewhere"), (left, "mentor_left")):
        ids = list(qs.values_list("pk", flat=True))
        for req in Request.objects.filter(pk__in=ids):
            req.status, req.close_reason = "closed", reason
            req.closed_at, req.withdrawn_at = req.withdrawn_at, None
            req.save(update_fields=["status", "close_reason", "closed_at", "withdrawn_at"])
        StatusChange.objects.filter(request_id__in=ids, to_status="withdrawn", actor=None).update(
            to_status="closed"
        )


def backwards(apps, schema_editor):
    Request = apps.get_model("matching", "MentorshipRequest")
    StatusChange = apps.get_model("matching", "StatusChange")
    # Only the two closes this migration made: a request closed later for another reason (the
    # mentor went away or hid, it expired) was never a withdrawal.
    closed = Request.objects.filter(
        status="closed", close_reason__in=["matched_elsewhere", "mentor_left"]
    )
    ids = list(closed.values_list("pk", flat=True))
    for req in Request.objects.filter(pk__in=ids):
        req.status, req.close_reason = "withdrawn", ""
        req.withdrawn_at, req.closed_at = req.closed_at, None
        req.save(update_fields=["status", "close_reason", "closed_at", "withdrawn_at"])
    StatusChange.objects.filter(Q(request_id__in=ids), to_status="closed").update(
        to_status="withdrawn"
    )


class Migration(migrations.Migration):
    dependencies = [("matching", "0013_engagements_agreements_honest_statuses")]

    operations = [migrations.RunPython(forwards, backwards)]
