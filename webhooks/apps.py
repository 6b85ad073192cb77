from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Signed webhooks: subscriptions to event kinds and their deliveries."""

    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from webhooks.models import Subscription
        from webhooks.outbox import forget_subscribed_kinds

        # The outbox's cached set of subscribed kinds is stale once a subscription changes.
        post_save.connect(forget_subscribed_kinds, sender=Subscription, dispatch_uid="wh-save")
        post_delete.connect(forget_subscribed_kinds, sender=Subscription, dispatch_uid="wh-del")
