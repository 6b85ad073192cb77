"""Account emails through the worker: a broker or mail server outage never fails a sign-up."""

from smtplib import SMTPException

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from kombu.exceptions import OperationalError

from gru import tasks
from gru.mail import email_from_payload, email_send_later, email_to_payload
from gru.models import User
from tests.gru.accounts_support import _empty_cache  # noqa: F401

pytestmark = pytest.mark.django_db

SIGNUP = {
    "given_names": "Léa",
    "family_name": "Fontaine",
    "usage_name": "",
    "email": "lea.fontaine@exemple.fr",
    "password1": "une-phrase-de-passe-solide",
    "password2": "une-phrase-de-passe-solide",
}


class FailingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPException("Connection refused")


def broker_down(*args, **kwargs):
    raise OperationalError("Redis is away")


def test_a_message_survives_its_trip_through_the_broker():
    message = EmailMultiAlternatives(
        subject="Confirmez votre adresse",
        body="Cliquez sur le lien.",
        from_email="Ville de Démo <contact@ville-demo.invalid>",
        to=["lea@exemple.fr"],
        headers={"Reply-To": "contact@ville-demo.invalid"},
    )
    message.attach_alternative("<p>Cliquez sur le lien.</p>", "text/html")
    again = email_from_payload(email_to_payload(message))
    assert (again.subject, again.body, again.from_email, again.to) == (
        message.subject,
        message.body,
        message.from_email,
        message.to,
    )
    assert again.alternatives[0][0] == "<p>Cliquez sur le lien.</p>"
    assert again.extra_headers == {"Reply-To": "contact@ville-demo.invalid"}


def test_the_signup_email_is_sent_by_the_worker(client, monkeypatch):
    enqueued = []
    monkeypatch.setattr(tasks.send_email, "delay", enqueued.append)
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert mail.outbox == []  # not sent by the web process
    (payload,) = enqueued
    assert payload["to"] == ["lea.fontaine@exemple.fr"]
    tasks.send_email(payload)
    (message,) = mail.outbox
    assert "Confirmez" in message.subject or "confirm" in message.body.lower()


def test_with_the_broker_away_the_web_process_sends_it(client, monkeypatch, caplog):
    monkeypatch.setattr(tasks.send_email, "delay", broker_down)
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["lea.fontaine@exemple.fr"]
    assert "Broker unreachable" in caplog.text


def test_with_broker_and_mail_server_away_the_signup_still_succeeds(
    client, monkeypatch, settings, caplog
):
    monkeypatch.setattr(tasks.send_email, "delay", broker_down)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert User.objects.filter(email="lea.fontaine@exemple.fr").exists()
    assert "lost: no broker and no mail server" in caplog.text


def test_the_worker_retries_while_the_mail_server_is_down(settings, eager_celery):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    message = EmailMultiAlternatives(subject="S", body="B", to=["lea@exemple.fr"])
    with pytest.raises(Retry):
        tasks.send_email.apply(args=[email_to_payload(message)], throw=True)


def test_email_send_later_enqueues_the_task(monkeypatch):
    enqueued = []
    monkeypatch.setattr(tasks.send_email, "delay", enqueued.append)
    email_send_later(EmailMultiAlternatives(subject="S", body="B", to=["lea@exemple.fr"]))
    assert enqueued[0]["to"] == ["lea@exemple.fr"]
