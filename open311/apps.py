from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """An Open311 GeoReport v2 server (/open311/v2/) over the report procedures."""

    name = "open311"
    verbose_name = _("Open311")
