"""Webhook subscriptions and their deliveries (the outbox).

A subscription's secrets sign the deliveries, so they are kept as they are: a hash could not
sign. Whoever reads the database can forge deliveries, as whoever reads it can read every
request; the secrets are shown in the admin only once, when created or rotated."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webhooks.kinds import WebhookKind

# During a rotation the previous secret keeps signing for this long.
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    name = models.CharField(_("nom"), max_length=150)
    url = models.URLField(_("adresse de réception"), max_length=500)
    event_kinds = ArrayField(
        models.CharField(max_length=40, choices=WebhookKind.choices),
        verbose_name=_("événements"),
    )
    team = models.ForeignKey(
        "gru.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("équipe"),
        help_text=_("Vide : les demandes de toutes les équipes."),
    )
    active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement webhook")
        verbose_name_plural = _("abonnements webhook")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(event_kinds=[]), name="webhook_subscription_has_kinds"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def valid_secrets(self, now=None) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous one until
        its rotation overlap ends."""
        now = now or timezone.now()
        keys = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            keys.append(self.previous_secret)
        return keys


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("En attente")
    DELIVERED = "delivered", _("Remise")
    FAILED = "failed", _("Échec")


class Delivery(models.Model):
    """One event to send to one subscription, written in the transaction of the event."""

    State = DeliveryState

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("service_requests.Event", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("événement"), max_length=40, choices=WebhookKind.choices)
    payload = models.JSONField(_("contenu"))
    state = models.CharField(
        _("état"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    give_up_at = models.DateTimeField(_("abandon le"))
    last_status_code = models.PositiveSmallIntegerField(_("dernier code HTTP"), null=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    delivered_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("remise webhook")
        verbose_name_plural = _("remises webhook")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values),
                name="webhook_delivery_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="webhook_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.subscription}"
