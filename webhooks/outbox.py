"""The outbox: a delivery row per subscription interested in an event, written in the
transaction that writes the event, so that a rolled-back change sends nothing and a committed
one is sent even if the broker was down (the minute sweep finds the row).

The request services call `on_event` for an event they saved and `on_events` for events they
inserted in bulk. With no subscription for a kind, this costs no SQL query: the set of
subscribed kinds is kept in the shared cache and, for a few seconds, in the process (a
subscription saved in another process is seen within that time)."""

import time
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from service_requests.models import Event, ServiceRequest
from webhooks.kinds import WebhookKind, webhook_kind
from webhooks.models import Delivery, Subscription

GIVE_UP_AFTER = timedelta(hours=24)

# The set is kept in the shared cache (no expiry; deleted whenever a subscription changes) and,
# for a few seconds, in the process: an event costs no SQL query once the set is known.
CACHE_KEY = "webhooks:subscribed-kinds"
_local: dict = {"kinds": frozenset(), "until": 0.0}


def forget_subscribed_kinds(**_kwargs) -> None:
    """Drop the known set (a subscription was saved or deleted): in this process at once, in
    the others within WEBHOOKS_KINDS_CACHE_SECONDS. Dropped again once the change commits, in
    case another process read the set in between and cached what was then true."""
    _local["until"] = 0.0
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def subscribed_kinds() -> frozenset[str]:
    """The webhook kinds at least one active subscription wants."""
    now = time.monotonic()
    if now < _local["until"]:
        return _local["kinds"]
    kinds = cache.get(CACHE_KEY)
    if kinds is None:
        found: set[str] = set()
        for row in Subscription.objects.filter(active=True).values_list("event_kinds", flat=True):
            found.update(row)
        kinds = sorted(found)
        cache.set(CACHE_KEY, kinds, timeout=None)
    _local["kinds"] = frozenset(kinds)
    _local["until"] = now + settings.WEBHOOKS_KINDS_CACHE_SECONDS
    return _local["kinds"]


def on_event(event: Event) -> None:
    on_events([event])


def on_events(events: Iterable[Event]) -> None:
    """Write the deliveries of saved `events` (in the caller's transaction) and send them once
    it commits."""
    wanted = [
        (event, kind)
        for event in events
        if (kind := webhook_kind(event.kind, event.payload)) is not None
    ]
    if not wanted:
        return
    kinds = subscribed_kinds()
    wanted = [(event, kind) for event, kind in wanted if kind in kinds]
    if not wanted:
        return
    subscriptions = list(
        Subscription.objects.filter(active=True, event_kinds__overlap=[k for _, k in wanted])
    )
    rows = [
        Delivery(
            subscription=subscription,
            event=event,
            kind=kind,
            payload=payload(event, kind),
            created_at=event.created_at,
            next_attempt_at=event.created_at,
            give_up_at=event.created_at + GIVE_UP_AFTER,
        )
        for event, kind in wanted
        for subscription in subscriptions
        if kind in subscription.event_kinds
        and subscription.team_id in (None, event.request.team_id)
    ]
    if not rows:
        return
    Delivery.objects.bulk_create(rows)
    ids = [row.pk for row in rows]

    def enqueue() -> None:
        from webhooks.tasks import deliver

        for pk in ids:
            deliver.delay(pk)

    # Robust: a broker outage must not fail the change; the minute sweep sends the rows.
    transaction.on_commit(enqueue, robust=True)


def _details(event: Event, kind: str) -> dict:
    """What the event says, without personal data: no names, no free text (a message's body,
    a decision's motive, a transfer's reason may hold some); a business application reads
    them through the API with its own token."""
    p = event.payload
    if kind == WebhookKind.FILED:
        return {"channel": p["channel"], "decision_due_on": p["decision_due_on"]}
    if kind == WebhookKind.ROUTED:
        return {"timeline_event": event.kind, "team_name": p["team_name"]}
    if kind == WebhookKind.CITIZEN_MESSAGE:
        return {"message_id": p["message_id"], "documents": len(p.get("documents") or [])}
    details = {"timeline_event": event.kind, "from": p.get("from"), "to": p.get("to")}
    if kind == WebhookKind.DECIDED:
        details["outcome"] = p["outcome"]
    if kind == WebhookKind.DECIDED_IMPLICITLY:
        details |= {"rule": p["rule"], "due_on": p["due_on"]}
    return details


def payload(event: Event, kind: str) -> dict:
    request: ServiceRequest = event.request
    team = request.team
    return {
        "event_id": event.pk,
        "kind": kind,
        "occurred_at": event.created_at.isoformat(),
        "request": {
            "reference": request.reference,
            "procedure": request.procedure.slug,
            "team": team.slug if team else None,
            "status": request.status,
            "status_label": str(request.get_status_display()),
            "channel": request.channel,
        },
        "details": _details(event, kind),
    }
