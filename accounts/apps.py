from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"  # allauth's app is "Accounts" too; two in the admin would confuse

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from accounts import mfa  # noqa: F401  (registers the encryption key's system check)
        from accounts.middleware import start_session_clock
        from accounts.roles import ensure_coordinator_group

        user_logged_in.connect(start_session_clock, dispatch_uid="accounts-session-clock")
        post_migrate.connect(ensure_coordinator_group, dispatch_uid="accounts-coordinator-group")
