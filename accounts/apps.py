from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"  # allauth's app is "Accounts" too; two in the admin would confuse

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import mfa  # noqa: F401  (registers the encryption key's system check)
        from accounts.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="accounts-session-clock")
