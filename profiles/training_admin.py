"""Training, training records and handbook pages in the admin, each scoped to the programmes a
coordinator runs (mentoring.admin_utils.ProgrammeScopedMixin); and "Record training for the
selected people…", an action on the memberships (profiles.admin.MembershipAdmin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from mentoring.admin_utils import ProgrammeScopedMixin, coordinated_programmes
from profiles import handbook, services, training
from profiles.models import HandbookPage, Membership, Training, TrainingRecord


@admin.register(Training)
class TrainingAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    list_display = ["name", "programme", "audience", "required", "valid_months", "position"]
    list_filter = ["audience", "required"]
    list_select_related = ["programme"]
    search_fields = ["name", "programme__name"]
    ordering = ["programme", "position", "name"]
    fields = [
        "programme",
        "name",
        "description",
        "url",
        "audience",
        "required",
        "valid_months",
        "position",
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "programme"] if obj is not None else readonly


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["training", "user", "completed_on"]

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date it was completed cannot be in the future.")
        return value


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    """Who completed which training. Recorded through profiles.training (the expiry follows the
    training's validity, and renewing clears the expiry reminder)."""

    programme_lookup = "training__programme"
    form = TrainingRecordForm
    list_display = ["person", "training", "completed_on", "expires_on", "recorded_by"]
    list_filter = ["training", "completed_on", "expires_on"]
    list_select_related = ["user", "training__programme", "recorded_by"]
    search_fields = ["user__full_name", "user__email", "training__name"]
    autocomplete_fields = ["user"]
    ordering = ["-completed_on"]
    readonly_fields = ["expires_on", "recorded_by", "recorded_at", "expiry_reminded_at"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "training", "user"] if obj is not None else readonly

    @admin.display(ordering="user__full_name", description="person")
    def person(self, obj):
        return obj.user.full_name or obj.user.email

    def save_model(self, request, obj, form, change):
        # Through the service: the expiry, the reminder mark and the profile's date follow. A
        # change of an existing record is a correction: an earlier date replaces it too.
        saved = training.record_completion(
            obj.user,
            obj.training,
            form.cleaned_data["completed_on"],
            by=request.user,
            correction=change,
        )
        services.approve_once_trained(obj.user, obj.training.programme)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(HandbookPage)
class HandbookPageAdmin(ProgrammeScopedMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "moment", "position", "updated_at"]
    list_filter = ["moment"]
    list_select_related = ["programme"]
    search_fields = ["title", "body", "programme__name"]
    ordering = ["programme", "position", "title"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["programme", "title", "slug", "moment", "position", "body", "preview"]
    readonly_fields = ["preview", "updated_at"]

    @admin.display(description="preview (as members see it)")
    def preview(self, obj):
        if obj is None or not obj.body:
            return "Shown once the page is saved."
        return format_html(
            '<div class="handbook-preview">{}</div>', handbook.render_markdown(obj.body)
        )


# "Record training for the selected people…" on the memberships ------------------------------


class RecordTrainingForm(forms.Form):
    training = forms.ModelChoiceField(
        queryset=Training.objects.none(),
        label="Training",
        error_messages={"required": "Choose the training they completed."},
    )
    completed_on = forms.DateField(
        label="Completed on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date they completed it.",
            "invalid": "Enter a real date.",
        },
    )

    def __init__(self, *args, trainings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = trainings

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date they completed it cannot be in the future.")
        return value


class RecordTrainingMixin:
    """For MembershipAdmin: record that the selected people completed one of their programme's
    trainings on a date. Allowed to whoever may add training records."""

    def has_record_training_permission(self, request) -> bool:
        return request.user.has_perm("profiles.add_trainingrecord")

    @admin.action(
        description="Record training for the selected people…", permissions=["record_training"]
    )
    def record_training(self, request, queryset):
        memberships = list(queryset.select_related("user", "programme"))
        programme_ids = {m.programme_id for m in memberships}
        trainings = (
            Training.objects.filter(programme__in=programme_ids)
            .filter(programme__in=coordinated_programmes(request))
            .select_related("programme")
            .order_by("programme__name", "position", "name")
        )
        form = RecordTrainingForm(
            request.POST if "apply" in request.POST else None,
            trainings=trainings,
            initial={"completed_on": timezone.localdate()},
        )
        if form.is_valid():
            item = form.cleaned_data["training"]
            people = {m.user_id: m.user for m in memberships if m.programme_id == item.programme_id}
            skipped = len({m.user_id for m in memberships}) - len(people)
            try:
                changed = training.record_for_many(
                    list(people.values()), item, form.cleaned_data["completed_on"], by=request.user
                )
            except training.TrainingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            for person in people.values():
                # A programme without an approval step lists a mentor once trained.
                services.approve_once_trained(person, item.programme)
            self.message_user(
                request,
                ngettext(
                    "Recorded %(training)s for %(n)d person.",
                    "Recorded %(training)s for %(n)d people.",
                    len(people),
                )
                % {"training": item.name, "n": len(people)}
                + (
                    ""
                    if changed == len(people)
                    else f" {len(people) - changed} had it recorded already on that date or later."
                ),
                messages.SUCCESS,
            )
            if skipped:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d selected person is not in %(programme)s and was left out.",
                        "%(n)d selected people are not in %(programme)s and were left out.",
                        skipped,
                    )
                    % {"n": skipped, "programme": item.programme.name},
                    messages.WARNING,
                )
            return None
        ctx = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": "Record training",
            "form": form,
            "memberships": memberships,
            "has_trainings": trainings.exists(),
            "action": "record_training",
            "opts": Membership._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/profiles/record_training.html", ctx)
