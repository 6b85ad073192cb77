"""The events inserted in bulk (the implicit decisions of the sweep, one at a time or by
batches) write their deliveries too, in their transaction; the beat sends what is due."""

import datetime

import pytest
import time_machine

from gru.celery import app
from service_requests.services import request_apply_implicit_decision
from service_requests.services.sweeps import implicit_decisions_apply_due
from tests.service_requests.deadline_support import filed_request, paris
from webhooks import tasks  # noqa: F401 - registers the tasks, as the worker finds them
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

DUE = datetime.date(2025, 3, 16)


def due_request(rule: str):
    return filed_request(rule, "P2M", received_on=datetime.date(2025, 1, 15), decision_due_on=DUE)


def subscribe():
    return Subscription.objects.create(
        name="Archives", url="http://127.0.0.1:9/hook", event_kinds=["request.decided_implicitly"]
    )


def test_the_sweep_writes_a_delivery_per_implicit_decision():
    subscribe()
    accepted, rejected = due_request("acceptance"), due_request("rejection")
    with time_machine.travel(paris(2025, 3, 16, 0, 5), tick=False):
        assert implicit_decisions_apply_due(notify=False).decided == 2

    deliveries = {d.payload["request"]["reference"]: d for d in Delivery.objects.all()}
    assert set(deliveries) == {accepted.reference, rejected.reference}
    accepted_one = deliveries[accepted.reference]
    assert accepted_one.kind == "request.decided_implicitly"
    assert accepted_one.payload["request"]["status"] == "accepted_implicitly"
    assert accepted_one.payload["details"] == {
        "timeline_event": "implicit_decision",
        "from": "submitted",
        "to": "accepted_implicitly",
        "rule": "acceptance",
        "due_on": "2025-03-16",
    }
    assert deliveries[rejected.reference].payload["details"]["rule"] == "rejection"


def test_one_implicit_decision_writes_its_delivery():
    subscribe()
    request = due_request("acceptance")
    with time_machine.travel(paris(2025, 3, 16, 9), tick=False):
        assert request_apply_implicit_decision(request=request, notify=False)
    assert Delivery.objects.get().event.request_id == request.pk


def test_the_beat_sends_the_due_deliveries_every_minute():
    entry = app.conf.beat_schedule["send-due-webhook-deliveries"]
    assert entry["schedule"].minute == set(range(60))
    task = app.tasks[entry["task"]]
    assert task.soft_time_limit < task.time_limit
    assert task.apply().get() == 0  # nothing due
