from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (/api/v1/): its clients, tokens and call log, over the same services and
    selectors as the back office."""

    name = "api"
    verbose_name = _("API")
