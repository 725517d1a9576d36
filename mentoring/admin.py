from django.contrib import admin

from mentoring.models import Outbox


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

    @admin.action(description="Retry the selected failed or queued emails now")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        count = queryset.exclude(status=Outbox.Status.SENT).update(
            status=Outbox.Status.QUEUED, next_attempt_at=timezone.now(), queued_at=None, attempts=0
        )
        self.message_user(request, f"{count} emails will be sent by the next sweep.")
