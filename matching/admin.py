from __future__ import annotations

from django.contrib import admin
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.timesince import timesince

from matching.models import Mentorship, MentorshipRequest, RequestReport, StatusChange
from mentoring import attention
from mentoring.admin_utils import AttentionFilter, CsvExportMixin, LargeTableAdminMixin


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


class RequestAttentionFilter(AttentionFilter):
    rules = {
        "waiting": (
            "Waiting over a week",
            lambda request: attention.waiting_request(timezone.now()),
        ),
    }


class MentorshipAttentionFilter(AttentionFilter):
    rules = {
        "no_meeting": (
            "No meeting in 60 days",
            lambda request: attention.quiet_pair(timezone.now()),
        ),
    }


@admin.register(MentorshipRequest)
class MentorshipRequestAdmin(CsvExportMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ["mentee_name", "mentor_name", "status", "created_at", "waiting", "responded_at"]
    list_filter = [RequestAttentionFilter, "status", "decline_reason", "created_at"]
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

    actions = ["export_csv"]
    # The message is the mentee's letter to one mentor: not for a spreadsheet.
    csv_columns = [
        ("ID", "pk"),
        ("Mentee", "mentee_name"),
        ("Mentee email", "mentee.email"),
        ("Mentor", "mentor_name"),
        ("Mentor email", "mentor.email"),
        ("Status", "get_status_display"),
        ("Decline reason", "get_decline_reason_display"),
        ("Sent at", "created_at"),
        ("Reminders sent", "reminders_sent"),
        ("Responded at", "responded_at"),
        ("Withdrawn at", "withdrawn_at"),
        ("Expired at", "expired_at"),
    ]
    csv_select_related = ["mentee", "mentor"]

    def has_add_permission(self, request):
        return False

    @admin.display(ordering="mentee__full_name", description="mentee")
    def mentee_name(self, obj):
        return obj.mentee_name

    @admin.display(ordering="mentor__full_name", description="mentor")
    def mentor_name(self, obj):
        return obj.mentor_name

    @admin.display(description="waiting")
    def waiting(self, obj):
        if not obj.is_pending:
            return "–"
        return timesince(obj.created_at, timezone.now())


@admin.register(Mentorship)
class MentorshipAdmin(CsvExportMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "mentor_name",
        "mentee_name",
        "status",
        "started_at",
        "last_meeting",
        "ended_at",
        "end_reason",
    ]
    list_filter = [MentorshipAttentionFilter, "status", "end_reason", "started_at"]
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

    actions = ["export_csv"]
    # Private meeting notes are never exported (nor shown in the admin); the feedback at the
    # end is written for the scheme team.
    csv_columns = [
        ("ID", "pk"),
        ("Mentor", "mentor_name"),
        ("Mentor email", "mentor.email"),
        ("Mentee", "mentee_name"),
        ("Mentee email", "mentee.email"),
        ("Status", "get_status_display"),
        ("Started at", "started_at"),
        ("Matched centrally by", "created_by.full_name"),
        ("Last meeting held", "last_held"),
        ("Ended at", "ended_at"),
        ("End reason", "get_end_reason_display"),
        ("Feedback rating", "feedback_rating"),
        ("Feedback for the scheme team", "feedback_comment"),
    ]
    csv_select_related = ["mentor", "mentee", "created_by"]

    def get_queryset(self, request):
        from sessions_log.models import Meeting

        last_held = (
            Meeting.objects.held()
            .filter(mentorship=OuterRef("pk"))
            .order_by()
            .values("mentorship")
            .annotate(last=Max("starts_at"))
            .values("last")
        )
        return super().get_queryset(request).annotate(last_held=Subquery(last_held))

    def has_add_permission(self, request):
        return False  # central matching creates mentorships, under the scheme's rules

    @admin.display(description="last meeting held")
    def last_meeting(self, obj):
        return obj.last_held

    @admin.display(ordering="mentee__full_name", description="mentee")
    def mentee_name(self, obj):
        return obj.mentee_name

    @admin.display(ordering="mentor__full_name", description="mentor")
    def mentor_name(self, obj):
        return obj.mentor_name


@admin.register(RequestReport)
class RequestReportAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    """Requests mentors reported as inappropriate. Read-only: matching.services writes reports
    (and closes the request) when a mentor sends one."""

    list_display = ["created_at", "mentor_name", "mentee_name", "request_status", "reason_start"]
    list_filter = ["created_at", "request__status"]
    search_fields = [
        "request__mentee__full_name",
        "request__mentee__email",
        "request__mentor__full_name",
        "request__mentor__email",
    ]
    list_select_related = ["request__mentee", "request__mentor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = ["created_at", "reported_by", "reason", "request", "request_message"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(ordering="request__mentor__full_name", description="mentor")
    def mentor_name(self, obj):
        return obj.request.mentor_name

    @admin.display(ordering="request__mentee__full_name", description="mentee")
    def mentee_name(self, obj):
        return obj.request.mentee_name

    @admin.display(description="request")
    def request_status(self, obj):
        return obj.request.get_status_display()

    @admin.display(description="what was inappropriate")
    def reason_start(self, obj):
        return obj.reason if len(obj.reason) <= 80 else f"{obj.reason[:79]}…"

    @admin.display(description="the mentee's message")
    def request_message(self, obj):
        return obj.request.message
