from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import User
from mentoring.text import counted
from profiles import photos
from profiles.models import (
    ExpertiseArea,
    Industry,
    JobHistoryEntry,
    MeetingFormat,
    MeetingFrequency,
    Membership,
    MenteeProfile,
    MentorProfile,
)


class _CheckboxMultiple(forms.CheckboxSelectMultiple):
    pass


class MentorProfileForm(forms.ModelForm):
    areas = forms.ModelMultipleChoiceField(
        queryset=ExpertiseArea.objects.all(),
        widget=_CheckboxMultiple,
        label=_("Areas I can help with"),
        help_text=_("Choose the areas where you can really help; mentees filter by them."),
        error_messages={"required": _("Choose at least one area you can help with.")},
    )
    formats = forms.MultipleChoiceField(
        choices=MeetingFormat.choices,
        widget=_CheckboxMultiple,
        label=_("Meeting formats I offer"),
        error_messages={"required": _("Choose at least one way you can meet.")},
    )
    # Optional; checked and re-encoded by profiles.photos (clean_photo), never stored as sent.
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_(
            "A JPEG, PNG or WebP of your face, up to 5 MB. We crop it to a square. Without "
            "one, mentees see your initials."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = MentorProfile
        fields = [
            "photo",
            "headline",
            "job_title",
            "organisation",
            "industry",
            "department",
            "city",
            "country",
            "languages",
            "course",
            "graduation_year",
            "key_areas",
            "moves_experience",
            "areas",
            "help_offered",
            "formats",
            "frequency",
            "capacity",
            "advice_per_month",
        ]
        # Fields named by Django from the field's name (a verbose name there would need a
        # migration): translated here.
        labels = {
            "headline": _("Headline"),
            "organisation": _("Organisation"),
            "department": _("Department"),
            "city": _("City"),
            "country": _("Country"),
            "graduation_year": _("Graduation year"),
        }
        widgets = {
            "key_areas": forms.Textarea(attrs={"rows": 4}),
            "moves_experience": forms.Textarea(attrs={"rows": 3}),
            "help_offered": forms.Textarea(attrs={"rows": 3}),
            "graduation_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "capacity": forms.NumberInput(attrs={"min": 1, "max": 10}),
            "advice_per_month": forms.NumberInput(attrs={"min": 0, "max": 20}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One-off advice is offered with `advice_per_month`, and only where a programme of the
        # mentor's allows it; the old "single conversation" frequency stays valid for profiles
        # that still have it, but is no longer offered.
        field = self.fields["frequency"]
        if self.instance.frequency != MeetingFrequency.ONE_OFF:
            field.choices = [c for c in field.choices if c[0] != MeetingFrequency.ONE_OFF]
        else:
            field.choices = [
                (
                    value,
                    gettext("One conversation only (an old setting: choose how often you meet)"),
                )
                if value == MeetingFrequency.ONE_OFF
                else (value, label)
                for value, label in field.choices
            ]
        offers_advice = self.instance.user_id is not None and (
            Membership.objects.current()
            .mentors()
            .filter(user=self.instance.user_id, programme__engagement_types__contains=["advice"])
            .exists()
        )
        if not offers_advice:
            del self.fields["advice_per_month"]
        else:
            self.fields["advice_per_month"].label = gettext("One-off advice conversations a month")
            self.fields["advice_per_month"].help_text = gettext(
                "One conversation on a topic, with mentees who may already have a mentor. They "
                "do not take one of your places. 0 if you do not offer them."
            )
            self.fields["advice_per_month"].error_messages["max_value"] = gettext(
                "Please choose at most 20 a month."
            )

    def clean_photo(self):
        return photos.clean_upload(self.cleaned_data.get("photo"))

    def save(self, commit=True):
        """Saves the profile; a replaced or removed photo's old file goes once it is committed."""
        old_name = getattr(self.initial.get("photo"), "name", "") or ""
        profile = super().save(commit=commit)
        if commit:
            photos.after_save(old_name, profile.photo.name or "")
        return profile

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        current = self.instance.mentee_count if self.instance.pk else 0
        if capacity < current:
            raise forms.ValidationError(
                gettext(
                    "You mentor %(people)s at the moment, so choose at least %(count)s. "
                    "To take fewer, end a mentorship first."
                )
                % {"people": counted(current, "person", "people"), "count": current}
            )
        return capacity


class JobHistoryForm(forms.ModelForm):
    class Meta:
        model = JobHistoryEntry
        fields = ["title", "organisation", "start_year", "end_year", "description"]
        labels = {"organisation": _("Organisation"), "description": _("Description")}
        widgets = {
            "start_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "end_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }


JobHistoryFormSet = inlineformset_factory(
    MentorProfile,
    JobHistoryEntry,
    form=JobHistoryForm,
    extra=1,
    can_delete=True,
    max_num=15,
    validate_max=True,
)


class MenteeProfileForm(forms.ModelForm):
    areas = forms.ModelMultipleChoiceField(
        queryset=ExpertiseArea.objects.all(),
        widget=_CheckboxMultiple,
        required=False,
        label=_("Areas I want help with"),
        help_text=_("Mentors who help with these come first in the directory."),
    )
    preferred_formats = forms.MultipleChoiceField(
        choices=MeetingFormat.choices,
        widget=_CheckboxMultiple,
        required=False,
        label=_("Formats I prefer"),
    )

    class Meta:
        model = MenteeProfile
        fields = [
            "role",
            "stage",
            "goals",
            "areas",
            "preferred_formats",
            "introduction",
            "department",
            "line_manager_email",
        ]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 4}),
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, line_management: bool = False, **kwargs):
        """`line_management`: the person is a mentee in a programme that keeps mentors outside
        the mentee's line management, which reads their department and line manager; nobody
        else is asked for them."""
        super().__init__(*args, **kwargs)
        if not line_management:
            del self.fields["department"]
            del self.fields["line_manager_email"]


class RoleChoiceForm(forms.Form):
    ROLE_CHOICES = [
        ("mentee", _("I'd like a mentor")),
        ("mentor", _("I'd like to mentor")),
        ("both", _("Both: I'd like a mentor and to mentor others")),
    ]
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        label=_("How would you like to take part?"),
        error_messages={"required": _("Choose how you would like to take part.")},
    )


class _LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Drops values it does not know instead of failing, so old links keep working."""

    def clean(self, value):
        known = {str(k) for k, _ in self.choices}
        return [v for v in (value or []) if v in known]


def _country_choices() -> list[tuple[str, str]]:
    return [("", gettext("Any country")), *countries]


class _CountryField(forms.ChoiceField):
    """A country by its code. Its 249 names, in the reader's language, are listed only when the
    filters are drawn: most directory pages come from the cache and only check the code."""

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in countries


class DirectoryFilterForm(forms.Form):
    """The directory's GET parameters. Invalid values are ignored, never an error page."""

    programme = forms.SlugField(required=False, max_length=60, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    area = _LenientMultipleChoiceField(
        label=_("Areas"), required=False, widget=forms.CheckboxSelectMultiple
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("Any industry")), *Industry.choices]
    )
    country = _CountryField(label=_("Country"), required=False)
    format = forms.ChoiceField(
        label=_("Meeting format"),
        required=False,
        choices=[("", _("Any format")), *MeetingFormat.choices],
    )
    available = forms.BooleanField(label=_("Has a free place"), required=False)
    advice = forms.BooleanField(label=_("Offers one-off advice"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, areas: list[ExpertiseArea], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.slug, a.name) for a in areas]

    def value(self, name: str, default=None):
        """The cleaned value of a field, or the default when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return default
        return self.cleaned_data.get(name, default) or default


class ProgrammeRoleForm(forms.Form):
    """Which role a join or leave button is for."""

    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        error_messages={
            "required": _("Choose whether you join as a mentor or a mentee."),
            "invalid_choice": _("Choose whether you join as a mentor or a mentee."),
        },
    )


PREFERRED_MENTORS_MAX = 3


def mentor_choice_label(profile: MentorProfile) -> str:
    return gettext("%(name)s, %(job_title)s at %(organisation)s") % {
        "name": profile.user.full_name,
        "job_title": profile.job_title,
        "organisation": profile.organisation,
    }


class MatchingApplicationForm(forms.Form):
    """A mentee applies to be matched by a programme's coordinators. `mentors` are the mentors
    they may name (approved in the programme); `shown` the ones offered as checkboxes."""

    application = forms.CharField(
        label=_("What I am looking for in a mentor"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you hope to achieve and the experience that would help you. The "
            "coordinators read this when they choose your mentor."
        ),
        error_messages={
            "required": _("Tell the coordinators what you are looking for in a mentor.")
        },
    )
    preferred_mentors = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=_CheckboxMultiple,
        label=_("Mentors I would like (optional)"),
        # help_text: set in __init__, with the number.
        error_messages={
            "invalid_choice": _("Choose among the mentors of this programme."),
            "invalid_pk_value": _("Choose among the mentors of this programme."),
        },
    )

    def __init__(self, *args, mentors, shown: list[MentorProfile], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_mentors"]
        field.help_text = gettext(
            "Choose up to %(count)s. The coordinators take your choice into account; they may "
            "suggest someone else."
        ) % {"count": PREFERRED_MENTORS_MAX}
        field.queryset = User.objects.filter(mentor_profile__in=mentors)
        # Validated against every mentor of the programme; only some are offered at a time.
        field.widget.choices = [(p.user_id, mentor_choice_label(p)) for p in shown]
        field.widget.attrs["class"] = "form-check-input"

    def clean_preferred_mentors(self):
        chosen = self.cleaned_data["preferred_mentors"]
        if len(chosen) > PREFERRED_MENTORS_MAX:
            raise forms.ValidationError(
                gettext("Choose at most %(count)s mentors.") % {"count": PREFERRED_MENTORS_MAX}
            )
        return list(chosen)
