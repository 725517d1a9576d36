from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Scheme"

    def ready(self):
        from django.db.models.signals import post_migrate

        from mentoring.roles import ensure_coordinator_group

        post_migrate.connect(ensure_coordinator_group, dispatch_uid="mentoring-coordinator-group")
