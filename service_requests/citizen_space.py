"""What the signed-in citizen's space reads: their requests of every channel, drafts, the
agents' messages, the documents issued to them, and the anonymous requests their verified
email proves are theirs. Every query is scoped to the citizen: another's row is out of reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from citizens.models import Citizen
from service_requests.models import (
    Document,
    DocumentKind,
    Event,
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


def with_outcome(requests: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """What a list row says of how a request ended, in the list's own query: the motive of
    the decision or closure, and the document to download (the decision letter, the
    attestation or the notice of an implicit decision). The form version words the legal
    date of the open ones."""
    ending = Event.objects.filter(
        request=OuterRef("pk"),
        kind__in=sorted(str(kind) for kind in (EventKind.DECISION, EventKind.CLOSED)),
        visibility=EventVisibility.CITIZEN,
    ).order_by("-created_at", "-id")
    document = Document.objects.filter(
        request=OuterRef("pk"), visible_to_citizen=True, kind__in=OUTCOME_DOCUMENT_KINDS
    ).order_by("-created_at", "-id")
    # Only the silence rule and delay of the version: not its schema, a JSON document a row.
    return (
        requests.select_related("form_version")
        .defer("form_version__schema")
        .annotate(
            outcome_motive=Subquery(ending.values("payload__motive")[:1]),
            outcome_document_id=Subquery(document.values("pk")[:1]),
        )
    )


@dataclass
class RequestRow:
    """One request in « Mon espace », as plain values the template prints (no include, filter
    or URL lookup per row): its status, and what the citizen must know of its legal date
    (open) or of how it ended (motive, document)."""

    request: ServiceRequest
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


def request_row(request: ServiceRequest) -> RequestRow:
    from service_requests import tracking
    from service_requests.legal_dates import due_date_text

    row = RequestRow(
        request=request,
        url=reverse("service_requests:tracking", args=[request.reference]),
        title=request.procedure.title,
        status_label=str(request.public_status.label),
        tone=status_tone(request),
        received_on=date_format(request.received_on, "j F Y") if request.received_on else "",
        channel=request.get_channel_display(),
        decided_on=date_format(request.decided_on, "j F Y") if request.decided_on else "",
    )
    if request.is_open:
        text = due_date_text(request)
        row.due_sentence = text.sentence if text else ""
        return row
    if request.status in tracking.OUTCOME_DOCUMENTS or request.status == Status.CLOSED:
        row.motive = getattr(request, "outcome_motive", "") or ""
    if request.status in tracking.OUTCOME_DOCUMENTS:
        url = tracking.outcome_document_url(request, getattr(request, "outcome_document_id", None))
        if url:
            row.document_url = url
            row.document_label = str(tracking.OUTCOME_DOCUMENT_LABELS[request.status])
    return row


def citizen_drafts(citizen: Citizen | None) -> QuerySet[ServiceRequest]:
    if citizen is None:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(citizen=citizen, status=Status.DRAFT)
        .select_related("procedure")
        .order_by("-updated_at", "-id")
    )


def draft_expires_on(draft: ServiceRequest) -> date:
    """The day the nightly purge deletes the draft if it is not saved again meanwhile."""
    lifespan = timedelta(days=settings.GRU_DRAFT_LIFESPAN_DAYS)
    return timezone.localdate(draft.updated_at) + lifespan


def citizen_messages(citizen: Citizen | None) -> QuerySet[Message]:
    """The agents' messages about the citizen's requests, unread first, then newest first."""
    if citizen is None:
        return Message.objects.none()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Message.objects.filter(request__citizen=citizen, direction=Message.Direction.TO_CITIZEN)
        .exclude(request__status=Status.DRAFT)
        .annotate(unread=unread)
        .select_related("request__procedure")
        .order_by("-unread", "-created_at", "-id")
    )


def citizen_documents(citizen: Citizen | None) -> QuerySet[Document]:
    """The documents the administration issued on the citizen's requests (receipts,
    decisions, attestations, notices, letters), newest first."""
    if citizen is None:
        return Document.objects.none()
    return (
        Document.objects.filter(
            request__citizen=citizen,
            visible_to_citizen=True,
            kind__in=ISSUED_DOCUMENT_KINDS,
        )
        .exclude(request__status=Status.DRAFT)
        .select_related("request__procedure")
        .order_by("-created_at", "-id")
    )


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
    citizen: Citizen | None
    requests: Page
    drafts: list[tuple[ServiceRequest, date]]
    messages: list[Message]
    documents: list[Document]
    has_more_documents: bool
    claimable: list[ServiceRequest]
    claimable_emails: list[str]

    @property
    def request_rows(self) -> list[RequestRow]:
        return [request_row(request) for request in self.requests]


def list_page(queryset: QuerySet, per_page: int, number) -> Page:
    """A page of the list, as Paginator.get_page gives it, in one query: its rows and, in a
    subquery PostgreSQL runs once, the list's length (Paginator counts in a query of its own).
    A page out of range is the last one, as get_page says."""
    try:
        wanted = max(int(number or 1), 1)
    except (TypeError, ValueError):
        wanted = 1
    length = queryset.order_by().annotate(length=Func(F("pk"), function="COUNT")).values("length")
    start = (wanted - 1) * per_page
    rows = list(queryset.annotate(list_length=Subquery(length))[start : start + per_page])
    if not rows and wanted > 1:  # past the end: Paginator finds the last page
        return Paginator(queryset, per_page).get_page(number)
    paginator = Paginator(queryset, per_page)
    paginator.count = rows[0].list_length if rows else 0  # Paginator.count is a cached property
    return paginator._get_page(rows, wanted, paginator)


def account_dashboard(user, citizen: Citizen | None, page_number) -> AccountDashboard:
    """Everything /compte/ shows, in a number of queries that does not grow with the
    citizen's requests, messages or documents."""
    requests = list_page(with_outcome(citizen_requests(citizen)), REQUESTS_PER_PAGE, page_number)
    drafts = [(draft, draft_expires_on(draft)) for draft in citizen_drafts(citizen)]
    documents = list(citizen_documents(citizen)[: RECENT_DOCUMENTS + 1])
    claimable = list(requests_claimable_by_email(user)[:CLAIMABLE_LIMIT])
    return AccountDashboard(
        citizen=citizen,
        requests=requests,
        drafts=drafts,
        messages=list(citizen_messages(citizen)[:RECENT_MESSAGES]),
        documents=documents[:RECENT_DOCUMENTS],
        has_more_documents=len(documents) > RECENT_DOCUMENTS,
        claimable=claimable,
        claimable_emails=sorted({r.contact_email.lower() for r in claimable}),
    )
