"""Account emails (verification, password reset) go out through the worker, which retries while
the mail server is down; a sign-up never ends on an error page because SMTP failed."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage, EmailMultiAlternatives

logger = logging.getLogger(__name__)


def email_to_payload(message: EmailMessage) -> dict:
    """What a task needs to send `message` again: JSON only (Celery's serializer)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "alternatives": [list(alternative) for alternative in getattr(message, "alternatives", [])],
        "headers": dict(message.extra_headers),
    }


def email_from_payload(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def email_send_later(message: EmailMessage) -> None:
    """Hand `message` to the worker. With the broker unreachable, send it now; with the mail
    server down too, log it: the citizen can ask for the email again from the page they see."""
    from gru.tasks import send_email

    payload = email_to_payload(message)
    try:
        send_email.delay(payload)
        return
    except Exception:  # the broker's errors are many (kombu, redis, OSError)
        logger.warning("Broker unreachable: account email sent without the worker.", exc_info=True)
    try:
        email_from_payload(payload).send()
    except Exception:  # SMTP and socket errors alike
        logger.error("Account email to %s lost: no broker and no mail server.", payload["to"])
