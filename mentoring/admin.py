from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import ngettext

from mentoring import email_kinds
from mentoring.admin_utils import ProgrammeScopedMixin, coordinated_programme_ids
from mentoring.delivery import PRIVATE_KINDS, SECRET_KINDS
from mentoring.models import EmailWording, Month, Outbox, SchemeSettings
from profiles.models import Membership


@admin.register(Outbox)
class OutboxAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    """Metadata, and for superusers the email as sent with every link's secret part masked
    (`email_as_sent`; never an email that carries a sign-in or reset link, nor one that quotes a
    pair's private words: delivery.PRIVATE_KINDS). An email's content
    (body, headers, context) may hold such a link, so it is never searched, filtered on or
    loaded for the list.

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
        fields = self._without_hidden(request, super().get_fields(request, obj))
        # The rendered email, masked: superusers only (a coordinator never sees a subject).
        return (
            [*fields, "email_as_sent"] if obj is not None and not self._hidden(request) else fields
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = self._without_hidden(request, super().get_readonly_fields(request, obj))
        return [*readonly, "email_as_sent"]

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

    @admin.display(description="Email as sent")
    def email_as_sent(self, obj):
        """The rendered email, for superusers: its HTML in a sandboxed frame served with its own
        strict policy (mentoring.backoffice.views.outbox_email_html), its text below, every
        link's secret part masked. Emails that carry a sign-in or reset link, or quote a pair's
        private words (delivery.PRIVATE_KINDS), show nothing."""
        if obj.kind in SECRET_KINDS:
            return "Not shown: this email carries a sign-in, confirmation or reset link."
        if obj.kind in PRIVATE_KINDS:
            return "Not shown: this email carries a pair's private words."
        if not (obj.body_text or obj.body_html):
            return "Not kept: the retention job has removed this email's content."
        from mentoring.logs import mask_links

        frame = ""
        if obj.body_html:
            frame = format_html(
                '<iframe class="email-frame" sandbox="" title="The email as its recipient saw it"'
                ' src="{}"></iframe>',
                reverse("admin-outbox-email-html", args=[obj.pk]),
            )
        return format_html(
            '{}<h3>Plain text</h3><pre class="email-text">{}</pre>',
            frame,
            mask_links(obj.body_text),
        )

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


class EmailWordingForm(forms.ModelForm):
    kind = forms.ChoiceField(label="Email", choices=email_kinds.choices)

    class Meta:
        model = EmailWording
        fields = ["kind", "programme", "language", "intro", "sign_off"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("programme") and not getattr(self, "may_edit_default", False):
            self.add_error(
                "programme",
                "Choose one of your programmes: the wording for every programme is changed by "
                "an organisation administrator.",
            )
        return cleaned


@admin.register(EmailWording)
class EmailWordingAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    """The team's words in emails. A coordinator changes their programmes' wording and reads the
    all-programmes default (superusers change it); nothing is deleted here (an empty field
    brings back the email's own words)."""

    form = EmailWordingForm
    list_display = [
        "title",
        "kind",
        "programme_name",
        "language",
        "updated_at",
        "updated_by",
        "preview_link",
    ]
    list_filter = ["language", "kind"]
    list_select_related = ["programme", "updated_by"]
    search_fields = ["kind", "intro", "sign_off"]
    readonly_fields = ["updated_at", "updated_by", "preview_link"]

    def scope(self, request, queryset):
        ids = coordinated_programme_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(Q(programme__in=ids) | Q(programme__isnull=True))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.may_edit_default = request.user.is_superuser
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.programme_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="Email", ordering="kind")
    def title(self, obj):
        return email_kinds.describe(obj.kind).title

    @admin.display(description="Programme", ordering="programme__name")
    def programme_name(self, obj):
        return obj.programme.name if obj.programme_id else "Every programme"

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if obj.pk is None:
            return "-"
        query = {"kind": obj.kind, "language": obj.language}
        if obj.programme_id:
            query["programme"] = obj.programme_id
        return format_html(
            '<a href="{}?{}">Preview {}</a>',
            reverse("admin-email-previews"),
            urlencode(query),
            email_kinds.describe(obj.kind).title,
        )
