"""The electronic acknowledgment of receipt (L112-3, L112-11; mentions of R112-5 and
R112-11-1, LEGAL.md §2): a PDF kept as a Document the citizen sees, made right after filing by
the worker that emails it with the secret tracking link, or on the citizen's first click when
the worker has not run yet. The email is the filing's outbox row (service_requests.outbox):
written with the request, retried for a day while the broker or the mail server is away, done
only once it went; a PDF made by the citizen's click does not stand for the email.

Without its mentions the appeal delays cannot be held against the citizen (L112-6): the
template prints each of them, and tests/service_requests/test_receipt.py reads them back from
the PDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from forms_builder.models import SilenceRule
from gru.pdf import render_pdf
from service_requests.legal_dates import implicit_decision_sentence
from service_requests.models import Document, DocumentRequest, ServiceRequest, Status
from service_requests.selectors import (
    citizen_email_of,
    citizen_name_of,
    decision_date_of,
    delay_label,
    open_document_request,
)
from service_requests.services._common import store_pdf
from service_requests.services.notices import _message

RECEIPT_TEMPLATE = "service_requests/pdf/receipt.html"


def tracking_page_url(request: ServiceRequest) -> str:
    """The request's page: opens for its citizen once signed in or after proving the
    reference and email; not a secret, so it may be printed."""
    return settings.SITE_URL + reverse("service_requests:tracking", args=[request.reference])


def secret_link_url(request: ServiceRequest) -> str:
    """The personal link that opens the request without an account: only in the email and on
    the confirmation page, never in a document that may be passed on."""
    path = reverse(
        "service_requests:secret_link",
        kwargs={"reference": request.reference, "token": request.tracking_token},
    )
    return settings.SITE_URL + path


def receipt_context(
    request: ServiceRequest, *, document_requests: Iterable[DocumentRequest] | None = None
) -> dict:
    """Everything the receipt says. `document_requests` spares the queries at filing, when
    there are none."""
    version = request.form_version
    team = request.team or request.procedure.default_team
    if document_requests is None:
        missing = open_document_request(request)
        document_requests = request.document_requests.all()
    else:
        document_requests = list(document_requests)
        missing = next((d for d in document_requests if d.answered_on is None), None)
    decision_on = decision_date_of(request, document_requests)
    rule = version.silence_rule
    return {
        "request": request,
        "procedure": request.procedure,
        "team": team,
        "citizen_name": citizen_name_of(request),
        "rule": rule,
        "delay": delay_label(version.silence_delay) if rule != SilenceRule.NONE else "",
        "answer_by": answer_expected_on(request, rule),
        "decision_on": decision_on,
        "missing": missing,
        "tracking_url": tracking_page_url(request),
        # The tracking page opens to an account or to an email address the request knows: a
        # citizen with neither (a request filed for them at the counter or by post) follows it
        # with the reference, from the service.
        "online_tracking": bool(
            citizen_email_of(request) or (request.citizen_id and request.citizen.user_id)
        ),
        "lookup_url": settings.SITE_URL + reverse("service_requests:lookup"),
        "authority_name": settings.AUTHORITY_NAME,
        "authority_name_with_article": settings.AUTHORITY_NAME_WITH_ARTICLE,
        "authority_address": settings.AUTHORITY_ADDRESS,
        "authority_email": settings.AUTHORITY_EMAIL,
        "authority_phone": settings.AUTHORITY_PHONE,
        "administrative_court": settings.GRU_ADMINISTRATIVE_COURT,
        "issued_at": timezone.localtime(),
        "site_url": settings.SITE_URL,
    }


@transaction.atomic
def request_issue_receipt(*, request: ServiceRequest, written: list[str] | None = None) -> Document:
    """Generate the receipt PDF and keep it as the request's Document (kind receipt, visible to
    the citizen); the existing one when it was made already. `written` collects the storage
    names written, for a caller whose transaction may roll back."""
    if request.status == Status.DRAFT:
        raise ValueError(f"{request} is a draft: it has no receipt")
    # The worker that emails it and the citizen's click may ask at the same time: one makes
    # it, the other waits for the row and finds it made.
    ServiceRequest.objects.select_for_update().filter(pk=request.pk).exists()
    existing = request.documents.filter(kind=Document.Kind.RECEIPT).first()
    if existing is not None:
        return existing
    fresh = not request.document_requests.exists()
    context = receipt_context(request, document_requests=[] if fresh else None)
    content = render_pdf(RECEIPT_TEMPLATE, context)
    name = f"accuse-reception-{request.reference}.pdf"
    return store_pdf(
        request, kind=Document.Kind.RECEIPT, name=name, content=content, written=written
    )


def receipt_email_context(request: ServiceRequest) -> dict:
    version = request.form_version
    team = request.team or request.procedure.default_team
    return {
        "request": request,
        "procedure": request.procedure,
        "team": team,
        "citizen_name": citizen_name_of(request),
        "decision_sentence": implicit_decision_sentence(
            version.silence_rule, request.decision_due_on, version.silence_delay
        ),
        "secret_link": secret_link_url(request),
        "lookup_url": settings.SITE_URL + reverse("service_requests:lookup"),
    }


def receipt_recipient(request: ServiceRequest) -> str:
    """Where the receipt is emailed: the address given when filing, else the citizen's; "" for
    nobody.

    A request an agent filed for a citizen (`filed_by`) carries the contact address only when
    the citizen chose to receive the receipt by email. Otherwise the agent printed it at once
    or posts it, and an emailed copy (with the personal tracking link) goes only to a citizen
    who asked for emails about their requests (`email_updates`): the paper one is the receipt
    the law requires (L112-3), a second one unasked would be noise."""
    if request.contact_email:
        return request.contact_email
    if request.filed_by_id is not None:
        citizen = request.citizen
        if citizen is None or not citizen.email_updates:
            return ""
    return citizen_email_of(request)


def request_send_receipt(*, request_id: int) -> bool:
    """Make the receipt if it is not made yet, and email it, attached, with the secret tracking
    link (`receipt_recipient`); False when there is nobody to write to. At least once: a run
    after a send that succeeded sends it again (the outbox runs it again only when the previous
    run did not finish: a worker killed between the SMTP answer and the row marked done)."""
    request = (
        ServiceRequest.objects.select_related("procedure", "form_version", "team", "citizen")
        .exclude(status=Status.DRAFT)
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return False
    # Made even when nobody is written to: an agent prints it or posts it, and the hourly
    # catch-up then has nothing left to do.
    receipt = request.documents.filter(kind=Document.Kind.RECEIPT).first()
    if receipt is None:
        receipt = request_issue_receipt(request=request)
    to = receipt_recipient(request)
    if not to:
        return False
    message = _message("receipt", receipt_email_context(request), to)
    with receipt.file.open("rb") as pdf:
        message.attach(receipt.original_name, pdf.read(), "application/pdf")
    message.send()
    return True


def answer_expected_on(request: ServiceRequest, rule: str):
    """The day by which a question (no decision, no silence rule) is answered: the
    authority's commitment (GRU_ANSWER_DAYS), not a legal date; None for anything else (a
    report is acted on by urgency, a decision has its legal date)."""
    procedure = request.procedure
    if rule != SilenceRule.NONE or procedure.kind != procedure.Kind.INFORMATION:
        return None
    return request.received_on + timedelta(days=settings.GRU_ANSWER_DAYS)
