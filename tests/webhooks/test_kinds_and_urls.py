"""Which timeline events make which webhook, what their payload says, and which receiver URLs
are refused."""

import pytest
from django.core.exceptions import ValidationError

from service_requests import lifecycle
from service_requests.models import Event, EventKind
from service_requests.services._common import lock, record
from tests.factories import ServiceRequestFactory
from webhooks.kinds import WebhookKind, webhook_kind
from webhooks.models import Delivery, Subscription
from webhooks.signing import check_url

ALL_KINDS = list(WebhookKind.values)


@pytest.mark.parametrize(
    ("event_kind", "payload", "expected"),
    [
        (EventKind.SUBMITTED, {}, "request.filed"),
        (EventKind.ROUTED, {}, "request.routed"),
        (EventKind.TRANSFERRED, {}, "request.routed"),
        (EventKind.STATUS_CHANGED, {}, "request.status_changed"),
        (EventKind.DOCUMENTS_REQUESTED, {}, "request.status_changed"),
        (EventKind.CLOSED, {}, "request.status_changed"),
        (EventKind.WITHDRAWN, {}, "request.status_changed"),
        (EventKind.DECISION, {}, "request.decided"),
        (EventKind.IMPLICIT_DECISION, {}, "request.decided_implicitly"),
        (EventKind.MESSAGE, {"direction": "from_citizen"}, "message.from_citizen"),
        (EventKind.MESSAGE, {"direction": "to_citizen"}, None),
        (EventKind.NOTE, {}, None),
        (EventKind.DUE_DATE_CHANGED, {}, None),
        (EventKind.ASSIGNED, {}, None),
        (EventKind.REMINDER, {}, None),
    ],
)
def test_the_webhook_kind_of_each_timeline_event(event_kind, payload, expected):
    assert webhook_kind(event_kind, payload) == expected


def test_every_transition_event_has_a_webhook_kind():
    for transition in lifecycle.TRANSITIONS.values():
        assert webhook_kind(transition.event, {}) is not None, transition.name


@pytest.mark.django_db
def test_a_status_change_through_the_lifecycle_writes_its_delivery():
    subscription = Subscription.objects.create(
        name="Tout", url="http://127.0.0.1:9/hook", event_kinds=ALL_KINDS
    )
    request = ServiceRequestFactory()
    locked = lock(request)
    lifecycle.change_status(locked, "start_review", actor=None, payload={})

    delivery = Delivery.objects.get()
    assert delivery.subscription == subscription
    assert delivery.kind == "request.status_changed"
    assert delivery.payload["request"]["status"] == "in_review"
    assert delivery.payload["details"] == {
        "timeline_event": "status_changed",
        "from": "submitted",
        "to": "in_review",
    }


@pytest.mark.django_db
def test_a_citizen_message_is_announced_without_its_text():
    Subscription.objects.create(name="Tout", url="http://127.0.0.1:9/hook", event_kinds=ALL_KINDS)
    request = ServiceRequestFactory()
    record(
        request,
        Event.Kind.MESSAGE,
        payload={"message_id": 41, "direction": "from_citizen", "documents": [7, 8]},
        citizen_sees=True,
    )
    record(
        request,
        Event.Kind.MESSAGE,
        payload={"message_id": 42, "direction": "to_citizen", "documents": []},
        citizen_sees=True,
    )
    delivery = Delivery.objects.get()  # only the citizen's
    assert delivery.kind == "message.from_citizen"
    assert delivery.payload["details"] == {"message_id": 41, "documents": 2}


@pytest.mark.parametrize(
    "url",
    [
        "http://exemple.fr/hook",
        "ftp://exemple.fr/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://user:pass@93.184.216.34/hook",
        "https://nom-qui-n-existe-pas.invalid/hook",
    ],
)
def test_production_refuses_http_and_internal_addresses(settings, url):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError):
        check_url(url)


def test_a_public_https_address_is_accepted(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    check_url("https://93.184.216.34/hooks/gru")


def test_development_allows_http_to_127_0_0_1(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    check_url("http://127.0.0.1:8000/hook")
