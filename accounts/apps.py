from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People"  # allauth's app is "Accounts" too; two in the admin would confuse

    def ready(self):
        from accounts import mfa  # noqa: F401  (registers the encryption key's system check)
