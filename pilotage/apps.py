from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotageConfig(AppConfig):
    """Steering: the summary tables Celery beat refreshes and the figures read from them."""

    name = "pilotage"
    verbose_name = _("Pilotage")

    def ready(self):
        from pilotage import refresh_tasks  # noqa: F401 (registers the beat task)
