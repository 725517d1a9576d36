"""People's accounts in the admin.

Only a superuser changes who is staff, who is a superuser, groups and permissions, sets
passwords, or sees email addresses and two-factor devices: otherwise a staff member allowed to
edit accounts could raise their own rights, or take over someone else's account.
"""

from __future__ import annotations

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.admin import SocialAccountAdmin as AllauthSocialAccountAdmin
from allauth.socialaccount.admin import SocialAppAdmin as AllauthSocialAppAdmin
from allauth.socialaccount.admin import SocialAppForm as AllauthSocialAppForm
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from accounts import privacy, sso_config
from accounts.models import User
from mentoring.admin_utils import ProgrammeScopedMixin
from mentoring.admin_widgets import LabelledCheckboxSelectMultiple

# The email address is the login and where a password reset goes: changing someone's is taking
# their account.
ACCESS_FIELDS = ["email", "is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(ProgrammeScopedMixin, BaseUserAdmin):
    # A coordinator sees the accounts of the people in their programmes (those who have not
    # left); a superuser sees every account.
    programme_lookup = "memberships__programme"
    programme_lookup_filters = {"memberships__status__in": ["pending", "approved"]}
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    date_hierarchy = "date_joined"
    show_full_result_count = False
    # Not the two-box filter: its selects have no accessible name. The few groups are ticks;
    # the long list of single permissions is a plain labelled multiple select.
    filter_horizontal = ()
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["widget"] = LabelledCheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # Without the password field there is no link to the set-password page either.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ACCESS_FIELDS
        return readonly

    def has_add_permission(self, request):
        # A new account gets a password here; people otherwise sign up themselves.
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and _is_privileged(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and _is_privileged(obj):
            return False
        if obj is not None and privacy.is_last_superuser(obj):
            # Refused before the confirmation page, which then says so, rather than after it.
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def delete_queryset(self, request, queryset):
        # Beside the per-account check of the confirmation page: never delete a staff account
        # for someone who is not a superuser, whatever path led here.
        if not request.user.is_superuser and any(_is_privileged(u) for u in queryset):
            raise PermissionDenied
        for user in queryset:
            self.delete_model(request, user)

    def delete_model(self, request, obj):
        # The same deletion as the person's own: it anonymises, never cascades (accounts.privacy).
        try:
            privacy.delete_account(obj)
        except privacy.AccountDeletionError as exc:
            self.message_user(request, str(exc), messages.ERROR)


def _is_privileged(user: User) -> bool:
    """Staff accounts (superusers among them): editing one, e.g. its email address followed
    by a password reset, would hand over its rights."""
    return user.is_staff or user.is_superuser


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)
admin.site.unregister(SocialApp)
admin.site.unregister(SocialAccount)
admin.site.unregister(SocialToken)  # tokens are not stored (SOCIALACCOUNT_STORE_TOKENS)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Whoever may change a group may give its members, themselves included, any permission."""

    filter_horizontal = ()  # the two-box filter's selects have no accessible name

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(EmailAddress)
class EmailAddressAdmin(SuperuserOnlyAdmin, AllauthEmailAddressAdmin):
    @admin.action(description="Mark selected email addresses as verified", permissions=["change"])
    def make_verified(self, request, queryset):
        return super().make_verified(request, queryset)


@admin.register(Authenticator)
class AuthenticatorAdmin(SuperuserOnlyAdmin):
    """Two-factor devices: a superuser may see that one exists and delete it (a lost phone),
    never read its secret (`data`: the TOTP secret or the recovery codes' seed)."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SocialAppForm(AllauthSocialAppForm):
    """A single sign-on provider's client secret is typed in, never shown back: the field is
    always empty, and left empty it keeps the secret there is."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        secret = self.fields["secret"]
        secret.widget = forms.PasswordInput(render_value=False, attrs={"size": "100"})
        secret.required = False
        if self.instance.pk and self.instance.secret:
            secret.help_text = "A secret is set. Leave this empty to keep it, or type a new one."

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")

    def clean(self):
        """The settings JSON takes the keys an entry of SSO_OIDC_PROVIDERS / SSO_SAML_PROVIDERS
        takes (README "Single sign-on") and is saved in allauth's shape, with the same rules as
        a provider from the environment: a SAML IdP's assertions must be signed, and only the
        listed domains count as verified. Other keys of allauth's are kept as given."""
        cleaned = super().clean()
        provider, raw = cleaned.get("provider"), cleaned.get("settings")
        if provider not in {"openid_connect", "saml"} or "settings" in self.errors:
            return cleaned
        raw = raw if isinstance(raw, dict) else {}
        if provider == "openid_connect":
            missing = [] if raw.get("server_url") else ["server_url"]
            build = sso_config.oidc_settings
        else:
            idp = raw.get("idp") if isinstance(raw.get("idp"), dict) else {}
            missing = [k for k in sso_config.SAML_IDP_KEYS if not (raw.get(k) or idp.get(k))]
            build = sso_config.saml_settings
        if missing:
            self.add_error(
                "settings", f"Give the provider's {', '.join(missing)} (README: Single sign-on)."
            )
            return cleaned
        try:
            built = build(raw)
        except (TypeError, ValueError, AttributeError) as exc:
            self.add_error("settings", f"These settings cannot be read: {exc}.")
            return cleaned
        kept = {k: v for k, v in raw.items() if k not in sso_config.ENVIRONMENT_ONLY_KEYS}
        cleaned["settings"] = {**kept, **built}
        return cleaned


@admin.register(SocialApp)
class SocialAppAdmin(SuperuserOnlyAdmin, AllauthSocialAppAdmin):
    """Single sign-on providers added in the admin (those from the environment are not listed
    here): superusers only, since a client secret lets its holder pose as this site."""

    form = SocialAppForm
    list_display = ["name", "provider", "provider_id", "client_id"]


@admin.register(SocialAccount)
class SocialAccountAdmin(SuperuserOnlyAdmin, AllauthSocialAccountAdmin):
    """Who is linked to which single sign-on identity: a superuser may unlink one (delete), not
    edit it, which would hand someone else's university login to an account."""

    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
