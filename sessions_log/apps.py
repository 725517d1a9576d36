from django.apps import AppConfig


class SessionsLogConfig(AppConfig):
    name = "sessions_log"
    verbose_name = "Sessions log"

    def ready(self):
        from sessions_log import privacy, signals  # noqa: F401
