from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"  # allauth's app is "Accounts" too; two in the admin would confuse

    def ready(self):
        from allauth.account.signals import user_logged_in as allauth_logged_in
        from django.contrib.auth.signals import user_logged_in

        from accounts import mfa  # noqa: F401  (registers the encryption key's system check)
        from accounts.middleware import start_session_clock
        from accounts.sso import forget_idp_mfa, record_sign_in

        user_logged_in.connect(start_session_clock, dispatch_uid="accounts-session-clock")
        # Django's signal first clears an earlier sign-in's IdP MFA note; allauth's, sent after
        # it, writes the note of an SSO sign-in that asserted a second factor.
        user_logged_in.connect(forget_idp_mfa, dispatch_uid="accounts-sso-mfa-forget")
        allauth_logged_in.connect(record_sign_in, dispatch_uid="accounts-sso-mfa")
