from django.apps import AppConfig


class SessionsLogConfig(AppConfig):
    name = "sessions_log"
    verbose_name = "Sessions log"

    def ready(self):
        from mentoring import previews
        from sessions_log import privacy  # noqa: F401
        from sessions_log.previews import samples

        previews.register(samples)
