"""Profiles, programmes, their rounds and memberships in the admin.

Everything that belongs to a programme is scoped (mentoring.admin_utils.ProgrammeScopedMixin):
a coordinator sees only the programmes they coordinate and their people; a superuser sees all.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from accounts import sso
from accounts.models import User
from mentoring.admin_utils import (
    CsvExportMixin,
    LargeTableAdminMixin,
    ProgrammeScopedMixin,
    coordinated_programme_ids,
    coordinated_programmes,
)
from mentoring.admin_widgets import LabelledAdminFileWidget, name_each_row
from profiles import invitations, logos, photos, services, staff_edits
from profiles.models import (
    ExpertiseArea,
    JobHistoryEntry,
    MeetingFormat,
    Membership,
    MentorProfile,
    Programme,
    ProgrammeInvitation,
    RecruitmentWindow,
    Round,
)
from profiles.training_admin import RecordTrainingMixin


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "mentors", "mentees"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class PositionForm(base):  # type: ignore[misc,valid-type]
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                name_each_row(self, "position", "Position")

        return PositionForm

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


def listed_rule(request) -> Q:
    """Listed in the directory of a programme the person runs (of any programme, for a
    superuser): approved where needed, shown, not away, and an approved mentor there. What
    "visible to mentees" means on the mentors' list and on the dashboard."""
    ids = coordinated_programme_ids(request)
    if ids is None:
        return Q(is_listed=True) & ~Q(programme_ids=[])
    return Q(is_listed=True, programme_ids__overlap=ids)


class ListedFilter(admin.SimpleListFilter):
    title = "visible to mentees"
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(listed_rule(request))
        if self.value() == "no":
            return queryset.exclude(listed_rule(request))
        return queryset


def _each(profiles, act) -> tuple[int, list[str]]:
    """`act` on each profile on its own: one refused (services.ProfileError) does not stop the
    others. Returns how many were done and the refusals' sentences."""
    done, refused = 0, []
    for profile in profiles:
        try:
            act(profile)
            done += 1
        except services.ProfileError as exc:
            refused.append(str(exc))
    return done, refused


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y") if moment else "–"


class ShownFilter(admin.BooleanFieldListFilter):
    """The mentor's own "visible to mentees" switch, named apart from whether the directory
    lists them (ListedFilter), which also needs approval, no absence and a programme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "switched on by the mentor"


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


def in_programmes_as(role: str, ids) -> Exists:
    """A profile whose person takes part (or waits for approval) in one of the programmes
    `ids` in `role`: one EXISTS on the memberships, so nobody is listed twice."""
    return Exists(
        Membership.objects.current().filter(
            user=OuterRef("user"), role=role, programme__in=list(ids)
        )
    )


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


class MentorProfileAdminForm(forms.ModelForm):
    """The scheme team may remove an unsuitable photo, or upload one, checked and re-encoded as
    on the mentor's own form (profiles.photos)."""

    # Labelled checkboxes rather than the array's comma-separated text ("in_person,phone").
    formats = forms.MultipleChoiceField(
        label="Meeting formats offered",
        choices=MeetingFormat.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    photo = forms.FileField(
        required=False,
        widget=LabelledAdminFileWidget,
        help_text="JPEG, PNG or WebP, up to 5 MB; cropped to a square. Tick “Clear” to remove an "
        "unsuitable photo: mentees then see the mentor's initials.",
    )

    class Meta:
        model = MentorProfile
        fields = ["photo"]  # the admin adds its fieldsets' fields

    def clean_photo(self):
        return photos.clean_upload(self.cleaned_data.get("photo"))


@admin.register(MentorProfile)
class MentorProfileAdmin(
    ProgrammeScopedMixin,
    ProfileOwnerMixin,
    CsvExportMixin,
    LargeTableAdminMixin,
    admin.ModelAdmin,
):
    # A mentor's profile is one for all their programmes: a coordinator sees it when the mentor
    # is in (or asks to join) one of theirs.
    programme_lookup = "user__memberships__programme"
    form = MentorProfileAdminForm
    list_display = [
        "name",
        "role",
        "review_status",
        "waiting",
        "visible",
        "places",
        "trained",
        "confirmed",
        "submitted",
        "review_link",
    ]
    # The review queue: every row is waiting for review, and the yearly confirmation is not
    # what a reviewer decides on.
    QUEUE_HIDES = {"review_status", "confirmed"}
    list_filter = [
        ReviewStatusFilter,
        ListedFilter,
        ("is_active", ShownFilter),
        "industry",
        "training_completed_on",
    ]
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
        ("Visible to mentees", "listed_here"),
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
        (
            None,
            {"fields": ["user", "photo", "headline", "job_title", "organisation", "industry"]},
        ),
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

    # Dates without their times, under short headings: the list's columns fit at 1280 px.
    @admin.display(description="trained", ordering="training_completed_on")
    def trained(self, obj):
        return date_format(obj.training_completed_on, "j M Y") if obj.training_completed_on else "–"

    @admin.display(description="confirmed", ordering="confirmed_at")
    def confirmed(self, obj):
        return _day(obj.confirmed_at)

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj):
        return _day(obj.submitted_at)

    @admin.display(description="role", ordering="organisation")
    def role(self, obj):
        return ", ".join(part for part in (obj.job_title, obj.organisation) if part) or "–"

    def get_list_display(self, request):
        display = super().get_list_display(request)
        if request.GET.get(ReviewStatusFilter.parameter_name) == "queue":
            return [name for name in display if name not in self.QUEUE_HIDES]
        return display

    @admin.display(description="places used")
    def places(self, obj):
        return f"{obj.mentee_count} of {obj.capacity}"

    def in_programmes(self, request, ids):
        return in_programmes_as(Membership.Role.MENTOR, ids)

    def get_ordering(self, request):
        # The review queue is oldest first: whoever has waited longest is at the top.
        if request.GET.get(ReviewStatusFilter.parameter_name) == "queue":
            return ["submitted_at", "pk"]
        return super().get_ordering(request)

    @admin.display(boolean=True, description="visible to mentees", ordering="listed_here")
    def visible(self, obj):
        # Listed in the directory of one of the reviewer's programmes (approved where needed,
        # shown, not away, an approved mentor there), not merely "shown".
        return obj.listed_here

    @admin.display(description="waiting", ordering="submitted_at")
    def waiting(self, obj):
        if obj.review_status != MentorProfile.ReviewStatus.SUBMITTED or not obj.submitted_at:
            return "–"
        days = (timezone.localdate() - timezone.localdate(obj.submitted_at)).days
        if days <= 0:
            return "Since today"
        return ngettext("Waiting %(n)d day", "Waiting %(n)d days", days) % {"n": days}

    @admin.display(description="review")
    def review_link(self, obj):
        if obj.review_status != MentorProfile.ReviewStatus.SUBMITTED:
            return "–"
        url = reverse("admin:profiles_mentorprofile_review", args=[obj.pk])
        return format_html('<a href="{}">Review {}</a>', url, obj.user.full_name)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="profiles_mentorprofile_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id):
        """The profile as mentees will see it, with Approve and Request changes: nothing the
        mentor wrote can be changed here. Coordinators review mentors of their programmes only
        (another's is not found); approving needs the approve permission."""
        if not self.has_approve_permission(request):
            raise PermissionDenied
        profile = self.get_object(request, str(object_id))
        if profile is None:
            raise Http404("No such profile.")
        # The mentor page's annotation (profiles.selectors), for the shared template.
        profile.area_names = list(
            profile.areas.order_by("position", "name").values_list("name", flat=True)
        )
        form = RequestChangesForm(request.POST if "request_changes" in request.POST else None)
        if request.method == "POST":
            try:
                if "approve" in request.POST:
                    services.approve_profile(profile, by=request.user)
                    self.message_user(
                        request, f"Approved {profile.user.full_name}'s profile.", messages.SUCCESS
                    )
                    return HttpResponseRedirect(self.queue_url())
                if "request_changes" in request.POST and form.is_valid():
                    message = form.cleaned_data["message"].strip()
                    repeat = (
                        profile.review_status == MentorProfile.ReviewStatus.CHANGES_REQUESTED
                        and profile.review_note == message
                    )
                    if not repeat:  # a double submit asks (and emails) once
                        services.request_changes(profile, by=request.user, message=message)
                    self.message_user(
                        request,
                        f"Asked {profile.user.full_name} for changes.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self.queue_url())
            except services.ProfileError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Review {profile.user.full_name}",
            "profile": profile,
            "form": form,
            "opts": self.opts,
            "waiting": self.waiting(profile),
            "change_url": reverse("admin:profiles_mentorprofile_change", args=[profile.pk]),
            "queue_url": self.queue_url(),
            "waits_for": services.approval_waits_for(profile, by=request.user),
        }
        return TemplateResponse(request, "admin/profiles/mentor_review.html", ctx)

    def queue_url(self) -> str:
        return reverse("admin:profiles_mentorprofile_changelist") + "?review=queue"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("search_vector")
            .annotate(
                listed_here=ExpressionWrapper(listed_rule(request), output_field=BooleanField())
            )
        )

    def save_formset(self, request, form, formset, change):
        # The job history is the mentor's own words too: staff changes to it are recorded.
        if change and formset.model is JobHistoryEntry:
            staff_edits.record_job_history(form.instance, by=request.user, formset=formset)
        super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        # Showing or hiding goes through the service, so hiding closes the mentor's waiting
        # requests kindly (the `mentor_hidden` signal), as it does on the mentor's own page.
        visibility = change and "is_active" in form.changed_data
        if visibility:
            obj.is_active = form.initial.get("is_active", not obj.is_active)
        old_photo = getattr(form.initial.get("photo"), "name", "") or ""
        if change:
            staff_edits.record(obj, by=request.user, form=form)
        super().save_model(request, obj, form, change)
        photos.after_save(old_photo, obj.photo.name or "")
        if visibility:
            services.set_active(obj, active=form.cleaned_data["is_active"])
        if change and "training_completed_on" in form.changed_data and obj.training_completed_on:
            # The older rule's training date, as recording training does: a programme that
            # lists its mentors without approval lists them once trained.
            waiting = Membership.objects.mentors().filter(
                user=obj.user_id, status=Membership.Status.PENDING
            )
            for programme in Programme.objects.filter(memberships__in=waiting).distinct():
                services.approve_once_trained(obj.user, programme)

    def has_approve_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.approve_{opts.model_name}")

    @admin.action(
        description="Approve the selected profiles (emails each mentor)", permissions=["approve"]
    )
    def approve(self, request, queryset):
        approved, refused = _each(
            queryset.select_related("user"),
            lambda profile: services.approve_profile(profile, by=request.user),
        )
        if approved:
            self.message_user(
                request,
                ngettext("Approved %(n)d profile.", "Approved %(n)d profiles.", approved)
                % {"n": approved},
                messages.SUCCESS,
            )
        for sentence in refused:
            self.message_user(request, sentence, messages.ERROR)

    # Part of the review: whoever may approve may also send a profile back.
    @admin.action(description="Request changes to the selected profiles…", permissions=["approve"])
    def request_changes(self, request, queryset):
        form = RequestChangesForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            # One the reviewer may not send back (a mentor of another programme too) is
            # explained, and the others are still asked.
            message = form.cleaned_data["message"]
            asked, refused = _each(
                queryset,
                lambda profile: services.request_changes(profile, by=request.user, message=message),
            )
            if asked:
                self.message_user(
                    request,
                    ngettext(
                        "Asked %(n)d mentor for changes.", "Asked %(n)d mentors for changes.", asked
                    )
                    % {"n": asked},
                    messages.SUCCESS,
                )
            for sentence in refused:
                self.message_user(request, sentence, messages.ERROR)
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


# Programmes --------------------------------------------------------------------------------

# What only an organisation administrator (a superuser) changes on a programme: what it is
# called and where it lives (its address is in emails and on posters), whether it is published,
# open or archived, and who runs it (giving coordinators their programmes is theirs). A
# coordinator runs everything else of their own programmes: its description, eligibility,
# matching, limits and schedule, its rounds, and its invitation link.
SUPERUSER_ONLY_FIELDS = ["name", "slug", "status", "position", "coordinators"]


class RoundInline(admin.StackedInline):
    """A programme's rounds; each round's mentor recruitment windows are on the round's own
    page (Django has no inline in an inline): "Change" opens it."""

    model = Round
    extra = 0
    fields = ["name", "mentee_opens_on", "mentee_closes_on", "term_ends_on"]
    show_change_link = True


class ProgrammeAdminForm(forms.ModelForm):
    logo = forms.FileField(
        required=False,
        widget=LabelledAdminFileWidget,
        help_text="PNG or JPEG, up to 1 MB and 2000 pixels a side. Shown at the top of the "
        "programme's page and emails, described by the programme's name.",
    )

    class Meta:
        model = Programme
        fields = ["logo"]  # the admin adds its fieldsets' fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "single_sign_on" in self.fields:
            model_field = self.fields["single_sign_on"]
            self.fields["single_sign_on"] = forms.ChoiceField(
                label=model_field.label,
                required=False,
                # A new programme's value is the database's default until it is saved.
                choices=sso.provider_choices(
                    self.instance.single_sign_on if self.instance.pk else ""
                ),
                help_text="Members of this programme sign in with this university login before "
                "they join (providers are set up by a superuser: README, Single sign-on).",
            )

    def clean_logo(self):
        return logos.clean_upload(self.cleaned_data.get("logo"))

    def save(self, commit=True):
        # The admin saves the programme in its transaction right after this (commit=False);
        # the old logo's file is deleted once that commits.
        old_logo = getattr(self.initial.get("logo"), "name", "") or ""
        programme = super().save(commit=commit)
        logos.after_save(old_logo, programme.logo.name or "")
        return programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = [
        "name",
        "status",
        "matching",
        "mentors",
        "mentees",
        "coordinator_names",
        "applicants_link",
        "invite_link",
    ]
    list_filter = ["status", "matching"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoundInline]
    actions = ["new_invitation_link"]
    readonly_fields = ["invitation_link", "invite_link", "created_at"]
    fieldsets = [
        (
            "About",
            {
                "fields": [
                    "name",
                    "slug",
                    "summary",
                    "description",
                    "audience",
                    "status",
                    "position",
                ]
            },
        ),
        (
            "Words and looks",
            {
                "fields": ["contact_email", "logo"],
                "description": "The programme's name, address and logo appear in its emails and "
                "on its page. The words of each email are under Email wording.",
            },
        ),
        (
            "People and eligibility",
            {
                "fields": [
                    "coordinators",
                    "mentor_email_domains",
                    "mentee_email_domains",
                    "single_sign_on",
                    "invitation_only",
                    "invitation_link",
                    "invite_link",
                    "mentor_approval_required",
                    "mentor_training_required",
                ]
            },
        ),
        (
            "Matching and engagements",
            {
                "fields": [
                    "matching",
                    "engagement_types",
                    "outside_line_management",
                    "default_capacity",
                    "mentor_places_cap",
                    "max_active_mentorships",
                ]
            },
        ),
        (
            "Rules",
            {
                "fields": [
                    "max_pending_requests",
                    "request_first_reminder_days",
                    "request_second_reminder_days",
                    "request_expiry_days",
                    "unmatched_alert_weeks",
                ]
            },
        ),
        (
            "Schedule",
            {
                "fields": [
                    "rhythm",
                    "no_meeting_nudge_days",
                    "meeting_reminder_days",
                    "check_in_first_weeks",
                    "check_in_second_months",
                    "profile_confirmation_month",
                    "created_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        approved = Q(memberships__status=Membership.Status.APPROVED)
        return (
            Programme.objects.filter(pk__in=coordinated_programmes(request).values("pk"))
            .annotate(
                mentor_count=Count(
                    "memberships", filter=approved & Q(memberships__role=Membership.Role.MENTOR)
                ),
                mentee_count=Count(
                    "memberships", filter=approved & Q(memberships__role=Membership.Role.MENTEE)
                ),
            )
            .prefetch_related("coordinators")
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and coordinated_programme_ids(request) is not None:
            raise Http404("No such programme.")
        return obj

    def get_inlines(self, request, obj):
        # Always-open programmes have no rounds: the rounds appear once it runs in rounds.
        return super().get_inlines(request, obj) if obj is not None and obj.has_rounds else []

    def get_changeform_initial_data(self, request):
        """A new programme starts from the scheme-wide defaults (SchemeSettings, SCHEME_*)."""
        return {**Programme.defaults(), **super().get_changeform_initial_data(request)}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if request.user.is_superuser else {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "engagement_types":
            # Labelled checkboxes rather than the array's comma-separated text box.
            return forms.TypedMultipleChoiceField(
                label="Engagements it allows",
                choices=Programme.Engagement.choices,
                widget=forms.CheckboxSelectMultiple,
                initial=db_field.get_default(),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "coordinators":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True).order_by(
                "full_name"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(ordering="mentor_count", description="mentors")
    def mentors(self, obj):
        return obj.mentor_count

    @admin.display(ordering="mentee_count", description="mentees")
    def mentees(self, obj):
        return obj.mentee_count

    @admin.display(description="coordinators")
    def coordinator_names(self, obj):
        return ", ".join(u.full_name or u.email for u in obj.coordinators.all()) or "–"

    @admin.display(description="central matching")
    def applicants_link(self, obj):
        if not obj.matches_centrally:
            return "–"
        try:
            url = reverse("admin:profiles_menteeprofile_applicants", args=[obj.pk])
        except NoReverseMatch:
            return "–"
        return format_html('<a href="{}">Applicants</a>', url)

    @admin.display(description="invite people")
    def invite_link(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        url = reverse("admin:profiles_programme_invite", args=[obj.pk])
        return format_html('<a href="{}">Invite people to {}</a>', url, obj.name)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="profiles_programme_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request, object_id):
        """Invite people from a CSV or pasted addresses: a preview of every row, then "Send N
        invitations", which checks the same signed list again and sends what it then says
        (profiles.invitations). Coordinators invite to their own programmes only."""
        if not request.user.has_perm("profiles.add_programmeinvitation"):
            raise PermissionDenied
        programme = self.get_object(request, str(object_id))
        if programme is None:
            raise Http404("No such programme.")
        allowed = coordinated_programmes(request)
        sending = "send" in request.POST
        # "Send" posts only the signed list: its form is unbound, so a refusal shows no
        # "This field is required." on fields it never had, and says why above the form.
        form = InviteForm(None if sending else (request.POST or None), request.FILES or None)
        preview, upload, list_error = None, "", ""
        try:
            if sending:
                upload = request.POST.get("upload", "")
                rows = invitations.read_upload(upload, programme=programme)
                done = invitations.send(rows, programme=programme, allowed=allowed, by=request.user)
                sent = done.to_send
                self.message_user(
                    request,
                    ngettext(
                        "Sent %(n)d invitation (%(summary)s).",
                        "Sent %(n)d invitations (%(summary)s).",
                        sent,
                    )
                    % {"n": sent, "summary": done.summary},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
            if request.method == "POST" and form.is_valid():
                kind, text, role = form.list_text()
                rows = (
                    invitations.read_csv(text)
                    if kind == "csv"
                    else invitations.read_pasted(text, role=role)
                )
                preview = invitations.check(rows, programme=programme, allowed=allowed)
                upload = invitations.sign_upload(
                    kind=kind, text=text, role=role, programme=programme
                )
        except invitations.UploadExpired as exc:
            # What the coordinator gave, back in the form to check again (a file's text is
            # shown as pasted lines only when it was pasted: a file is chosen again).
            upload, list_error = "", str(exc)
            form = InviteForm(
                initial={"addresses": exc.text if exc.kind == "paste" else "", "role": exc.role}
            )
        except invitations.InvitationError as exc:
            if sending:
                upload, list_error = "", str(exc)
            else:
                form.add_error(None, str(exc))
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Invite people to {programme.name}",
            "programme": programme,
            "opts": self.opts,
            "form": form,
            "preview": preview,
            "upload": upload,
            "list_error": list_error,
            "new_count": preview.to_send if preview else 0,
            "days": invitations.TOKEN_MAX_AGE.days,
            "memberships_url": reverse("admin:profiles_membership_changelist")
            + f"?programme={programme.pk}",
        }
        return TemplateResponse(request, "admin/profiles/invite.html", ctx)

    @admin.display(description="invitation link")
    def invitation_link(self, obj):
        if obj is None or obj.pk is None:
            return "Made when the programme is saved."
        url = settings.SITE_URL + invitation_url(obj)
        return format_html(
            "<code>{}</code><br>Anyone with this link may join, even when the programme is by "
            "invitation, limited to some email addresses or closed. To stop an old link working, "
            "select the programme in the list and choose “Make a new invitation link”.",
            url,
        )

    @admin.action(
        description="Make a new invitation link (the old one stops working)",
        permissions=["change"],
    )
    def new_invitation_link(self, request, queryset):
        # Only the programmes this person may change: the list is already theirs.
        for programme in queryset:
            try:
                services.new_invitation_link(programme, by=request.user)
            except services.ProfileError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            self.message_user(
                request,
                f"New invitation link for {programme.name}: "
                f"{settings.SITE_URL}{invitation_url(programme)}",
                messages.SUCCESS,
            )


class InviteForm(forms.Form):
    """A CSV file or pasted addresses (not both), read as text for the preview."""

    file = forms.FileField(
        label="CSV file",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="A first line naming the columns name, email, role, programme. Role is "
        "mentor or mentee; programme is a slug or name of a programme you run (empty: this "
        "one). Saved as CSV UTF-8, up to 1 MB.",
    )
    addresses = forms.CharField(
        label="Or paste addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="One per line or separated by commas; “Name <address>” keeps the name.",
    )
    role = forms.ChoiceField(
        label="Invite pasted addresses as",
        choices=Membership.Role.choices,
        initial=Membership.Role.MENTEE,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > 1_000_000:
            raise forms.ValidationError("The file is larger than 1 MB: split it in two.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."
            ) from None

    def clean(self):
        data = super().clean()
        if data.get("file") and data.get("addresses", "").strip():
            raise forms.ValidationError("Upload a file or paste addresses, not both.")
        if not data.get("file") and not data.get("addresses", "").strip() and not self.errors:
            raise forms.ValidationError("Upload a CSV file or paste some addresses.")
        return data

    def list_text(self) -> tuple[str, str, str]:
        if self.cleaned_data.get("file"):
            return "csv", self.cleaned_data["file"], self.cleaned_data["role"]
        return "paste", self.cleaned_data["addresses"], self.cleaned_data["role"]


def invitation_url(programme: Programme) -> str:
    """The path of a programme's invitation link (its join page with the token)."""
    return reverse(
        "profiles:programme-invitation", args=[programme.slug, programme.invitation_token]
    )


class RecruitmentWindowInline(admin.StackedInline):
    model = RecruitmentWindow
    extra = 0
    fields = ["opens_on", "closes_on", "announced_at"]
    readonly_fields = ["announced_at"]


@admin.register(Round)
class RoundAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    """A round of a programme that runs in rounds, with its mentor recruitment windows."""

    list_display = ["name", "programme", "mentee_opens_on", "mentee_closes_on", "term_ends_on"]
    list_select_related = ["programme"]
    search_fields = ["name", "programme__name"]
    fields = [
        "programme",
        "name",
        "mentee_opens_on",
        "mentee_closes_on",
        "term_ends_on",
        "wrap_up_sent_at",
        "completed_at",
    ]
    readonly_fields = ["wrap_up_sent_at", "completed_at"]
    inlines = [RecruitmentWindowInline]
    ordering = ["programme", "-mentee_opens_on"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "programme"] if obj is not None else readonly

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(ProgrammeInvitation)
class ProgrammeInvitationAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    """Whom a programme invited and whether they joined. Read-only: people are invited from the
    programme's "Invite people" page (profiles.invitations), which sends each email once; an
    unaccepted invitation can be resent with a fresh link (its first may have expired)."""

    list_display = ["email", "name", "programme", "role", "invited_by", "sent_at", "accepted_at"]
    list_filter = ["role", "accepted_at"]
    search_fields = ["email", "name"]
    list_select_related = ["programme", "invited_by"]
    ordering = ["-created_at"]
    fields = [
        "programme",
        "email",
        "name",
        "role",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
    ]
    readonly_fields = fields

    actions = ["resend_invitation"]

    def has_add_permission(self, request):
        return False  # the programme's "Invite people" page

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request) -> bool:
        # Whoever may invite (a programme's coordinators); the list is already theirs only.
        return request.user.has_perm("profiles.add_programmeinvitation")

    @admin.action(
        description="Resend invitation (a fresh link; not for accepted ones)",
        permissions=["resend"],
    )
    def resend_invitation(self, request, queryset):
        resent, accepted, recent = invitations.resend(queryset, by=request.user)
        if resent:
            self.message_user(
                request,
                ngettext(
                    "Resent %(n)d invitation with a fresh link.",
                    "Resent %(n)d invitations with a fresh link.",
                    resent,
                )
                % {"n": resent},
                messages.SUCCESS,
            )
        if accepted:
            self.message_user(
                request,
                ngettext(
                    "%(n)d invitation was not resent: it has been accepted.",
                    "%(n)d invitations were not resent: they have been accepted.",
                    accepted,
                )
                % {"n": accepted},
                messages.WARNING,
            )
        if recent:
            minutes = int(invitations.RESEND_GAP.total_seconds() // 60)
            self.message_user(
                request,
                ngettext(
                    "%(n)d invitation was not resent: it was sent in the last %(minutes)d minutes.",
                    "%(n)d invitations were not resent: they were sent in the last %(minutes)d "
                    "minutes.",
                    recent,
                )
                % {"n": recent, "minutes": minutes},
                messages.WARNING,
            )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


# Memberships -------------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(
    RecordTrainingMixin,
    ProgrammeScopedMixin,
    CsvExportMixin,
    LargeTableAdminMixin,
    admin.ModelAdmin,
):
    """Who takes part in which programme. Read-only: people join and leave on the site, and
    approval goes through profiles.services (the "Approve" action)."""

    list_display = ["name", "email", "programme", "role", "status", "joined_at", "applied_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__full_name", "user__email"]
    list_select_related = ["user", "programme"]
    ordering = ["programme", "role", "-joined_at"]
    fields = [
        "user",
        "programme",
        "role",
        "status",
        "joined_at",
        "approved_at",
        "approved_by",
        "left_at",
        "by_invitation",
        "application",
        "applied_at",
        "preferred",
    ]
    readonly_fields = fields
    actions = ["approve", "record_training", "export_csv"]
    csv_columns = [
        ("ID", "pk"),
        ("Name", "user.full_name"),
        ("Email", "user.email"),
        ("Programme", "programme.name"),
        ("Role", "get_role_display"),
        ("Status", "get_status_display"),
        ("Joined at", "joined_at"),
        ("Approved at", "approved_at"),
        ("Left at", "left_at"),
        ("Applied to be matched at", "applied_at"),
    ]
    csv_select_related = ["user", "programme"]

    def has_add_permission(self, request):
        return False  # people join on the site (profiles.services.join_programme)

    def changelist_view(self, request, extra_context=None):
        # "Invite people to …" above the list: the programme it is filtered by, or else the
        # programmes a coordinator runs (a superuser filters first: there may be many).
        programmes = Programme.objects.none()
        if request.user.has_perm("profiles.add_programmeinvitation"):
            programmes = coordinated_programmes(request)
            chosen = request.GET.get("programme", "")
            if chosen.isdigit():
                programmes = programmes.filter(pk=int(chosen))
            elif request.user.is_superuser:
                programmes = Programme.objects.none()
        return super().changelist_view(
            request,
            {"invite_programmes": programmes.only("pk", "name"), **(extra_context or {})},
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(ordering="user__full_name", description="name")
    def name(self, obj):
        return obj.user.full_name

    @admin.display(ordering="user__email", description="email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="preferred mentors")
    def preferred(self, obj):
        return (
            format_html_join(", ", "{}", ((u.full_name,) for u in obj.preferred_mentors.all()))
            or "–"
        )

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("profiles.approve_membership")

    @admin.action(
        description="Approve the selected mentors in their programme", permissions=["approve"]
    )
    def approve(self, request, queryset):
        approved, refused = 0, []
        for membership in queryset.select_related("user", "programme"):
            try:
                services.approve_membership(membership, by=request.user)
                approved += 1
            except services.ProfileError as exc:
                refused.append(str(exc))
        if approved:
            self.message_user(
                request,
                ngettext("Approved %(n)d membership.", "Approved %(n)d memberships.", approved)
                % {"n": approved},
                messages.SUCCESS,
            )
        for sentence in refused:
            self.message_user(request, sentence, messages.ERROR)
