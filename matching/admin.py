from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timesince

from matching.models import Mentorship, MentorshipRequest, StatusChange
from mentoring.admin_utils import LargeTableAdminMixin


class HistoryInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ["mentee_name", "mentor_name", "status", "created_at", "waiting", "responded_at"]
    list_filter = ["status", "decline_reason", "created_at"]
    search_fields = ["mentee__full_name", "mentee__email", "mentor__full_name", "mentor__email"]
    list_select_related = ["mentee", "mentor"]
    autocomplete_fields = ["mentee", "mentor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [HistoryInline]
    # State changes go through matching.services (the site, or central matching): never by
    # editing the status here.
    readonly_fields = [
        "mentee",
        "mentor",
        "message",
        "status",
        "decline_reason",
        "response_message",
        "closing_note",
        "reminders_sent",
        "created_at",
        "responded_at",
        "withdrawn_at",
        "expired_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(ordering="mentee__full_name", description="mentee")
    def mentee_name(self, obj):
        return obj.mentee.full_name

    @admin.display(ordering="mentor__full_name", description="mentor")
    def mentor_name(self, obj):
        return obj.mentor.full_name

    @admin.display(description="waiting")
    def waiting(self, obj):
        if not obj.is_pending:
            return "–"
        return timesince(obj.created_at, timezone.now())


@admin.register(Mentorship)
class MentorshipAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ["mentor_name", "mentee_name", "status", "started_at", "ended_at", "end_reason"]
    list_filter = ["status", "end_reason", "started_at"]
    search_fields = ["mentee__full_name", "mentee__email", "mentor__full_name", "mentor__email"]
    list_select_related = ["mentee", "mentor"]
    date_hierarchy = "started_at"
    ordering = ["-started_at"]
    inlines = [HistoryInline]
    readonly_fields = [
        "mentor",
        "mentee",
        "request",
        "created_by",
        "status",
        "started_at",
        "ended_at",
        "ended_by",
        "end_reason",
        "end_message",
        "feedback_rating",
        "feedback_comment",
    ]

    def has_add_permission(self, request):
        return False  # central matching creates mentorships, under the scheme's rules

    @admin.display(ordering="mentee__full_name", description="mentee")
    def mentee_name(self, obj):
        return obj.mentee.full_name

    @admin.display(ordering="mentor__full_name", description="mentor")
    def mentor_name(self, obj):
        return obj.mentor.full_name
