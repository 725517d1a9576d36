from django.contrib import admin
from django.db.models import Q

from mentoring.models import Outbox, SchemeSettings


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to_email", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Retry the selected failed or queued emails now", permissions=["change"]
    )
    def retry_now(self, request, queryset):
        from django.utils import timezone

        # Only emails whose sending failed: never a sent one (twice), a cancelled one, or one
        # held on purpose (a retry now would end its hold early).
        retryable = Q(status=Outbox.Status.FAILED) | Q(status=Outbox.Status.QUEUED, attempts__gt=0)
        count = queryset.filter(retryable).update(
            status=Outbox.Status.QUEUED, next_attempt_at=timezone.now(), queued_at=None, attempts=0
        )
        self.message_user(request, f"{count} emails will be sent by the next sweep.")


@admin.register(SchemeSettings)
class SchemeSettingsAdmin(admin.ModelAdmin):
    actions = None  # one record, never deleted: its list is only a way to it
    fieldsets = [
        (
            "Requests",
            {
                "fields": [
                    "request_first_reminder_days",
                    "request_second_reminder_days",
                    "request_expiry_days",
                    "max_pending_requests",
                ]
            },
        ),
        (
            "Mentors",
            {
                "fields": [
                    "default_capacity",
                    "training_required",
                    "profile_confirmation_month",
                    "recruitment_months",
                ]
            },
        ),
        (
            "Mentorships",
            {
                "fields": [
                    "no_meeting_nudge_days",
                    "meeting_reminder_days",
                    "check_in_first_weeks",
                    "check_in_second_months",
                ]
            },
        ),
        ("Needs attention", {"fields": ["unmatched_alert_weeks"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SchemeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One record: go straight to it.
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect

        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings_row = SchemeSettings.load()
        return redirect("admin:mentoring_schemesettings_change", settings_row.pk)
