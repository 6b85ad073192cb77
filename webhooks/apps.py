from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhooks: subscriptions to event kinds and their deliveries."""

    name = "webhooks"
    verbose_name = _("Webhooks")
