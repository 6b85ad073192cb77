"""Sending a delivery: claim it, post it signed, record what came back, schedule the retry."""

import json
import logging
import time
from datetime import timedelta

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, DeliveryState
from webhooks.signing import check_url, signature_header

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# A claimed delivery is not claimed again for this long (the post takes at most the timeout).
LEASE = timedelta(seconds=60)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
SWEEP_BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 minute, doubling, at most 1 hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _claim(delivery_id: int) -> Delivery | None:
    """The pending, due delivery, leased to this worker; None if another has it, it is not due,
    or it is done."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def _post(delivery: Delivery) -> tuple[int | None, str]:
    """Post the delivery; (HTTP status or None, error text or "")."""
    subscription = delivery.subscription
    if not subscription.active:
        return None, "Abonnement désactivé."
    try:
        # Checked again at each post: the name may resolve elsewhere since it was saved.
        check_url(subscription.url)
    except ValidationError as error:
        return None, " ".join(error.messages)
    timestamp = int(time.time())
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "GRU-Webhooks/1",
        "X-GRU-Event": delivery.kind,
        "X-GRU-Delivery": str(delivery.pk),
        "X-GRU-Timestamp": str(timestamp),
        "X-GRU-Signature": signature_header(subscription.valid_secrets(), timestamp, body),
    }
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"Réponse HTTP {response.status_code} : {response.text[:300]}"


def attempt(delivery_id: int) -> str | None:
    """Make one attempt at a due delivery; its state afterwards, or None if not attempted."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    code, error = _post(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_error = error
    if not error:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
    else:
        retry_at = now + retry_delay(delivery.attempts)
        if retry_at > delivery.give_up_at or not delivery.subscription.active:
            delivery.state = DeliveryState.FAILED
        else:
            delivery.next_attempt_at = retry_at
        logger.info("webhook delivery %s failed: %s", delivery.pk, error)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "state",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery.state


def due_delivery_ids(limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def replay(deliveries) -> list[int]:
    """Send `deliveries` again (an administrator's « Rejouer »), as soon as possible and with
    a new 24-hour window of retries; the receiver sees the same X-GRU-Delivery id."""
    now = timezone.now()
    ids = list(deliveries.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        give_up_at=now + timedelta(hours=24),
        delivered_at=None,
    )
    return ids
