"""What the timers send: the implicit decision's document and emails, reminders, alerts.

An email that must go once is stamped (`NotificationSent`, or a field) in the transaction that
sends it: a failed send rolls the stamp back and the Celery retry sends again; a send that
succeeded is never repeated, except in the instant between the SMTP answer and the commit.
At least once, then, which is what a legal notice needs; the stamp makes it once in practice.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gru.pdf import render_pdf
from service_requests.models import (
    OPEN_STATES,
    Document,
    DocumentRequest,
    Event,
    NotificationSent,
    ServiceRequest,
    Status,
    TeamTask,
)
from service_requests.selectors import (
    agent_email_of,
    citizen_email_of,
    citizen_name_of,
    delay_label,
    team_email_of,
)
from service_requests.services._common import lock, record, store_pdf

IMPLICIT_DOCUMENTS = {
    Status.ACCEPTED_IMPLICITLY: (
        Document.Kind.ATTESTATION,
        "service_requests/pdf/implicit_acceptance_attestation.html",
        "attestation-acceptation-implicite",
    ),
    Status.REJECTED_IMPLICITLY: (
        Document.Kind.REJECTION_NOTICE,
        "service_requests/pdf/implicit_rejection_notice.html",
        "avis-rejet-implicite",
    ),
}


def _message(template: str, context: dict, to: str) -> EmailMultiAlternatives:
    """A French email from `service_requests/emails/<template>_subject.txt`, `.txt`, `.html`."""
    base = f"service_requests/emails/{template}"
    context = {
        "authority_name": settings.AUTHORITY_NAME,
        "authority_name_with_article": settings.AUTHORITY_NAME_WITH_ARTICLE,
        "authority_address": settings.AUTHORITY_ADDRESS,
        "site_url": settings.SITE_URL,
        **context,
    }
    with translation.override("fr"):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def _send_once(
    request: ServiceRequest,
    kind: str,
    due_on: date,
    message: EmailMultiAlternatives,
    *,
    days_before: int = 0,
    payload: dict | None = None,
) -> bool:
    """Send `message` unless this notification was sent already; return whether it went. With
    `payload`, the sending is also written on the request's timeline (a reminder)."""
    with transaction.atomic():
        _, created = NotificationSent.objects.get_or_create(
            request=request, kind=kind, due_on=due_on, days_before=days_before
        )
        if created:
            if payload is not None:
                record(request, Event.Kind.REMINDER, payload=payload)
            message.send()
    return created


def _letter_context(request: ServiceRequest) -> dict:
    version = request.form_version
    team = request.team or request.procedure.default_team
    assignee = request.assignee
    return {
        "request": request,
        "procedure": request.procedure,
        "team": team,
        "assignee": assignee if assignee and assignee.get_full_name() else None,
        "citizen_name": citizen_name_of(request),
        "delay": delay_label(version.silence_delay),
        "authority_name": settings.AUTHORITY_NAME,
        "authority_name_with_article": settings.AUTHORITY_NAME_WITH_ARTICLE,
        "authority_address": settings.AUTHORITY_ADDRESS,
        "authority_email": settings.AUTHORITY_EMAIL,
        "authority_phone": settings.AUTHORITY_PHONE,
        "administrative_court": settings.GRU_ADMINISTRATIVE_COURT,
        "issued_on": timezone.localdate(),
        "site_url": settings.SITE_URL,
    }


def request_issue_implicit_decision_document(*, request: ServiceRequest) -> Document:
    """The attestation of an implicit acceptance (L232-3) or the notice of an implicit rejection
    with the means and delays of appeal, generated once and kept privately; the existing one
    when it was generated already (this runs again on a retry, and on the citizen's demand)."""
    with transaction.atomic():
        locked = lock(request)
        if locked.status not in IMPLICIT_DOCUMENTS:
            raise ValueError(f"{locked} has no implicit decision (status {locked.status})")
        kind, template, slug = IMPLICIT_DOCUMENTS[locked.status]
        existing = locked.documents.filter(kind=kind).first()
        if existing is not None:
            return existing
        content = render_pdf(template, _letter_context(locked))
        name = f"{slug}-{locked.reference}.pdf"
        document = store_pdf(locked, kind=kind, name=name, content=content)
    return document


def request_deliver_implicit_decision(*, request_id: int) -> None:
    """Everything an implicit decision sends, each part once: its document, the email to the
    citizen (with the document attached) when there is an address, the email to the team."""
    request = (
        ServiceRequest.objects.select_related(
            "form_version", "procedure", "citizen", "team", "assignee"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status not in IMPLICIT_DOCUMENTS:
        return
    document = request_issue_implicit_decision_document(request=request)
    context = _letter_context(request) | {"document": document}
    citizen_email = citizen_email_of(request)
    if citizen_email:
        message = _message("implicit_decision_citizen", context, citizen_email)
        with document.file.open("rb") as pdf:
            message.attach(document.original_name, pdf.read(), "application/pdf")
        _send_once(
            request, NotificationSent.Kind.IMPLICIT_DECISION_CITIZEN, request.decided_on, message
        )
    context["citizen_email"] = citizen_email
    message = _message("implicit_decision_team", context, team_email_of(request))
    _send_once(request, NotificationSent.Kind.IMPLICIT_DECISION_TEAM, request.decided_on, message)


def request_send_decision_reminder(*, request_id: int, days_before: int, due_on: date) -> bool:
    """Remind the assignee (else the team) that the request's implicit decision holds from
    `due_on`, once for that date and that threshold; the reminder goes on the timeline."""
    request = (
        ServiceRequest.objects.select_related("form_version", "procedure", "team", "assignee")
        .filter(pk=request_id, status__in=OPEN_STATES, decision_due_on=due_on)
        .first()
    )
    today = timezone.localdate()
    if request is None or due_on <= today:
        return False  # decided, or the date moved since the sweep looked: nothing to remind
    to = agent_email_of(request)
    context = _letter_context(request) | {"days_left": (due_on - today).days}
    message = _message("decision_reminder", context, to)
    payload = {"days_before": days_before, "due_on": due_on.isoformat(), "to": to}
    return _send_once(
        request,
        NotificationSent.Kind.DECISION_REMINDER,
        due_on,
        message,
        days_before=days_before,
        payload=payload,
    )


def request_alert_documents_overdue(*, document_request_id: int) -> bool:
    """Tell the assignee (else the team) that the citizen let the deadline for the pieces pass,
    once; the alert goes on the timeline."""
    today = timezone.localdate()
    with transaction.atomic():
        document_request = (
            DocumentRequest.objects.select_for_update(of=("self",))
            .select_related("request__form_version", "request__procedure", "request__team")
            .select_related("request__assignee")
            .filter(pk=document_request_id)
            .first()
        )
        if document_request is None:
            return False
        request = document_request.request
        if (
            document_request.overdue_alerted_at is not None
            or document_request.answered_on is not None
            or document_request.answer_deadline >= today
            or request.status != Status.AWAITING_CITIZEN
        ):
            return False
        document_request.overdue_alerted_at = timezone.now()
        document_request.save(update_fields=["overdue_alerted_at"])
        to = agent_email_of(request)
        payload = {
            "document_request_id": document_request.pk,
            "deadline": document_request.answer_deadline.isoformat(),
            "to": to,
        }
        record(request, Event.Kind.DOCUMENTS_OVERDUE, payload=payload)
        context = _letter_context(request) | {"document_request": document_request}
        _message("documents_overdue", context, to).send()
    return True


def request_warn_draft_expiry(*, request_id: int, expires_on: date) -> bool:
    """Tell the citizen their draft will be deleted on `expires_on`, once for that date. Drafts
    have no timeline: the stamp is the only trace."""
    request = (
        ServiceRequest.objects.select_related("procedure", "citizen")
        .filter(pk=request_id, status=Status.DRAFT)
        .first()
    )
    email = citizen_email_of(request) if request else ""
    if not email:
        return False
    # Sent late (the job did not run), the warning still gives its full notice.
    notice = timedelta(days=settings.GRU_DRAFT_WARNING_DAYS)
    context = {
        "request": request,
        "procedure": request.procedure,
        "citizen_name": citizen_name_of(request),
        "deleted_on": max(expires_on, timezone.localdate() + notice),
    }
    message = _message("draft_expiry", context, email)
    return _send_once(request, NotificationSent.Kind.DRAFT_EXPIRY, expires_on, message)


def task_notify_reasons_requested(*, task_id: int) -> None:
    """Tell the team that a citizen asked for the reasons of an implicit rejection."""
    task = (
        TeamTask.objects.select_related(
            "team", "request__form_version", "request__procedure", "request__citizen"
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        return
    context = _letter_context(task.request) | {"task": task}
    message = _message("reasons_requested", context, task.team.email)
    _send_once(task.request, NotificationSent.Kind.REASONS_REQUESTED, task.due_on, message)


def request_tell_team_withdrawn(*, event_id: int) -> bool:
    """Tell the assignee (else the team) that the citizen withdrew the request: nothing left to
    instruct. Sent once, from the withdrawal's commit."""
    from django.urls import reverse

    event = (
        Event.objects.select_related(
            "request__procedure", "request__form_version", "request__team", "request__assignee"
        )
        .filter(pk=event_id, kind=Event.Kind.WITHDRAWN)
        .first()
    )
    if event is None:
        return False
    request = event.request
    context = _letter_context(request) | {
        "event": event,
        "reason": event.payload.get("reason", ""),
        "case_url": settings.SITE_URL + reverse("backoffice:case", args=[request.reference]),
    }
    _message("withdrawn_team", context, agent_email_of(request)).send()
    return True
