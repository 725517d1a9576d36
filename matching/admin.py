"""Requests, reports and the mentees' admin, which runs central matching.

The mentees' admin lives here rather than in profiles: it shows who has a mentor now and creates
mentorships, and profiles sits below matching.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import (
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
)
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from accounts.models import User
from matching import match_runs, match_scoring, selectors, services
from matching.models import (
    Engagement,
    MatchRun,
    MatchRunPair,
    Mentorship,
    MentorshipRequest,
    MessageReport,
    RequestReport,
    StatusChange,
)
from mentoring.admin_utils import (
    AttentionFilter,
    CsvExportMixin,
    LargeTableAdminMixin,
    ProgrammeScopedMixin,
    coordinated_programme_ids,
    coordinated_programmes,
)
from profiles.admin import ProfileOwnerMixin, in_programmes_as
from profiles.models import MeetingFormat, Membership, MenteeProfile, MentorProfile, Programme


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
class MentorshipRequestAdmin(
    ProgrammeScopedMixin, CsvExportMixin, LargeTableAdminMixin, admin.ModelAdmin
):
    list_display = [
        "mentee_name",
        "mentor_name",
        "programme",
        "status",
        "created_at",
        "waiting",
        "responded_at",
    ]
    list_filter = [RequestAttentionFilter, "status", "decline_reason", "created_at"]
    search_fields = ["mentee__full_name", "mentee__email", "mentor__full_name", "mentor__email"]
    list_select_related = ["mentee", "mentor", "programme"]
    autocomplete_fields = ["mentee", "mentor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [HistoryInline]
    # State changes go through matching.services (the site, or central matching): never by
    # editing the status here.
    readonly_fields = [
        "mentee",
        "mentor",
        "programme",
        "message",
        "status",
        "decline_reason",
        "response_message",
        "closing_note",
        "close_reason",
        "reminders_sent",
        "reminded_at",
        "expires_after",
        "created_at",
        "responded_at",
        "withdrawn_at",
        "expired_at",
        "closed_at",
    ]

    actions = ["export_csv"]
    # The message is the mentee's letter to one mentor: not for a spreadsheet.
    csv_columns = [
        ("ID", "pk"),
        ("Mentee", "mentee_name"),
        ("Mentee email", "mentee.email"),
        ("Mentor", "mentor_name"),
        ("Mentor email", "mentor.email"),
        ("Programme", "programme.name"),
        ("Status", "get_status_display"),
        ("Decline reason", "get_decline_reason_display"),
        ("Sent at", "created_at"),
        ("Reminders sent", "reminders_sent"),
        ("Responded at", "responded_at"),
        ("Withdrawn at", "withdrawn_at"),
        ("Expired at", "expired_at"),
        ("Closed by the scheme at", "closed_at"),
        ("Closed because", "get_close_reason_display"),
    ]
    csv_select_related = ["mentee", "mentor", "programme"]

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
class RequestReportAdmin(ProgrammeScopedMixin, LargeTableAdminMixin, admin.ModelAdmin):
    """Requests mentors reported as inappropriate. Read-only: matching.services writes reports
    (and closes the request) when a mentor sends one."""

    programme_lookup = "request__programme"

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


def pairs_programme_ids(request) -> list[int] | None:
    """The programmes whose pairs count for a mentee's "mentor now" on the mentees' list: the
    one chosen in its "programme" filter, else the person's (None: every one, a superuser)."""
    ids = coordinated_programme_ids(request)
    chosen = request.GET.get("programme", "")
    if chosen.isdigit() and (ids is None or int(chosen) in ids):
        return [int(chosen)]
    return ids


class MenteeAttentionFilter(AttentionFilter):
    # A coordinator's "mentor now" is a pair in one of their programmes; "no mentor after N
    # weeks" follows each programme's own weeks from the day the mentee joined it.
    rules = {
        "unmatched": (
            "No mentor after the programme's alert weeks",
            lambda request: selectors.unmatched_mentee(
                timezone.now(), pairs_programme_ids(request)
            ),
        ),
        "no_mentor": (
            "No mentor now",
            lambda request: ~selectors.with_mentor(pairs_programme_ids(request)),
        ),
    }

    def lookups(self, request, model_admin):
        weeks = coordinated_programmes(request).aggregate(
            low=Min("unmatched_alert_weeks"), high=Max("unmatched_alert_weeks")
        )
        label = selectors.alert_weeks_label(weeks["low"], weeks["high"])
        return [
            ("unmatched", f"No mentor after {label}"),
            ("no_mentor", "No mentor now"),
        ]


class MenteeProfileAdminForm(forms.ModelForm):
    # Labelled checkboxes rather than the array's comma-separated text ("video,phone").
    preferred_formats = forms.MultipleChoiceField(
        label="Formats preferred",
        choices=MeetingFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = MenteeProfile
        fields = ["preferred_formats"]  # the admin adds the others it shows


@admin.register(MenteeProfile)
class MenteeProfileAdmin(
    ProgrammeScopedMixin,
    ProfileOwnerMixin,
    CsvExportMixin,
    LargeTableAdminMixin,
    admin.ModelAdmin,
):
    # A coordinator sees the mentees of their programmes (one EXISTS on the memberships).
    programme_lookup = "user__memberships__programme"
    form = MenteeProfileAdminForm
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

    # Recorded for the line-management rule; the site's form tells the mentee "Only the
    # programme's coordinators see it": a superuser or a coordinator of a programme of the
    # mentee's that keeps mentors outside line management sees them, read-only; others never.
    LINE_MANAGEMENT_FIELDS = ["department", "line_manager_email"]

    def sees_line_management(self, request, obj) -> bool:
        if request.user.is_active and request.user.is_superuser:
            return True
        if obj is None:
            return False
        seen = request.__dict__.setdefault("_sees_line_management", {})
        if obj.pk not in seen:
            seen[obj.pk] = (
                Membership.objects.current()
                .mentees()
                .filter(
                    user=obj.user_id,
                    programme__in=coordinated_programme_ids(request) or [],
                    programme__outside_line_management=True,
                )
                .exists()
            )
        return seen[obj.pk]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.sees_line_management(request, obj):
            return fields
        return [name for name in fields if name not in self.LINE_MANAGEMENT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.sees_line_management(request, obj):
            return [*readonly, *self.LINE_MANAGEMENT_FIELDS]
        return readonly

    def in_programmes(self, request, ids):
        return in_programmes_as(Membership.Role.MENTEE, ids)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_active_mentor=selectors.has_active_mentorship(pairs_programme_ids(request))
            )
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
            path(
                "<int:pk>/match/confirm/",
                self.admin_site.admin_view(self.match_confirm_view),
                name="profiles_menteeprofile_match_confirm",
            ),
            path(
                "applicants/<int:programme_pk>/",
                self.admin_site.admin_view(self.applicants_view),
                name="profiles_menteeprofile_applicants",
            ),
            path(
                "applicants/<int:programme_pk>/propose/",
                self.admin_site.admin_view(self.propose_run_view),
                name="profiles_menteeprofile_propose_run",
            ),
            path(
                "runs/<int:run_pk>/",
                self.admin_site.admin_view(self.run_view),
                name="profiles_menteeprofile_run",
            ),
            path(
                "runs/<int:run_pk>/publish/",
                self.admin_site.admin_view(self.publish_run_view),
                name="profiles_menteeprofile_publish_run",
            ),
            *super().get_urls(),
        ]

    def _match(
        self,
        request,
        *,
        mentor: MentorProfile,
        mentee: User,
        programme: Programme,
        note: str = "",
    ):
        """Central matching under the same rules as a mentee's own request: the service's
        sentence (e.g. the mentor is the mentee's line manager) is the error message."""
        try:
            mentorship = services.create_mentorship(
                mentor=mentor.user,
                mentee=mentee,
                by=request.user,
                programme=programme,
                introduction_note=note,
            )
        except services.MatchingError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(
            request,
            format_html(
                "Matched {} with {} in {}; both have been emailed an introduction. "
                '<a href="{}">See the pair</a>.',
                mentee.full_name,
                mentor.user.full_name,
                programme.name,
                reverse("admin:matching_mentorship_change", args=[mentorship.pk]),
            ),
            messages.SUCCESS,
        )
        return mentorship

    def _mentee_in_programme(self, request, pk: int):
        """The mentee (one this coordinator may see) and the programme of theirs that the page
        is about (the one chosen, else the first they share with the coordinator)."""
        if not self.has_match_permission(request):
            raise PermissionDenied
        mentee_profile = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        programmes = list(
            coordinated_programmes(request).filter(
                memberships__user=mentee_profile.user_id,
                memberships__role=Membership.Role.MENTEE,
                memberships__status=Membership.Status.APPROVED,
            )
        )
        if not programmes:
            raise Http404("This mentee takes part in none of your programmes.")
        chosen = request.POST.get("programme") or request.GET.get("programme")
        programme = next((p for p in programmes if str(p.pk) == chosen), programmes[0])
        return mentee_profile, programme, programmes

    def match_confirm_view(self, request, pk: int):
        """Match now or propose to the mentor, for one suggestion: GET shows who with whom,
        in which programme, what happens and who is emailed, with an optional note (changes
        nothing); POST does it through matching.services, under the same rules as a mentee's
        own request (its sentence is the error)."""
        mentee_profile, programme, _ = self._mentee_in_programme(request, pk)
        data = request.POST if request.method == "POST" else request.GET
        action = "propose" if data.get("action") == "propose" else "match"
        # Only a mentor of this programme: another programme's mentors stay out of sight.
        mentor_pk = data.get("mentor", "")
        if not mentor_pk.isdigit():
            raise Http404("Choose a mentor.")
        mentor = get_object_or_404(
            MentorProfile.objects.in_programme(programme)
            .select_related("user")
            .defer("search_vector"),
            pk=mentor_pk,
        )
        back = data.get("back", "")
        if back == "queue" and programme.matches_centrally:
            back_url = reverse("admin:profiles_menteeprofile_applicants", args=[programme.pk])
        else:
            back, back_url = "", reverse("admin:profiles_menteeprofile_match", args=[pk])
            back_url += f"?programme={programme.pk}"
        note = data.get("note", "").strip() if request.method == "POST" else ""
        if request.method == "POST":
            if action == "match":
                mentorship = self._match(
                    request,
                    mentor=mentor,
                    mentee=mentee_profile.user,
                    programme=programme,
                    note=note,
                )
                if mentorship is not None:
                    if back == "queue":
                        return redirect(back_url)
                    return redirect("admin:matching_mentorship_change", mentorship.pk)
            elif self._propose(
                request, mentor=mentor, mentee=mentee_profile.user, programme=programme, note=note
            ):
                return redirect(back_url)
        scored = match_scoring.score_candidates(programme, [mentee_profile], [mentor])
        ctx = {
            **self.admin_site.each_context(request),
            "title": (
                f"Propose {mentor.user.full_name} to mentor {mentee_profile.user.full_name}"
                if action == "propose"
                else f"Match {mentee_profile.user.full_name} with {mentor.user.full_name}"
            ),
            "action": action,
            "mentee_profile": mentee_profile,
            "mentor": mentor,
            "programme": programme,
            "suggestion": next(iter(scored[mentee_profile.user_id]), None),
            "note": note,
            "back": back,
            "back_url": back_url,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/profiles/match_confirm.html", ctx)

    def _propose(
        self, request, *, mentor: MentorProfile, mentee: User, programme: Programme, note: str
    ) -> bool:
        """Propose the mentor on the mentee's behalf (services.propose_match); its sentence is the
        error message."""
        try:
            services.propose_match(
                mentor=mentor.user, mentee=mentee, by=request.user, programme=programme, note=note
            )
        except services.MatchingError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False
        self.message_user(
            request,
            f"Proposed {mentor.user.full_name} as {mentee.full_name}'s mentor in "
            f"{programme.name}: {mentor.user.get_short_name()} has been emailed the request to "
            f"accept or decline, and {mentee.get_short_name()} has been told.",
            messages.SUCCESS,
        )
        return True

    def match_view(self, request, pk: int):
        """Central matching: suggested mentors for one mentee in one of their programmes, best
        score first with the reasons, each to match now or propose to the mentor (both through
        a confirmation page), under the same rules as a mentee's own request."""
        mentee_profile, programme, programmes = self._mentee_in_programme(request, pk)
        if request.method not in ("GET", "HEAD"):
            # Matching goes through the confirmation page (its note, its checks).
            return HttpResponseNotAllowed(["GET", "HEAD"])
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Find a mentor for {mentee_profile.user.full_name}",
            "mentee_profile": mentee_profile,
            "programme": programme,
            "programmes": programmes,
            "wanted": list(mentee_profile.areas.all()),
            "suggestions": suggested_mentors(mentee_profile, programme),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/profiles/match.html", ctx)

    def applicants_view(self, request, programme_pk: int):
        """The queue of a programme that matches centrally: mentees who applied to be matched
        and have no mentor in it yet, longest waiting first, each with suggested mentors."""
        programme = self._central_programme(request, programme_pk)
        if request.method not in ("GET", "HEAD"):
            # Matching goes through the confirmation page (its note, its checks).
            return HttpResponseNotAllowed(["GET", "HEAD"])
        queue = list(
            applicants(programme)
            .select_related("user__mentee_profile")
            .prefetch_related(
                Prefetch(
                    "preferred_mentors",
                    queryset=User.objects.select_related("mentor_profile").order_by("full_name"),
                ),
                "user__mentee_profile__areas",
            )[:APPLICANTS_SHOWN]
        )
        suggest_for_queue(programme, queue)
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Applicants to be matched: {programme.name}",
            "programme": programme,
            "queue": queue,
            "draft_run": MatchRun.objects.filter(
                programme=programme, status=MatchRun.Status.DRAFT
            ).first(),
            "rounds": list(programme.rounds.all()),
            "shown": APPLICANTS_SHOWN,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/profiles/applicants.html", ctx)

    # Bulk matching (matching.match_runs): a proposed set of pairs for the applicants, adjusted
    # and published by a coordinator of the programme.

    def _central_programme(self, request, programme_pk: int) -> Programme:
        if not self.has_match_permission(request):
            raise PermissionDenied
        programme = get_object_or_404(coordinated_programmes(request), pk=programme_pk)
        if not programme.matches_centrally:
            raise Http404(f"{programme.name} does not match mentees centrally.")
        return programme

    def _run(self, request, run_pk: int) -> MatchRun:
        """A run of one of the person's programmes (another programme's run is not found)."""
        if not self.has_match_permission(request):
            raise PermissionDenied
        runs = MatchRun.objects.filter(programme__in=coordinated_programmes(request))
        return get_object_or_404(runs.select_related("programme", "round"), pk=run_pk)

    def propose_run_view(self, request, programme_pk: int):
        """Propose a set of pairs for the programme's applicants (those of one round if
        chosen); a draft that exists is opened instead, never replaced."""
        programme = self._central_programme(request, programme_pk)
        if request.method != "POST":
            return redirect("admin:profiles_menteeprofile_applicants", programme.pk)
        chosen = request.POST.get("round", "")
        in_round = (
            get_object_or_404(programme.rounds.all(), pk=chosen) if chosen.isdigit() else None
        )
        run, created = match_runs.propose(
            programme, queue=applicants(programme), round=in_round, by=request.user
        )
        if created:
            self.message_user(
                request,
                _proposed_sentence(run.summary["matched"], len(run.summary["applicants"])),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"{programme.name} already has a draft set of pairs (proposed "
                f"{run.created_at:%-d %B %Y %H:%M}): here it is. Discard it to propose a new one.",
                messages.WARNING,
            )
        return redirect("admin:profiles_menteeprofile_run", run.pk)

    def run_view(self, request, run_pk: int):
        """A run's pairs with their scores and reasons, the applicants left unmatched and why,
        and (while a draft) changing or removing a pair, or discarding the run."""
        run = self._run(request, run_pk)
        errors: dict[int, str] = {}
        chosen: dict[int, str] = {}
        confirm_discard = False
        if request.method == "POST":
            action = request.POST.get("action")
            mentee_id = request.POST.get("applicant", "")
            try:
                if action == "discard" and request.POST.get("confirm") != "1":
                    confirm_discard = run.status == MatchRun.Status.DRAFT  # asked first
                elif action == "discard":
                    if match_runs.discard(run):
                        self.message_user(request, "The draft set of pairs was discarded.")
                    return redirect("admin:profiles_menteeprofile_applicants", run.programme_id)
                elif not mentee_id.isdigit():
                    raise Http404("No such applicant.")
                if action == "remove":
                    match_runs.remove_pair(run, mentee_id=int(mentee_id))
                    self.message_user(request, "The pair was removed from the set.")
                    return redirect(request.path)
                if action == "change":
                    mentor_id = request.POST.get("mentor", "")
                    chosen[int(mentee_id)] = mentor_id
                    if not mentor_id.isdigit():
                        raise match_runs.RunError("Choose a mentor.")
                    match_runs.change_mentor(
                        run, mentee_id=int(mentee_id), mentor_id=int(mentor_id)
                    )
                    self.message_user(request, "The applicant's mentor was changed.")
                    return redirect(request.path)
            except match_runs.RunError as exc:
                if mentee_id.isdigit():
                    errors[int(mentee_id)] = str(exc)
                else:
                    self.message_user(request, str(exc), messages.ERROR)
            run.refresh_from_db()
        pairs = list(run.pairs.select_related("mentee", "mentor").order_by("pk"))
        options = match_runs.choices(run, pairs) if run.status == MatchRun.Status.DRAFT else {}
        elsewhere = (
            match_runs.in_other_drafts(run, [p.mentor_id for p in pairs])
            if run.status == MatchRun.Status.DRAFT
            else {}
        )
        rows = [
            {
                "pair": p,
                "options": options.get(p.mentee_id, []),
                "error": errors.get(p.mentee_id),
                "chosen": chosen.get(p.mentee_id, str(p.mentor_id)),
                "elsewhere": elsewhere.get(p.mentor_id, []),
            }
            for p in pairs
        ]
        left = [
            {
                "unmatched": u,
                "options": options.get(u.mentee.pk, []),
                "error": errors.get(u.mentee.pk),
                "chosen": chosen.get(u.mentee.pk, ""),
            }
            for u in match_runs.unmatched(run, pairs)
        ]
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Matching run: {run.programme.name}",
            "run": run,
            "programme": run.programme,
            "rows": rows,
            "left": left,
            "is_draft": run.status == MatchRun.Status.DRAFT,
            "confirm_discard": confirm_discard,
            "total": round(sum(p.score for p in pairs), 3),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/profiles/match_run.html", ctx)

    def publish_run_view(self, request, run_pk: int):
        """Publish a draft run after a confirmation: each pair is made (and both people
        emailed); a second publish does nothing."""
        run = self._run(request, run_pk)
        if request.method == "POST":
            how = (
                match_runs.PROPOSE if request.POST.get("how") == "propose" else match_runs.MATCH_NOW
            )
            published = match_runs.publish(run, by=request.user, how=how)
            if published is None:
                self.message_user(
                    request, "This run was already published or discarded.", messages.WARNING
                )
            else:
                outcomes = list(published.pairs.values_list("outcome", flat=True))
                failed = outcomes.count(MatchRunPair.Outcome.FAILED)
                made = len(outcomes) - failed
                self.message_user(
                    request,
                    _published_sentence(made, failed, proposed=how == match_runs.PROPOSE),
                    messages.SUCCESS if not failed else messages.WARNING,
                )
            return redirect("admin:profiles_menteeprofile_run", run.pk)
        if run.status != MatchRun.Status.DRAFT:
            return redirect("admin:profiles_menteeprofile_run", run.pk)
        ctx = {
            **self.admin_site.each_context(request),
            "title": f"Publish the set of pairs for {run.programme.name}?",
            "run": run,
            "programme": run.programme,
            "count": run.pairs.count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/profiles/match_run_publish.html", ctx)


APPLICANTS_SHOWN = 50  # the longest waiting; matching them brings the next ones up
SUGGESTIONS_PER_APPLICANT = 3


def applicants(programme: Programme):
    """Approved mentees of `programme` who applied to be matched and have no active mentorship
    in it, the longest waiting first (advice and informal pairs do not count: they do not
    answer an application to be matched)."""
    paired = Mentorship.objects.active().filter(
        mentee=OuterRef("user"), programme=programme, engagement=Engagement.LONG_TERM
    )
    return (
        Membership.objects.approved()
        .mentees()
        .filter(programme=programme, applied_at__isnull=False)
        .exclude(Exists(paired))
        .order_by("applied_at", "pk")
    )


def suggest_for_queue(programme: Programme, queue: list[Membership]) -> None:
    """Up to three suggestions for each applicant, best score first (matching.match_scoring:
    areas, goals, industry, format, language, place, free places and past pairs, each with its
    reasons), the mentors they named with why one cannot be matched, and the scheme team's
    latest proposal for them (waiting, declined or expired), in a fixed number of queries for
    the whole page."""
    now = timezone.now()
    today = timezone.localdate(now)
    profiles = [
        m.user.mentee_profile for m in queue if getattr(m.user, "mentee_profile", None) is not None
    ]
    scored = match_scoring.score_candidates(programme, profiles)
    named = [u.pk for m in queue for u in m.preferred_mentors.all()]
    here = services.pairs_here(programme, named)
    proposals = latest_proposals(programme, [m.user_id for m in queue])
    for membership in queue:
        mentee_profile = getattr(membership.user, "mentee_profile", None)
        wanted = sorted(mentee_profile.areas.all(), key=lambda a: a.pk) if mentee_profile else []
        membership.waiting_days = (today - timezone.localdate(membership.applied_at)).days
        membership.wanted = [a.name for a in wanted]
        membership.suggestions = scored.get(membership.user_id, [])[:SUGGESTIONS_PER_APPLICANT]
        membership.proposal = proposals.get(membership.user_id)
        membership.preferred = [
            {
                "user": user,
                "profile": getattr(user, "mentor_profile", None),
                "refusal": _preferred_refusal(
                    programme, mentee_profile, user, today=today, here=here.get(user.pk, 0)
                ),
            }
            for user in membership.preferred_mentors.all()
        ]


def latest_proposals(programme: Programme, mentee_ids: list[int]) -> dict[int, MentorshipRequest]:
    """Each mentee's latest proposal by the scheme team in `programme` (services.propose_match),
    with its mentor, in one query: the queue says it waits, or was declined or expired."""
    latest = (
        MentorshipRequest.objects.filter(
            programme=programme, mentee__in=mentee_ids, proposed_by__isnull=False
        )
        .select_related("mentor")
        .order_by("mentee_id", "-created_at", "-pk")
        .distinct("mentee_id")
    )
    return {r.mentee_id: r for r in latest if r.mentee_id is not None}


def _preferred_refusal(
    programme: Programme, mentee_profile, user: User, *, today, here: int
) -> str | None:
    """Why a mentor the applicant named cannot be matched with them here, shown before anyone
    tries: the rules central matching checks on the mentor, in its words
    (services.central_rules_refusal; `here`: the mentor's pairs in the programme)."""
    profile = getattr(user, "mentor_profile", None)
    if profile is None:
        return f"{user.full_name} is not an approved mentor in {programme.name}."
    return services.central_rules_refusal(
        programme, mentor_profile=profile, mentee_profile=mentee_profile, today=today, here=here
    )


def suggested_mentors(
    mentee_profile: MenteeProfile, programme: Programme, limit: int = 25
) -> list[match_scoring.Suggestion]:
    """The best `limit` mentors for one mentee in `programme` (matching.match_scoring), never
    the mentee's line manager or a colleague where the programme rules that out."""
    return match_scoring.score_candidates(programme, [mentee_profile])[mentee_profile.user_id][
        :limit
    ]


@admin.register(MessageReport)
class MessageReportAdmin(ProgrammeScopedMixin, LargeTableAdminMixin, admin.ModelAdmin):
    """Messages a participant reported to the coordinators: the only messages anyone but the
    two people of a conversation sees (Conversation and Message have no admin). Read-only:
    matching.conversations.report_message writes reports."""

    programme_lookup = "message__conversation__programme"

    list_display = ["created_at", "reporter_name", "author_name", "reason_start", "message_start"]
    list_filter = ["created_at"]
    list_select_related = ["reported_by", "message__author", "message__conversation__programme"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = ["created_at", "reporter_name", "reason", "author_name", "sent_at", "message_text"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(ordering="reported_by__full_name", description="reported by")
    def reporter_name(self, obj):
        return obj.reported_by.full_name if obj.reported_by else "a former participant"

    @admin.display(ordering="message__author__full_name", description="written by")
    def author_name(self, obj):
        author = obj.message.author
        return author.full_name if author else "a former participant"

    @admin.display(description="sent")
    def sent_at(self, obj):
        from django.utils.formats import localize  # noqa: PLC0415

        # A read-only callable's value is shown as str(): a datetime would read
        # "2026-11-26 09:48:38.782256+00:00", so it is formatted here as the admin formats dates.
        return localize(timezone.template_localtime(obj.message.created_at))

    @admin.display(description="why")
    def reason_start(self, obj):
        return obj.reason if len(obj.reason) <= 80 else f"{obj.reason[:79]}…"

    @admin.display(description="message")
    def message_start(self, obj):
        body = obj.message.body
        return body if len(body) <= 80 else f"{body[:79]}…"

    @admin.display(description="the message")
    def message_text(self, obj):
        return obj.message.body


def _proposed_sentence(pairs: int, applicants: int) -> str:
    """ "Proposed 1 pair for 3 applicants.", with each number's own plural."""
    proposed = ngettext("Proposed %(n)d pair", "Proposed %(n)d pairs", pairs) % {"n": pairs}
    among = ngettext("for %(n)d applicant.", "for %(n)d applicants.", applicants) % {
        "n": applicants
    }
    return f"{proposed} {among} Nothing is sent until you publish."


def _published_sentence(made: int, failed: int, *, proposed: bool) -> str:
    """ "Published: 2 pairs matched, 1 could not be made (see why below).", each number with
    its own plural."""
    if proposed:
        done = ngettext(
            "Published: %(n)d pair proposed to the mentor",
            "Published: %(n)d pairs proposed to the mentors",
            made,
        )
    else:
        done = ngettext("Published: %(n)d pair matched", "Published: %(n)d pairs matched", made)
    done %= {"n": made}
    if not failed:
        return f"{done}."
    not_made = ngettext(
        "%(n)d could not be made (see why below).",
        "%(n)d could not be made (see why below).",
        failed,
    ) % {"n": failed}
    return f"{done}, {not_made}"
