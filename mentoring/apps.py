from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Scheme"

    def ready(self):
        from django.db.models.signals import post_migrate

        from mentoring import translation_memo
        from mentoring.roles import ensure_coordinator_group

        translation_memo.install()

        post_migrate.connect(ensure_coordinator_group, dispatch_uid="mentoring-coordinator-group")
        self._connect_wording_cache()

    def _connect_wording_cache(self):
        """The email wording cache (mentoring.wording) forgets on any change it could miss."""
        from celery.signals import task_prerun
        from django.core.signals import request_started, setting_changed
        from django.db.models.signals import post_delete, post_save

        from mentoring import wording

        for model in ("mentoring.EmailWording", "profiles.Programme"):
            for signal in (post_save, post_delete):
                signal.connect(wording.clear, sender=model, dispatch_uid=f"wording-{model}")
        request_started.connect(wording.clear, dispatch_uid="wording-request")
        setting_changed.connect(wording.clear, dispatch_uid="wording-settings")
        task_prerun.connect(wording.clear, dispatch_uid="wording-task", weak=False)
