from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import ngettext

from mentoring.admin_utils import ProgrammeScopedMixin
from mentoring.models import Month, Outbox, SchemeSettings
from profiles.models import Membership


@admin.register(Outbox)
class OutboxAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    """Metadata only. An email's content (body, headers, context) may hold a password-reset or
    sign-in link, so it is never shown, searched, filtered on or even loaded here.

    A coordinator sees the emails to the people of their programmes only, and of each its kind,
    recipient, times and status, never its subject: a person may take part in several
    programmes, and an email's subject can be about one the coordinator does not run ("… would
    like you to be their mentor"). A superuser sees all, subjects and emails to nobody's
    address among them."""

    programme_lookup = "recipient__memberships__programme"

    def in_programmes(self, request, ids):
        # An email to an account, or to the address of one (allauth's emails name no account).
        members = Membership.objects.current().filter(programme__in=list(ids))
        return Exists(members.filter(user=OuterRef("recipient"))) | Exists(
            members.filter(user__email__iexact=OuterRef("to_email"))
        )

    CONTENT = ["body_text", "body_html", "headers", "context"]

    list_display = ["created_at", "kind", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = readonly_fields = [
        "kind",
        "recipient",
        "to_email",
        "subject",
        "status",
        "attempts",
        "created_at",
        "queued_at",
        "next_attempt_at",
        "sent_at",
        "claimed_at",
        "claimed_by",
        "last_error",
    ]
    actions = ["retry_now"]

    # What a coordinator does not see of an email (see the class's docstring).
    SUPERUSER_ONLY = ["subject"]

    def _hidden(self, request) -> list[str]:
        user = request.user
        return [] if user.is_active and user.is_superuser else self.SUPERUSER_ONLY

    def _without_hidden(self, request, names):
        hidden = self._hidden(request)
        return [name for name in names if name not in hidden]

    def get_list_display(self, request):
        return self._without_hidden(request, super().get_list_display(request))

    def get_search_fields(self, request):
        return self._without_hidden(request, super().get_search_fields(request))

    def get_fields(self, request, obj=None):
        return self._without_hidden(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self._without_hidden(request, super().get_readonly_fields(request, obj))

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*self.CONTENT, *self._hidden(request))

    def lookup_allowed(self, lookup, value, request):
        # The changelist otherwise accepts any filter on the model's own fields in the URL
        # (?body_text__contains=...), which would reveal a link one character at a time; a
        # coordinator may not filter on what they may not see either (?subject__contains=).
        if lookup.split(LOOKUP_SEP, 1)[0] in [*self.CONTENT, *self._hidden(request)]:
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    @admin.action(
        description="Retry the selected failed or queued emails now", permissions=["change"]
    )
    def retry_now(self, request, queryset):
        from django.utils import timezone

        # Only emails whose sending failed: never a sent one (twice), one being sent (the sweep
        # retries it if its claim expires), a cancelled one, one held on purpose (a retry now
        # would end its hold early), or one whose content the retention job has blanked.
        failed = Q(status=Outbox.Status.FAILED) | Q(status=Outbox.Status.QUEUED, attempts__gt=0)
        retryable = queryset.filter(failed).exclude(body_text="", body_html="")
        count = retryable.update(
            status=Outbox.Status.QUEUED, next_attempt_at=timezone.now(), queued_at=None, attempts=0
        )
        self.message_user(
            request,
            ngettext(
                "%(n)d email will be sent by the next sweep.",
                "%(n)d emails will be sent by the next sweep.",
                count,
            )
            % {"n": count},
        )


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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "recruitment_months":
            # Twelve labelled checkboxes rather than the array's comma-separated text ("3,8").
            return forms.TypedMultipleChoiceField(
                label="Recruitment rounds (months)",
                choices=Month.choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # What these are now: each programme has its own copy of these rules.
        extra_context = {
            "subtitle": "Defaults for new programmes; each programme has its own rules "
            "(Programmes).",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # One record: go straight to it.
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect

        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings_row = SchemeSettings.load()
        return redirect("admin:mentoring_schemesettings_change", settings_row.pk)
