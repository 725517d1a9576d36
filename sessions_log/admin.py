"""Objectives, meetings and check-ins for scheme administrators.

Private notes (MeetingPrivateNote) are deliberately not here, not even inline: only their
author ever sees them. Calendar feed tokens are not shown either.
"""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone

from mentoring import attention
from mentoring.admin_utils import AttentionFilter
from sessions_log.models import CheckIn, Meeting, Objective


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "mentorship", "status", "target_date", "achieved_on", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "mentorship__mentor__full_name", "mentorship__mentee__full_name"]
    list_select_related = ["mentorship__mentor", "mentorship__mentee"]
    raw_id_fields = ["mentorship", "created_by"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "mentorship", "status", "format", "duration_minutes"]
    list_filter = ["status", "format"]
    search_fields = ["mentorship__mentor__full_name", "mentorship__mentee__full_name"]
    list_select_related = ["mentorship__mentor", "mentorship__mentee"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["mentorship", "created_by"]
    filter_horizontal = ["objectives"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at", "cancelled_at"]
    show_full_result_count = False


class CheckInAttentionFilter(AttentionFilter):
    rules = {
        "recent": (
            "Rated low or asking for contact, last 30 days",
            lambda request: attention.worrying_check_in(
                since=timezone.now() - attention.RECENT_CHECK_INS
            ),
        ),
        "all": (
            "Rated low or asking for contact, any time",
            lambda request: attention.worrying_check_in(),
        ),
    }


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
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
