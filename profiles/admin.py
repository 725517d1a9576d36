from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse

from mentoring.admin_utils import CsvExportMixin, LargeTableAdminMixin
from profiles import services
from profiles.models import ExpertiseArea, JobHistoryEntry, MentorProfile


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "mentors", "mentees"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                mentor_count=Count("mentor_profiles", distinct=True),
                mentee_count=Count("mentee_profiles", distinct=True),
            )
        )

    @admin.display(ordering="mentor_count")
    def mentors(self, obj):
        return obj.mentor_count

    @admin.display(ordering="mentee_count")
    def mentees(self, obj):
        return obj.mentee_count


class JobHistoryInline(admin.StackedInline):
    # Stacked, not tabular: a tabular inline's inputs have no labels of their own.
    model = JobHistoryEntry
    extra = 0
    fields = ["title", "organisation", "start_year", "end_year", "description"]


class ReviewStatusFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        # "Waiting for review" is the queue: listed once, first.
        return [
            ("queue", "Waiting for review"),
            *[
                choice
                for choice in MentorProfile.ReviewStatus.choices
                if choice[0] != MentorProfile.ReviewStatus.SUBMITTED
            ],
        ]

    def queryset(self, request, queryset):
        if self.value() == "queue":
            return queryset.filter(review_status=MentorProfile.ReviewStatus.SUBMITTED)
        if self.value() in MentorProfile.ReviewStatus.values:
            return queryset.filter(review_status=self.value())
        return queryset


class ProfileOwnerMixin:
    """A profile is one person's for good: the admin chooses the person only when adding it."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "user"] if obj is not None else readonly


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label="What should the mentor change?",
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        max_length=2000,
        help_text="Emailed to each selected mentor and shown on their profile page.",
    )


@admin.register(MentorProfile)
class MentorProfileAdmin(ProfileOwnerMixin, CsvExportMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "job_title",
        "organisation",
        "review_status",
        "is_active",
        "places",
        "training_completed_on",
        "confirmed_at",
        "submitted_at",
    ]
    list_filter = [ReviewStatusFilter, "is_active", "industry", "training_completed_on"]
    search_fields = ["user__full_name", "user__email", "organisation", "job_title"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    # Plain labelled checkboxes for the areas: the admin's select2 tag box and two-box widget
    # fail axe's checks (an unlabelled search field, prohibited ARIA).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    # No date_hierarchy: its list of years reads every one of 100,000 profiles on each view.
    ordering = ["-submitted_at"]
    inlines = [JobHistoryInline]
    actions = ["approve", "request_changes", "export_csv"]
    csv_columns = [
        ("ID", "pk"),
        ("Name", "user.full_name"),
        ("Email", "user.email"),
        ("Job title", "job_title"),
        ("Organisation", "organisation"),
        ("Industry", "get_industry_display"),
        ("Department", "department"),
        ("Country", "country.name"),
        ("Areas", "areas"),
        ("Review", "get_review_status_display"),
        ("Visible to mentees", "is_active"),
        ("Capacity", "capacity"),
        ("Current mentees", "mentee_count"),
        ("Training completed on", "training_completed_on"),
        ("Submitted at", "submitted_at"),
        ("Approved at", "approved_at"),
        ("Confirmed up to date at", "confirmed_at"),
        ("Created at", "created_at"),
    ]
    csv_select_related = ["user"]
    csv_prefetch_related = ["areas"]
    readonly_fields = [
        "review_status",
        "review_note",
        "reviewed_by",
        "mentee_count",
        "submitted_at",
        "approved_at",
        "confirmed_at",
        "confirmation_asked_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["user", "headline", "job_title", "organisation", "industry"]}),
        (
            "Where and who",
            {"fields": ["department", "city", "country", "languages", "course", "graduation_year"]},
        ),
        ("Experience", {"fields": ["key_areas", "moves_experience", "areas", "help_offered"]}),
        (
            "Mentoring",
            {"fields": ["formats", "frequency", "capacity", "mentee_count", "is_active"]},
        ),
        (
            "Review",
            {
                "fields": [
                    "review_status",
                    "review_note",
                    "reviewed_by",
                    "training_completed_on",
                    "submitted_at",
                    "approved_at",
                    "confirmed_at",
                    "confirmation_asked_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(ordering="user__full_name")
    def name(self, obj):
        return obj.user.full_name

    @admin.display(description="places used")
    def places(self, obj):
        return f"{obj.mentee_count} of {obj.capacity}"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_vector")

    def has_approve_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.approve_{opts.model_name}")

    @admin.action(
        description="Approve the selected profiles (emails each mentor)", permissions=["approve"]
    )
    def approve(self, request, queryset):
        approved, refused = 0, []
        for profile in queryset.select_related("user"):
            try:
                services.approve_profile(profile, by=request.user)
                approved += 1
            except services.ProfileError as exc:
                refused.append(str(exc))
        if approved:
            self.message_user(request, f"Approved {approved} profiles.", messages.SUCCESS)
        for sentence in refused:
            self.message_user(request, sentence, messages.ERROR)

    # Part of the review: whoever may approve may also send a profile back.
    @admin.action(description="Request changes to the selected profiles…", permissions=["approve"])
    def request_changes(self, request, queryset):
        form = RequestChangesForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for profile in queryset:
                services.request_changes(
                    profile, by=request.user, message=form.cleaned_data["message"]
                )
            self.message_user(
                request, f"Asked {queryset.count()} mentors for changes.", messages.SUCCESS
            )
            return None
        ctx = {
            **self.admin_site.each_context(request),
            "title": "Request changes",
            "form": form,
            "profiles": queryset.select_related("user"),
            "action": "request_changes",
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/profiles/request_changes.html", ctx)
