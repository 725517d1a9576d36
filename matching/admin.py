"""Requests, reports and the mentees' admin, which runs central matching.

The mentees' admin lives here rather than in profiles: it shows who has a mentor now and creates
mentorships, and profiles sits below matching.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, IntegerField
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from matching import selectors, services
from matching.models import MentorshipRequest, RequestReport, StatusChange
from mentoring.admin_utils import AttentionFilter, CsvExportMixin, LargeTableAdminMixin
from mentoring.models import SchemeSettings
from profiles.admin import ProfileOwnerMixin
from profiles.models import ExpertiseArea, MenteeProfile, MentorProfile


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
            lambda request: selectors.waiting_request(timezone.now()),
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


class MenteeAttentionFilter(AttentionFilter):
    rules = {
        "unmatched": (
            "No mentor after the scheme's alert weeks",
            lambda request: selectors.unmatched_mentee(
                timezone.now(), SchemeSettings.load().unmatched_alert_weeks
            ),
        ),
        "no_mentor": ("No mentor now", lambda request: ~selectors.with_mentor()),
    }

    def lookups(self, request, model_admin):
        weeks = SchemeSettings.load().unmatched_alert_weeks
        return [("unmatched", f"No mentor after {weeks} weeks"), ("no_mentor", "No mentor now")]


@admin.register(MenteeProfile)
class MenteeProfileAdmin(ProfileOwnerMixin, CsvExportMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "role", "stage", "created_at", "has_mentor", "match_link"]
    list_filter = [MenteeAttentionFilter]
    search_fields = ["user__full_name", "user__email", "role", "goals"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    # Plain labelled checkboxes for the areas: the admin's select2 tag box and two-box widget
    # fail axe's checks (an unlabelled search field, prohibited ARIA).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
    actions = ["export_csv"]
    csv_columns = [
        ("ID", "pk"),
        ("Name", "user.full_name"),
        ("Email", "user.email"),
        ("Course, department or role", "role"),
        ("Stage", "stage"),
        ("Areas", "areas"),
        ("Has a mentor now", "has_active_mentor"),
        ("Created at", "created_at"),
    ]
    csv_select_related = ["user"]
    csv_prefetch_related = ["areas"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(has_active_mentor=selectors.has_active_mentorship())
        )

    @admin.display(ordering="user__full_name")
    def name(self, obj):
        return obj.user.full_name

    @admin.display(boolean=True, description="mentor now")
    def has_mentor(self, obj):
        return obj.has_active_mentor

    def has_match_permission(self, request) -> bool:
        """Central matching reads the mentee and creates a mentorship."""
        return self.has_view_permission(request) and request.user.has_perm(
            "matching.add_mentorship"
        )

    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        if self.has_match_permission(request):
            return list_display
        return [name for name in list_display if name != "match_link"]

    @admin.display(description="central matching")
    def match_link(self, obj):
        url = reverse("admin:profiles_menteeprofile_match", args=[obj.pk])
        return format_html('<a href="{}">Find a mentor</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/match/",
                self.admin_site.admin_view(self.match_view),
                name="profiles_menteeprofile_match",
            ),
            *super().get_urls(),
        ]

    def match_view(self, request, pk: int):
        """Central matching: suggested mentors for one mentee, matched under the same rules as
        a mentee's own request."""
        if not self.has_match_permission(request):
            raise PermissionDenied
        mentee_profile = get_object_or_404(MenteeProfile.objects.select_related("user"), pk=pk)
        if request.method == "POST":
            mentor = get_object_or_404(
                MentorProfile.objects.select_related("user"), pk=request.POST.get("mentor")
            )
            try:
                mentorship = services.create_mentorship(
                    mentor=mentor.user, mentee=mentee_profile.user, by=request.user
                )
            except services.MatchingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Matched {mentee_profile.user.full_name} with {mentor.user.full_name}; "
                    "both have been emailed an introduction.",
                    messages.SUCCESS,
                )
                return redirect("admin:matching_mentorship_change", mentorship.pk)
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Find a mentor for {mentee_profile.user.full_name}",
            "mentee_profile": mentee_profile,
            "wanted": list(mentee_profile.areas.all()),
            "suggestions": suggested_mentors(mentee_profile),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/profiles/match.html", ctx)


def suggested_mentors(mentee_profile: MenteeProfile, limit: int = 25) -> list[MentorProfile]:
    """Approved, active mentors with a free place, most shared areas first."""
    wanted = sorted(mentee_profile.areas.values_list("pk", flat=True))
    qs = (
        MentorProfile.objects.listed()
        .with_free_place()
        .exclude(user=mentee_profile.user)
        .select_related("user")
        .defer("search_vector")
    )
    if wanted:
        qs = qs.filter(area_ids__overlap=wanted).annotate(
            shared=RawSQL(
                "cardinality(ARRAY(SELECT unnest(profiles_mentorprofile.area_ids) "
                "INTERSECT SELECT unnest(%s::bigint[])))",
                (wanted,),
                output_field=IntegerField(),
            )
        )
        ordering = ["-shared", F("confirmed_at").desc(nulls_last=True)]
    else:
        ordering = [F("confirmed_at").desc(nulls_last=True)]
    mentors = list(qs.order_by(*ordering)[:limit])
    names = dict(ExpertiseArea.objects.values_list("pk", "name"))
    for mentor in mentors:
        mentor.shared_names = [names[i] for i in mentor.area_ids if i in wanted and i in names]
        mentor.places_left_now = mentor.places_left
    return mentors
