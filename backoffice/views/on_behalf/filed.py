"""After filing: the confirmation and the receipt to print, for the agent who filed."""

from __future__ import annotations

from django.db.models import Q
from django.http import FileResponse, Http404

from backoffice.access import agent_required
from backoffice.on_behalf_forms import (
    EMAIL,
    POST,
    PRINT,
)
from backoffice.views.common import render_agent
from backoffice.views.on_behalf.common import check_right
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests.deadlines import explain_decision_date
from service_requests.identifiers import normalise_reference
from service_requests.models import ServiceRequest, Status
from service_requests.permissions import may_view
from service_requests.services.receipts import (
    receipt_recipient,
    request_issue_receipt,
    tracking_page_url,
)

# --- After filing -----------------------------------------------------------------------------


def _filed_by(user, reference: str) -> ServiceRequest:
    """A request this agent filed on someone's behalf (or for themselves), else a 404."""
    normalised = normalise_reference(reference)
    if normalised is None:
        raise Http404
    found = (
        ServiceRequest.objects.exclude(status=Status.DRAFT)
        # An agent filing for their own citizen record is no "on behalf": not `filed_by`.
        .filter(
            Q(filed_by=user) | Q(citizen__user=user, filed_by__isnull=True), reference=normalised
        )
        .select_related("procedure", "form_version", "team", "citizen", "organisation")
        .first()
    )
    if found is None:
        raise Http404
    return found


@agent_required
def filed(request, reference: str):
    """The confirmation: the reference, the legal dates and why, how the citizen follows the
    request, the receipt to print."""
    check_right(request.user)
    service_request = _filed_by(request.user, reference)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.VIEW_REQUEST,
        request_reference=service_request.reference,
        citizen_id=service_request.citizen_id,
    )
    version = service_request.form_version
    _day, steps = explain_decision_date(
        received_on=service_request.received_on,
        rule=version.silence_rule,
        delay=version.silence_delay,
    )
    delivery = request.GET.get("remise", "")
    context = {
        "service_request": service_request,
        "citizen": service_request.citizen,
        "team": service_request.team or service_request.procedure.default_team,
        "due_steps": steps,
        "tracking_url": tracking_page_url(service_request),
        "emailed_to": receipt_recipient(service_request),
        "delivery": delivery if delivery in (PRINT, EMAIL, POST) else "",
        "may_open_case": may_view(request.user, service_request),
    }
    return render_agent(request, "backoffice/on_behalf/filed.html", context)


@agent_required
def receipt(request, reference: str):
    """The receipt PDF, shown in the browser to print; made now if the worker has not yet."""
    check_right(request.user)
    service_request = _filed_by(request.user, reference)
    document = request_issue_receipt(request=service_request)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD_DOCUMENT,
        request_reference=service_request.reference,
        citizen_id=service_request.citizen_id,
        document_id=document.pk,
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=document.original_name,
        content_type=document.content_type,
    )
