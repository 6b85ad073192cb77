from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GruConfig(AppConfig):
    name = "gru"
    verbose_name = _("Plateforme et organisation")
