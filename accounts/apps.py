from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"  # allauth's app is "Accounts" too; two in the admin would confuse

    def ready(self):
        from allauth.account.signals import user_logged_in as allauth_logged_in
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from accounts import mfa  # noqa: F401  (registers the encryption key's system check)
        from accounts.middleware import start_session_clock
        from accounts.sso import forget_idp_mfa, record_sign_in
        from accounts.user_cache import on_user_saved_or_deleted

        # Every save or delete of a user forgets its cached row (accounts/user_cache.py).
        user = get_user_model()
        post_save.connect(on_user_saved_or_deleted, sender=user, dispatch_uid="accounts-user-cache")
        post_delete.connect(
            on_user_saved_or_deleted, sender=user, dispatch_uid="accounts-user-cache-delete"
        )

        user_logged_in.connect(start_session_clock, dispatch_uid="accounts-session-clock")
        # Django's signal first clears an earlier sign-in's IdP MFA note; allauth's, sent after
        # it, writes the note of an SSO sign-in that asserted a second factor.
        user_logged_in.connect(forget_idp_mfa, dispatch_uid="accounts-sso-mfa-forget")
        allauth_logged_in.connect(record_sign_in, dispatch_uid="accounts-sso-mfa")
