"""The administrator's screens: the secret shown once, the rotation, the delivery log and its
« Rejouer »."""

import re

import pytest
from django.urls import reverse

from tests.service_requests.test_submit import SIGNALEMENT, demo_version, submit
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_subscription_add")
SUBSCRIPTIONS = reverse("admin:webhooks_subscription_changelist")
DELIVERIES = reverse("admin:webhooks_delivery_changelist")


def shown_secrets(response) -> list[str]:
    return re.findall(r"<code data-secret>([^<]+)</code>", response.content.decode())


def test_a_new_subscription_shows_its_secret_once(admin_client, admin_user):
    response = admin_client.post(
        ADD,
        {
            "name": "SIG voirie",
            "url": "http://127.0.0.1:8025/hooks",
            "event_kinds": ["request.filed", "request.decided"],
            "active": "on",
        },
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert shown_secrets(response) == [subscription.secret]
    assert subscription.created_by == admin_user
    assert subscription.event_kinds == ["request.filed", "request.decided"]
    assert len(subscription.secret) >= 43

    change = admin_client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert change.status_code == 200
    assert subscription.secret not in change.content.decode()


def test_an_internal_address_is_refused_in_french(admin_client, settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = admin_client.post(
        ADD, {"name": "Interne", "url": "https://10.0.0.5/hook", "event_kinds": ["request.filed"]}
    )
    assert response.status_code == 200
    assert "adresse interne" in response.content.decode()
    response = admin_client.post(
        ADD, {"name": "Clair", "url": "http://exemple.fr/hook", "event_kinds": ["request.filed"]}
    )
    assert "doit commencer par https://" in response.content.decode()
    response = admin_client.post(ADD, {"name": "Rien", "url": "https://exemple.fr/hook"})
    assert "Choisissez au moins un événement." in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_rotation_shows_the_new_secret_and_keeps_the_old_one_for_a_day(admin_client):
    subscription = Subscription.objects.create(
        name="SIG", url="http://127.0.0.1:9/hook", event_kinds=["request.filed"]
    )
    old = subscription.secret
    response = admin_client.post(
        SUBSCRIPTIONS, {"action": "rotate_secret", "_selected_action": [subscription.pk]}
    )
    subscription.refresh_from_db()
    assert shown_secrets(response) == [subscription.secret]
    assert subscription.secret != old
    assert subscription.valid_secrets() == [subscription.secret, old]


def test_the_delivery_log_and_its_replay(
    admin_client,
    receiver,
    eager_celery,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    Subscription.objects.create(name="SIG", url=receiver.url, event_kinds=["request.filed"])
    for _ in range(3):
        submit(demo_version("signalement-voirie"), SIGNALEMENT)
    Delivery.objects.update(state="failed", attempts=7, last_error="Réponse HTTP 502 : boom")

    with django_assert_max_num_queries(12):
        page = admin_client.get(DELIVERIES)
    assert page.status_code == 200
    content = page.content.decode()
    assert content.count("Échec") >= 3
    first = Delivery.objects.first()
    assert first.event.request.reference in content
    detail = admin_client.get(reverse("admin:webhooks_delivery_change", args=[first.pk]))
    assert "Réponse HTTP 502 : boom" in detail.content.decode()
    assert admin_client.get(reverse("admin:webhooks_delivery_add")).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DELIVERIES, {"action": "replay", "_selected_action": [first.pk]}, follow=True
        )
    assert "1 remise(s) renvoyée(s)" in response.content.decode()
    first.refresh_from_db()
    assert first.state == Delivery.State.DELIVERED and first.attempts == 8
    assert len(receiver.received) == 1
    assert Delivery.objects.filter(state="failed").count() == 2
