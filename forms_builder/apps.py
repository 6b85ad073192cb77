from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsBuilderConfig(AppConfig):
    name = "forms_builder"
    verbose_name = _("Démarches et formulaires")
