"""Mentorships, objectives, meetings and check-ins for scheme administrators.

The mentorships' admin lives here rather than in matching: its list shows each pair's last
meeting and finds the pairs that stopped meeting, and matching sits below the sessions log.
Private notes (MeetingPrivateNote) are deliberately not here, not even inline: only their
author ever sees them. Calendar feed tokens are not shown either.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from matching.admin import HistoryInline
from matching.models import Mentorship
from mentoring.admin_utils import (
    AttentionFilter,
    CsvExportMixin,
    LargeTableAdminMixin,
    ProgrammeScopedMixin,
)
from mentoring.admin_widgets import LabelledCheckboxSelectMultiple
from sessions_log import selectors
from sessions_log.models import CheckIn, Meeting, Objective


class MentorshipAttentionFilter(AttentionFilter):
    rules = {
        "no_meeting": (
            "No meeting in 60 days",
            lambda request: selectors.quiet_pair(timezone.now()),
        ),
    }


@admin.register(Mentorship)
class MentorshipAdmin(ProgrammeScopedMixin, CsvExportMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "mentor_name",
        "mentee_name",
        "programme",
        "status",
        "started_at",
        "last_meeting",
        "ended_at",
        "end_reason",
    ]
    list_filter = [MentorshipAttentionFilter, "status", "end_reason", "started_at"]
    search_fields = ["mentee__full_name", "mentee__email", "mentor__full_name", "mentor__email"]
    list_select_related = ["mentee", "mentor", "programme"]
    date_hierarchy = "started_at"
    ordering = ["-started_at"]
    inlines = [HistoryInline]
    readonly_fields = [
        "mentor",
        "mentee",
        "programme",
        "round",
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
        ("Programme", "programme.name"),
        ("Status", "get_status_display"),
        ("Started at", "started_at"),
        ("Matched centrally by", "created_by.full_name"),
        ("Last meeting held", "last_held"),
        ("Ended at", "ended_at"),
        ("End reason", "get_end_reason_display"),
        ("Feedback rating", "feedback_rating"),
        ("Feedback for the scheme team", "feedback_comment"),
    ]
    csv_select_related = ["mentor", "mentee", "created_by", "programme"]

    def get_queryset(self, request):
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


@admin.register(Objective)
class ObjectiveAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    programme_lookup = "mentorship__programme"
    list_display = ["title", "mentorship", "status", "target_date", "achieved_on", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "mentorship__mentor__full_name", "mentorship__mentee__full_name"]
    list_select_related = ["mentorship__mentor", "mentorship__mentee"]
    raw_id_fields = ["mentorship", "created_by"]
    # The pair moves an objective along on their plan (sessions_log.services), never the admin.
    readonly_fields = ["status", "achieved_on", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Meeting)
class MeetingAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    programme_lookup = "mentorship__programme"
    list_display = ["starts_at", "mentorship", "status", "format", "duration_minutes"]
    list_filter = ["status", "format"]
    search_fields = ["mentorship__mentor__full_name", "mentorship__mentee__full_name"]
    list_select_related = ["mentorship__mentor", "mentorship__mentee"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["mentorship", "created_by"]
    # Ticks, not the two-box filter: its selects have no accessible name.
    formfield_overrides = {models.ManyToManyField: {"widget": LabelledCheckboxSelectMultiple}}
    # Planning, holding and cancelling go through sessions_log.services, never the admin.
    readonly_fields = ["status", "uid", "sequence", "created_at", "updated_at", "cancelled_at"]
    show_full_result_count = False


class CheckInAttentionFilter(AttentionFilter):
    rules = {
        "recent": (
            "Rated low or asking for contact, last 30 days",
            lambda request: selectors.worrying_check_in(
                since=timezone.now() - selectors.RECENT_CHECK_INS
            ),
        ),
        "all": (
            "Rated low or asking for contact, any time",
            lambda request: selectors.worrying_check_in(),
        ),
    }


@admin.register(CheckIn)
class CheckInAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    programme_lookup = "mentorship__programme"
    list_display = [
        "person",
        "mentorship",
        "kind",
        "sent_at",
        "answered_at",
        "rating",
        "wants_contact",
    ]
    list_filter = [
        CheckInAttentionFilter,
        "kind",
        "rating",
        "wants_contact",
        ("answered_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["person__full_name", "person__email"]
    list_select_related = ["person", "mentorship__mentor", "mentorship__mentee"]
    raw_id_fields = ["mentorship", "person"]
    readonly_fields = ["created_at", "sent_at", "answered_at", "rating", "comment", "wants_contact"]
    exclude = ["token"]
    show_full_result_count = False
    # The answer page's address is the token: "View on site" would hand it to staff, and a URL
    # filter on it (?token__startswith=...) would reveal it one character at a time.
    view_on_site = False

    def lookup_allowed(self, lookup, value, request):
        if lookup.split(LOOKUP_SEP, 1)[0] == "token":
            return False
        return super().lookup_allowed(lookup, value, request)
