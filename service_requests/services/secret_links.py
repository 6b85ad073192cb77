"""A new secret link for a request filed without an account (issue 13, item 13).

The secret link opens a request without an account, for as long as it exists. A citizen who
lost it, or fears someone else has it (a forwarded email, a shared computer), asks for a new
one with the reference and the email given at filing: the new link is emailed to that address,
and the old one opens nothing from then on. A request joined to an account has no use for one
(the account opens it; joining already changed its link: services/claims.py).
"""

from __future__ import annotations

from django.db import transaction

from gru.mail import email_send_later
from service_requests import tracking
from service_requests.identifiers import new_tracking_token
from service_requests.models import ServiceRequest
from service_requests.services.notices import _letter_context, _message
from service_requests.services.receipts import secret_link_url


def secret_link_renew(*, reference: str, email: str) -> bool:
    """Give the anonymous request `reference` whose contact address is `email` a new secret
    link and email it there; False, and nothing sent, for any other reference or address
    (the page answers the same either way, so nobody learns which requests exist)."""
    found = tracking.find_by_reference_and_email(reference, email)
    if found is None or found.citizen_id is not None or not found.contact_email:
        return False
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("procedure", "form_version", "team", "assignee", "citizen")
            .get(pk=found.pk)
        )
        request.tracking_token = new_tracking_token()
        request.save(update_fields=["tracking_token", "updated_at"])
        context = _letter_context(request) | {"secret_url": secret_link_url(request)}
        message = _message("citizen/new_link", context, request.contact_email)
        transaction.on_commit(lambda: email_send_later(message))
    return True
