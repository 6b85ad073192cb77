"""Deliveries end to end: a filed request posted, signed, to a real HTTP receiver on 127.0.0.1;
retried after a 500; given up after 24 hours; sent by the minute sweep after a broker outage;
two signatures during a rotation; nothing for an event nobody subscribed to or rolled back."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from gru.celery import app as celery_app
from service_requests.models import Event
from tests.factories import TeamFactory
from tests.service_requests.test_submit import SIGNALEMENT, demo_version, submit
from tests.webhooks.conftest import payload_of, verify
from webhooks import sending, tasks
from webhooks.models import Delivery, Subscription
from webhooks.services import subscription_rotate_secret

pytestmark = pytest.mark.django_db


def subscribe(url: str, kinds=("request.filed",), **fields) -> Subscription:
    return Subscription.objects.create(
        name="SIG voirie", url=url, event_kinds=list(kinds), **fields
    )


def file_report():
    return submit(demo_version("signalement-voirie"), SIGNALEMENT).request


def test_a_filed_request_is_posted_signed_to_the_receiver(
    receiver, eager_celery, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url, ["request.filed", "request.routed"])
    with django_capture_on_commit_callbacks(execute=True):
        request = file_report()

    assert len(receiver.received) == 2
    by_kind = {r["headers"]["X-GRU-Event"]: r for r in receiver.received}
    assert set(by_kind) == {"request.filed", "request.routed"}
    filed = by_kind["request.filed"]
    assert verify(subscription.secret, filed["headers"], filed["body"])
    assert not verify("un-autre-secret", filed["headers"], filed["body"])
    assert not verify(subscription.secret, filed["headers"], filed["body"] + b" ")
    delivery = Delivery.objects.get(kind="request.filed")
    assert filed["headers"]["X-GRU-Delivery"] == str(delivery.pk)
    assert filed["headers"]["Content-Type"].startswith("application/json")
    body = payload_of(filed)
    assert body["kind"] == "request.filed"
    assert body["event_id"] == delivery.event_id
    assert body["request"] == {
        "reference": request.reference,
        "procedure": "signalement-voirie",
        "team": request.team.slug,
        "status": "submitted",
        "status_label": request.get_status_display(),
        "channel": "web",
    }
    # No personal data: the contact, the answers and the free text stay in GRU.
    text = filed["body"].decode() + by_kind["request.routed"]["body"].decode()
    assert "lea.durand" not in text and "12 rue" not in text and "trou profond" not in text
    assert delivery.state == Delivery.State.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 200, "")
    assert delivery.delivered_at is not None


def test_a_delivery_answered_500_is_retried_then_delivered(receiver, eager_celery):
    subscribe(receiver.url)
    receiver.answers = [500]
    request = file_report()
    delivery = Delivery.objects.get()
    started = timezone.now()

    assert sending.attempt(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert "500" in delivery.last_error
    # Retried in a minute, not before: the sweep leaves it alone meanwhile.
    assert started + timedelta(seconds=55) < delivery.next_attempt_at
    assert delivery.next_attempt_at < started + timedelta(seconds=65)
    assert tasks.send_due_deliveries() == 0

    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert tasks.send_due_deliveries() == 1  # eager: sent within the sweep
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (2, 200, "")
    assert len(receiver.received) == 2
    assert {payload_of(r)["request"]["reference"] for r in receiver.received} == {request.reference}


def test_the_retries_back_off_and_stop_24_hours_after_the_event(receiver):
    assert [sending.retry_delay(n) for n in (1, 2, 3, 6, 7, 20)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 32, 60, 60)
    ]
    subscribe(receiver.url)
    receiver.answers = [503] * 10
    file_report()
    delivery = Delivery.objects.get()
    assert delivery.give_up_at == delivery.event.created_at + timedelta(hours=24)

    with time_machine.travel(delivery.give_up_at - timedelta(minutes=30)):
        assert sending.attempt(delivery.pk) == Delivery.State.PENDING  # 1 min later is fine
    delivery.refresh_from_db()
    with time_machine.travel(delivery.give_up_at - timedelta(seconds=30)):
        assert sending.attempt(delivery.pk) == Delivery.State.FAILED  # the next is too late
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("failed", 2, 503)
    with time_machine.travel(delivery.give_up_at + timedelta(hours=1)):
        assert tasks.send_due_deliveries() == 0
    assert len(receiver.received) == 2


def test_an_unreachable_receiver_is_an_error_not_a_crash():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    subscribe(f"http://127.0.0.1:{closed}/hook")
    file_report()
    delivery = Delivery.objects.get()
    assert sending.attempt(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert delivery.last_status_code is None
    assert "ConnectionError" in delivery.last_error


@pytest.fixture
def broker_away():
    """The project's Celery app publishing to a closed port, as when Redis is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool
    celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app.conf.broker_url = saved[0]
    celery_app._pool, celery_app.amqp._producer_pool = saved[1], saved[2]


def test_an_event_is_delivered_after_a_broker_outage(
    receiver, broker_away, django_capture_on_commit_callbacks, caplog
):
    subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        request = file_report()  # the enqueue fails after the commit, logged

    assert Event.objects.filter(request=request, kind="submitted").exists()  # filed all the same
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.PENDING and delivery.attempts == 0
    assert receiver.received == []
    assert "deliver" in caplog.text  # the lost enqueue is logged

    # The broker is back; the minute sweep finds the row in the database.
    celery_app.conf.broker_url = "memory://"
    celery_app._pool = celery_app.amqp._producer_pool = None
    conf = celery_app.conf
    conf.task_always_eager = True
    try:
        assert tasks.send_due_deliveries() == 1
    finally:
        conf.task_always_eager = False
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
    assert len(receiver.received) == 1


def test_during_a_rotation_both_secrets_sign(receiver):
    subscription = subscribe(receiver.url)
    old = subscription.secret
    new = subscription_rotate_secret(subscription=subscription)
    assert new != old and subscription.secret == new
    file_report()
    assert sending.attempt(Delivery.objects.get().pk) == Delivery.State.DELIVERED

    received = receiver.received[0]
    assert received["headers"]["X-GRU-Signature"].count("v1=") == 2
    assert verify(old, received["headers"], received["body"])
    assert verify(new, received["headers"], received["body"])

    # A day later the old secret no longer signs.
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        file_report()
        later = Delivery.objects.latest("id")
        assert sending.attempt(later.pk) == Delivery.State.DELIVERED
        received = receiver.received[1]
        assert received["headers"]["X-GRU-Signature"].count("v1=") == 1
        assert verify(new, received["headers"], received["body"])
        assert not verify(old, received["headers"], received["body"])


def test_no_delivery_without_a_subscription_to_the_kind(receiver):
    subscribe(receiver.url, ["request.decided"])  # not the filing
    subscribe(receiver.url, ["request.filed"], active=False)
    subscribe(receiver.url, ["request.filed"], team=TeamFactory(slug="etat-civil-autre"))
    file_report()
    assert not Delivery.objects.exists()


def test_an_event_nobody_subscribed_to_costs_no_query(receiver, django_assert_num_queries):
    from webhooks import outbox

    subscribe(receiver.url, ["request.decided"])
    file_report()  # learns the subscribed kinds
    assert not Delivery.objects.exists()
    event = Event.objects.filter(kind="submitted").select_related("request").get()
    with django_assert_num_queries(0):
        outbox.on_events([event, event])
    outbox._local["until"] = 0.0  # another process, or a few seconds later: the shared cache
    with django_assert_num_queries(0):
        outbox.on_event(event)
    outbox.forget_subscribed_kinds()  # a subscription changed: read again, once
    with django_assert_num_queries(1):
        outbox.on_event(event)
    with django_assert_num_queries(0):
        outbox.on_event(event)


def test_the_deliveries_roll_back_with_the_change(receiver, eager_celery):
    subscribe(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        file_report()
        assert Delivery.objects.count() == 1  # written with the event
        raise RuntimeError("the change fails after the event")
    assert not Delivery.objects.exists()
    assert not Event.objects.exists()
    assert receiver.received == []


def test_a_delivery_to_a_refused_address_is_not_posted(receiver, settings):
    subscribe(receiver.url)
    file_report()
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False  # production: 127.0.0.1 is internal
    delivery = Delivery.objects.get()
    assert sending.attempt(delivery.pk) == Delivery.State.PENDING
    delivery.refresh_from_db()
    assert "adresse interne" in delivery.last_error
    assert receiver.received == []
