"""What the signed-in citizen's space reads: their requests of every channel, drafts, the
agents' messages, the documents issued to them, and the anonymous requests their verified
email proves are theirs. Every query is scoped to the citizen: another's row is out of reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.paginator import Page
from django.db.models import QuerySet, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from citizens.models import Channel, Citizen
from forms_builder.models import FormVersion
from gru.sql import fetch_together, instance, page_number, page_params, read_page
from service_requests.models import (
    DocumentKind,
    EventKind,
    EventVisibility,
    Message,
    PublicStatus,
    ServiceRequest,
    Status,
)

REQUESTS_PER_PAGE = 20
DOCUMENTS_PER_PAGE = 20
RECENT_MESSAGES = 5
RECENT_DOCUMENTS = 5
CLAIMABLE_LIMIT = 20
# What the administration issued: the citizen's own uploads are in each request's page.
ISSUED_DOCUMENT_KINDS = sorted(
    str(kind)
    for kind in (
        DocumentKind.RECEIPT,
        DocumentKind.DECISION,
        DocumentKind.ATTESTATION,
        DocumentKind.REJECTION_NOTICE,
        DocumentKind.LETTER,
    )
)
OUTCOME_DOCUMENT_KINDS = sorted(
    str(kind)
    for kind in (DocumentKind.DECISION, DocumentKind.ATTESTATION, DocumentKind.REJECTION_NOTICE)
)
# A status badge's tone: a visual aid only, the label carries the meaning.
STATUS_TONES = {
    PublicStatus.RECEIVED: "info",
    PublicStatus.IN_PROGRESS: "info",
    PublicStatus.TO_COMPLETE: "warning",
    PublicStatus.ACCEPTED: "success",
    PublicStatus.PARTIALLY_ACCEPTED: "success",
    PublicStatus.REJECTED: "error",
    PublicStatus.WITHDRAWN: "neutral",
    PublicStatus.FINISHED: "neutral",
}


def status_tone(request: ServiceRequest) -> str:
    return STATUS_TONES.get(request.public_status, "neutral")


def citizen_requests(citizen: Citizen | None) -> QuerySet[ServiceRequest]:
    """The citizen's filed requests, whatever the channel (online, or filed by an agent at the
    counter, on the phone, by mail), newest first."""
    if citizen is None:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(citizen=citizen)
        .exclude(status=Status.DRAFT)
        .select_related("procedure")
        .order_by("-created_at", "-id")
    )


# The reads of « Mon espace », in SQL (gru/sql.py says why). Each is scoped to the signed-in
# user's citizen record (the subquery on citizens_citizen). The actions (joining a request,
# discarding a draft) find their row through the querysets of this module:
# tests/service_requests/test_account_reads.py checks both select the same rows.
# The page's requests with their list's length; then, for those rows only, how each ended:
# the motive of the decision or closure, the document to download.
REQUESTS_SQL = """
SELECT page.*,
       (SELECT e.payload ->> 'motive' FROM service_requests_event e
         WHERE e.request_id = page.id AND e.kind = ANY(%(ending_kinds)s)
           AND e.visibility = %(citizen)s
         ORDER BY e.created_at DESC, e.id DESC LIMIT 1) AS outcome_motive,
       (SELECT d.id FROM service_requests_document d
         WHERE d.request_id = page.id AND d.visible_to_citizen
           AND d.kind = ANY(%(outcome_kinds)s)
         ORDER BY d.created_at DESC, d.id DESC LIMIT 1) AS outcome_document_id
  FROM (SELECT r.id, r.reference, r.status, r.channel, r.received_on, r.decided_on,
               r.decision_due_on, r.implicit_decision_triggered_at, r.created_at,
               p.title AS procedure_title, v.id AS form_version__id,
               v.silence_rule AS form_version__silence_rule,
               v.silence_delay AS form_version__silence_delay,
               count(*) OVER () AS list_length
          FROM service_requests_servicerequest r
          JOIN forms_builder_procedure p ON p.id = r.procedure_id
          JOIN forms_builder_formversion v ON v.id = r.form_version_id
         WHERE r.citizen_id = (SELECT c.id FROM citizens_citizen c WHERE c.user_id = %(user)s)
           AND r.status <> %(draft)s
         ORDER BY r.created_at DESC, r.id DESC
         LIMIT %(limit)s OFFSET %(offset)s) page
 ORDER BY page.created_at DESC, page.id DESC
"""
DRAFTS_SQL = """
SELECT r.reference, r.updated_at, p.title AS procedure_title, p.slug AS procedure_slug
  FROM service_requests_servicerequest r
  JOIN forms_builder_procedure p ON p.id = r.procedure_id
 WHERE r.citizen_id = (SELECT c.id FROM citizens_citizen c WHERE c.user_id = %(user)s)
   AND r.status = %(draft)s
 ORDER BY r.updated_at DESC, r.id DESC
"""
MESSAGES_SQL = """
SELECT m.id, m.body, m.created_at, m.read_at IS NULL AS unread, r.reference,
       p.title AS procedure_title
  FROM service_requests_message m
  JOIN service_requests_servicerequest r ON r.id = m.request_id
  JOIN forms_builder_procedure p ON p.id = r.procedure_id
 WHERE r.citizen_id = (SELECT c.id FROM citizens_citizen c WHERE c.user_id = %(user)s)
   AND r.status <> %(draft)s
   AND m.direction = %(to_citizen)s
 ORDER BY unread DESC, m.created_at DESC, m.id DESC
 LIMIT %(limit)s
"""
DOCUMENTS_SQL = """
SELECT d.id, d.kind, d.original_name, d.size, d.created_at, r.reference,
       p.title AS procedure_title, count(*) OVER () AS list_length
  FROM service_requests_document d
  JOIN service_requests_servicerequest r ON r.id = d.request_id
  JOIN forms_builder_procedure p ON p.id = r.procedure_id
 WHERE r.citizen_id = (SELECT c.id FROM citizens_citizen c WHERE c.user_id = %(user)s)
   AND r.status <> %(draft)s
   AND d.visible_to_citizen AND d.kind = ANY(%(issued_kinds)s)
 ORDER BY d.created_at DESC, d.id DESC
 LIMIT %(limit)s OFFSET %(offset)s
"""
CLAIMABLE_SQL = """
SELECT r.reference, r.received_on, r.contact_email, p.title AS procedure_title
  FROM service_requests_servicerequest r
  JOIN forms_builder_procedure p ON p.id = r.procedure_id
 WHERE r.citizen_id IS NULL AND r.status <> %(draft)s
   AND lower(r.contact_email) IN (SELECT lower(a.email) FROM account_emailaddress a
                                   WHERE a.user_id = %(user)s AND a.verified)
 ORDER BY r.created_at DESC, r.id DESC
 LIMIT %(limit)s
"""


def _params(user, **more) -> dict:
    return {
        "user": user.pk,
        "draft": Status.DRAFT.value,
        "citizen": EventVisibility.CITIZEN.value,
        "to_citizen": Message.Direction.TO_CITIZEN.value,
        "ending_kinds": [EventKind.DECISION.value, EventKind.CLOSED.value],
        "outcome_kinds": OUTCOME_DOCUMENT_KINDS,
        "issued_kinds": ISSUED_DOCUMENT_KINDS,
        **more,
    }


@dataclass
class RequestRow:
    """One request in « Mon espace », as plain values the template prints (no include, filter
    or URL lookup per row): its status, and what the citizen must know of its legal date
    (open) or of how it ended (motive, document)."""

    reference: str
    status: str
    url: str
    title: str
    status_label: str
    tone: str
    received_on: str
    channel: str
    decided_on: str = ""
    due_sentence: str = ""
    motive: str = ""
    document_url: str = ""
    document_label: str = ""


def _request(row: dict) -> ServiceRequest:
    """The row as the request the legal date's wording and the outcome's links read (status,
    dates, silence rule), built as the ORM builds it: no query."""
    request = instance(ServiceRequest, row)
    request.form_version = instance(FormVersion, row, "form_version__")
    return request


def request_row(row: dict) -> RequestRow:
    from service_requests import tracking
    from service_requests.legal_dates import due_date_text

    request = _request(row)
    shown = RequestRow(
        reference=request.reference,
        status=request.status,
        url=reverse("service_requests:tracking", args=[request.reference]),
        title=row["procedure_title"],
        status_label=str(request.public_status.label),
        tone=status_tone(request),
        received_on=date_format(request.received_on, "j F Y") if request.received_on else "",
        channel=str(Channel(request.channel).label),  # get_channel_display: 10 times slower
        decided_on=date_format(request.decided_on, "j F Y") if request.decided_on else "",
    )
    if request.is_open:
        text = due_date_text(request)
        shown.due_sentence = text.sentence if text else ""
        return shown
    if request.status in tracking.OUTCOME_DOCUMENTS or request.status == Status.CLOSED:
        shown.motive = row["outcome_motive"] or ""
    if request.status in tracking.OUTCOME_DOCUMENTS:
        url = tracking.outcome_document_url(request, row["outcome_document_id"])
        if url:
            shown.document_url = url
            shown.document_label = str(tracking.OUTCOME_DOCUMENT_LABELS[request.status])
    return shown


def request_rows_page(user, number, rows: list | None = None) -> Page:
    """A page of the citizen's filed requests (every channel), newest first, as RequestRow
    (`rows`: the page's rows when already read)."""
    page = read_page(REQUESTS_SQL, _params(user), REQUESTS_PER_PAGE, number, rows)
    page.object_list = [request_row(row) for row in page.object_list]
    return page


def document_rows_page(
    user, number, per_page: int = DOCUMENTS_PER_PAGE, rows: list | None = None
) -> Page:
    """A page of the documents issued on the citizen's requests, newest first: each with its
    kind's label, its request's reference and procedure (`rows`: when already read)."""
    page = read_page(DOCUMENTS_SQL, _params(user), per_page, number, rows)
    for row in page.object_list:
        row["kind_label"] = DocumentKind(row["kind"]).label
    return page


def with_expiry(drafts: list[dict]) -> list[dict]:
    """The drafts' rows, each with the day it is deleted unless saved again."""
    for row in drafts:
        row["expires_on"] = draft_expires_on(row["updated_at"])
    return drafts


def citizen_drafts(citizen: Citizen | None) -> QuerySet[ServiceRequest]:
    if citizen is None:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(citizen=citizen, status=Status.DRAFT)
        .select_related("procedure")
        .order_by("-updated_at", "-id")
    )


def draft_expires_on(saved_at: datetime) -> date:
    """The day the nightly purge deletes a draft last saved at `saved_at` if it is not saved
    again meanwhile."""
    lifespan = timedelta(days=settings.GRU_DRAFT_LIFESPAN_DAYS)
    return timezone.localdate(saved_at) + lifespan


def requests_claimable_by_email(user) -> QuerySet:
    """Filed requests with no citizen whose contact address is one of the user's verified
    addresses, read in the same query (allauth's confirmation: an address stored unverified,
    such as the one FranceConnect returned, proves nothing). Requests already joined to a
    citizen (this one or another) are never offered."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values(lower=Lower("email"))
    return (
        ServiceRequest.objects.filter(citizen__isnull=True)
        .exclude(status=Status.DRAFT)
        .alias(contact_email_lower=Lower("contact_email"))
        .filter(contact_email_lower__in=Subquery(emails))
        .select_related("procedure")
        .order_by("-created_at", "-id")
    )


@dataclass
class AccountDashboard:
    requests: Page  # of RequestRow
    drafts: list[dict]
    messages: list[dict]
    documents: list[dict]
    has_more_documents: bool
    claimable: list[dict]
    claimable_emails: list[str]


def account_dashboard(user, number) -> AccountDashboard:
    """Everything /compte/ shows, in five queries sent together (one round trip), whatever the
    number of the citizen's requests, messages or documents."""
    params, wanted = _params(user), page_number(number)
    requests, drafts, messages, documents, claimable = fetch_together(
        (REQUESTS_SQL, page_params(params, REQUESTS_PER_PAGE, wanted)),
        (DRAFTS_SQL, params),
        (MESSAGES_SQL, {**params, "limit": RECENT_MESSAGES}),
        (DOCUMENTS_SQL, page_params(params, RECENT_DOCUMENTS, 1)),
        (CLAIMABLE_SQL, {**params, "limit": CLAIMABLE_LIMIT}),
    )
    documents = document_rows_page(user, 1, RECENT_DOCUMENTS, documents)
    return AccountDashboard(
        requests=request_rows_page(user, wanted, requests),
        drafts=with_expiry(drafts),
        messages=messages,
        documents=documents.object_list,
        has_more_documents=documents.paginator.count > RECENT_DOCUMENTS,
        claimable=claimable,
        claimable_emails=sorted({row["contact_email"].lower() for row in claimable}),
    )
