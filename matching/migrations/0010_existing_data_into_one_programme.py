"""Existing data moves into one programme made from the scheme's settings (Programmes).

An installation with no data yet gets no programme: its administrator (or seed_demo) creates
them. One with data gets one programme holding every profile, request and mentorship, with the
rules the scheme ran on, and the scheme coordinators as its coordinators.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

RULES = (
    "default_capacity",
    "max_pending_requests",
    "request_first_reminder_days",
    "request_second_reminder_days",
    "request_expiry_days",
    "no_meeting_nudge_days",
    "meeting_reminder_days",
    "check_in_first_weeks",
    "check_in_second_months",
    "profile_confirmation_month",
    "unmatched_alert_weeks",
)


def forwards(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    MenteeProfile = apps.get_model("profiles", "MenteeProfile")
    Programme = apps.get_model("profiles", "Programme")
    Membership = apps.get_model("profiles", "Membership")
    Request = apps.get_model("matching", "MentorshipRequest")
    Mentorship = apps.get_model("matching", "Mentorship")
    SchemeSettings = apps.get_model("mentoring", "SchemeSettings")
    Group = apps.get_model("auth", "Group")
    if not (
        MentorProfile.objects.exists()
        or MenteeProfile.objects.exists()
        or Request.objects.exists()
        or Mentorship.objects.exists()
    ):
        return
    scheme = SchemeSettings.objects.filter(pk=1).first()
    rules = {name: getattr(scheme, name) for name in RULES} if scheme else {}
    if scheme is None:
        rules["default_capacity"] = settings.SCHEME_DEFAULT_CAPACITY
        rules["max_pending_requests"] = settings.SCHEME_MAX_PENDING_REQUESTS
    name = settings.SCHEME_NAME
    programme = Programme.objects.create(
        name=name,
        slug=slugify(name)[:60] or "mentoring",
        summary=f"The {name}.",
        status="open",
        matching="both",
        mentor_approval_required=settings.SCHEME_MENTOR_APPROVAL_REQUIRED,
        mentor_training_required=bool(scheme and scheme.training_required),
        max_active_mentorships=settings.SCHEME_MAX_ACTIVE_MENTORSHIPS,
        **rules,
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(
            user_id=user_id,
            programme=programme,
            role="mentor",
            status="approved" if status == "approved" else "pending",
            joined_at=created_at,
            approved_at=(approved_at or now) if status == "approved" else None,
        )
        for user_id, status, created_at, approved_at in MentorProfile.objects.values_list(
            "user_id", "review_status", "created_at", "approved_at"
        )
    )
    Membership.objects.bulk_create(
        Membership(
            user_id=user_id,
            programme=programme,
            role="mentee",
            status="approved",
            joined_at=created_at,
            approved_at=created_at,
        )
        for user_id, created_at in MenteeProfile.objects.values_list("user_id", "created_at")
    )
    MentorProfile.objects.filter(review_status="approved").update(programme_ids=[programme.pk])
    Request.objects.update(programme=programme)
    Mentorship.objects.update(programme=programme)
    group = Group.objects.filter(name="Scheme coordinator").first()
    if group is not None:
        programme.coordinators.set(group.user_set.filter(is_staff=True, is_superuser=False))


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0009_programme"),
        ("profiles", "0010_programmes"),
        ("mentoring", "0008_outbox_sending_claim"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
