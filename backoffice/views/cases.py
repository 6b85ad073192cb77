"""The case screen: everything about one request, and the actions the agent's role allows in
its state. Each action is one POST to one service; a refusal re-renders the screen with the
reason next to the field (4xx), a success redirects back to it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from backoffice import forms as bo
from backoffice.access import agent_required
from backoffice.views.common import render_agent
from gru.forms import error_summary
from gru.models import AccessLog, Team, User
from gru.services import access_log_record
from service_requests import lifecycle, services
from service_requests.cases import case_queryset, case_screen
from service_requests.identifiers import normalise_reference
from service_requests.permissions import allowed_actions, may, visible_requests
from service_requests.services.errors import StaleRequest, TransitionRefused
from service_requests.services.messages import UploadsRefused, message_post_from_agent
from service_requests.views.tracking import FilesField

# What a browser shows in the page; other images (HEIC) download.
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/webp"})
DECISION_OUTCOMES = {
    "accept": "accepted",
    "accept_partially": "partially_accepted",
    "reject": "rejected",
}


class AgentMessageForm(bo.MessageForm):
    files = FilesField(label="Joindre des fichiers", required=False)


FORMS = {
    "take": bo.CaseActionForm,
    "assign": bo.AssignForm,
    "unassign": bo.CaseActionForm,
    "transfer": bo.TransferForm,
    "reroute": bo.CaseActionForm,
    "start_review": bo.CaseActionForm,
    "ask_documents": bo.AskDocumentsForm,
    "receive_documents": bo.CaseActionForm,
    "mark_complete": bo.CompleteForm,
    "message": AgentMessageForm,
    "note": bo.NoteForm,
    "decide": bo.DecisionForm,
    "close": bo.CloseForm,
    "reopen": bo.ReasonForm,
    "withdraw": bo.WithdrawForm,
}
SUCCESS = {
    "take": "La demande vous est attribuée.",
    "assign": "La demande est attribuée.",
    "unassign": "La demande n'est plus attribuée.",
    "transfer": "La demande est transférée.",
    "reroute": "L'orientation a été recalculée.",
    "start_review": "L'instruction commence : l'usager voit « En cours ».",
    "ask_documents": "Les pièces sont demandées à l'usager ; il en est informé par courriel.",
    "receive_documents": "Les pièces sont enregistrées comme reçues.",
    "mark_complete": "Le dossier est déclaré complet.",
    "message": "Votre message est envoyé à l'usager.",
    "note": "La note interne est ajoutée.",
    "decide": "La décision est enregistrée ; le courrier est envoyé à l'usager.",
    "close": "La demande est clôturée.",
    "reopen": "La demande est rouverte.",
    "withdraw": "Le retrait de la demande est enregistré.",
}


def _case(user, reference: str):
    """The request if `user` may open it; else a 404, as for a reference that does not exist."""
    normalised = normalise_reference(reference)
    if normalised is None:
        raise Http404
    # Not .first(): its ORDER BY id would let the planner walk the primary key.
    found = list(case_queryset(visible_requests(user)).filter(reference=normalised)[:1])
    if not found:
        raise Http404
    return found[0]


def _allowed(user, service_request) -> frozenset[str]:
    allowed = allowed_actions(user, service_request)
    if allowed & set(DECISION_OUTCOMES):
        allowed |= {"decide"}
    return allowed


def _form(action: str, screen, data=None, files=None):
    kwargs = {"prefix": action, "initial": {"seen_event_id": screen.last_event_id or 0}}
    if action == "assign":
        kwargs["members"] = User.objects.filter(pk__in=[u.pk for u in screen.colleagues])
    if action == "transfer":
        kwargs["teams"] = Team.objects.filter(pk__in=[t.pk for t in screen.teams])
    form = FORMS[action](data, files, **kwargs)
    if action == "decide":
        choices = [
            (name, lifecycle.transition(name).label)
            for name in DECISION_OUTCOMES
            if name in screen.allowed
        ]
        form.fields["outcome"] = bo.forms.ChoiceField(
            label="Décision",
            choices=choices,
            widget=bo.forms.RadioSelect,
            error_messages={"required": "Choisissez la décision."},
        )
        form.order_fields(["outcome", "motive"])
    return form


def _render(request, service_request, *, status=200, bound=None, stale=None):
    """The case screen, whatever the answer (a refused action shows it too): each showing is
    a read of personal data, recorded."""
    user = request.user
    access_log_record(
        user=user,
        action=AccessLog.Action.VIEW_REQUEST,
        request_reference=service_request.reference,
        citizen_id=service_request.citizen_id,
    )
    allowed = _allowed(user, service_request)
    screen = case_screen(service_request, allowed=allowed)
    action_forms = {
        action: (bound if bound is not None and bound.prefix == action else _form(action, screen))
        for action in FORMS
        if action in allowed
    }
    context = {
        "screen": screen,
        "service_request": service_request,
        "forms": action_forms,
        # The side panel's: messages and notes have their own sections.
        "panel_actions": [a for a in action_forms if a not in ("message", "note")],
        "open_action": bound.prefix if bound is not None else "",
        "stale": stale,
        "error_summary": error_summary(bound) if bound is not None else [],
        # The way to the citizen's 360° view and the organisation's page, for those who may.
        "may_find": may(user, "find"),
    }
    return render_agent(request, "backoffice/case.html", context, status=status)


@agent_required
def case(request, reference: str):
    return _render(request, _case(request.user, reference))


def _perform(action: str, service_request, user, data: dict):
    common = {"request": service_request, "actor": user}
    seen = {"seen_event_id": data.get("seen_event_id")}
    if action == "take":
        services.request_assign(**common, assignee=user, **seen)
    elif action == "assign":
        services.request_assign(**common, assignee=data["assignee"], **seen)
    elif action == "unassign":
        services.request_assign(**common, assignee=None, **seen)
    elif action == "transfer":
        services.request_transfer(**common, team=data["team"], reason=data["reason"], **seen)
    elif action == "reroute":
        services.request_reroute(**common, **seen)
    elif action == "start_review":
        services.request_start_review(**common, **seen)
    elif action == "ask_documents":
        services.request_ask_documents(
            **common, pieces=data["pieces"], answer_deadline=data["answer_deadline"], **seen
        )
    elif action == "receive_documents":
        services.request_receive_documents(**common, **seen)
    elif action == "mark_complete":
        services.request_mark_complete(**common, completed_on=data.get("completed_on"), **seen)
    elif action == "message":
        message_post_from_agent(service_request, user, data["body"], data.get("files") or [])
    elif action == "note":
        services.request_add_note(**common, text=data["text"])
    elif action == "decide":
        outcome = DECISION_OUTCOMES[data["outcome"]]
        services.request_decide(**common, outcome=outcome, motive=data["motive"], **seen)
    elif action == "close":
        services.request_close(**common, closure=data["closure"], motive=data["motive"], **seen)
    elif action == "reopen":
        services.request_reopen(**common, reason=data["reason"], **seen)
    elif action == "withdraw":
        services.request_withdraw(**common, reason=data["reason"], by="agent", **seen)


@require_POST
@agent_required
def act(request, reference: str, action: str):
    user = request.user
    service_request = _case(user, reference)
    if action not in FORMS:
        raise Http404
    allowed = _allowed(user, service_request)
    if action not in allowed:
        if not service_request.is_open and action not in ("message", "note"):
            when = service_request.decided_on
            messages.error(
                request,
                f"Cette demande est déjà {service_request.get_status_display().lower()}"
                + (f" (le {when:%d/%m/%Y})" if when else "")
                + " : cette action n'est plus possible.",
            )
        else:
            messages.error(
                request,
                "Cette action n'est pas possible : votre rôle ne le permet pas sur cette "
                "demande, ou son état a changé.",
            )
        return _render(request, service_request, status=403)
    screen = case_screen(service_request, allowed=allowed)
    form = _form(action, screen, request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, service_request, status=400, bound=form)
    try:
        _perform(action, service_request, user, form.cleaned_data)
    except StaleRequest as stale:
        # The agent's text is kept, now marked as having seen the changes: once read, the
        # same button sends it.
        fresh = _case(user, reference)
        data = request.POST.copy()
        data[f"{action}-seen_event_id"] = str(stale.changes[-1].pk)
        kept = _form(action, case_screen(fresh, allowed=_allowed(user, fresh)), data, request.FILES)
        kept.is_valid()
        return _render(request, fresh, status=409, stale=stale, bound=kept)
    except UploadsRefused as refused:
        for error in refused.by_field.get("files", []):
            form.add_error("files", error)
        return _render(request, service_request, status=400, bound=form)
    except ValidationError as invalid:
        for error in invalid.messages:
            form.add_error(None, error)
        return _render(request, service_request, status=400, bound=form)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return _render(request, _case(user, reference), status=409)
    messages.success(request, SUCCESS[action])
    return redirect("backoffice:case", reference=service_request.reference)


@agent_required
def download_document(request, reference: str, document_id: int):
    """A document of the request, for an agent who may open it (recorded in the access log);
    images open in the page (`?apercu=1`), everything else downloads."""
    service_request = _case(request.user, reference)
    document = service_request.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    access_log_record(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD_DOCUMENT,
        request_reference=service_request.reference,
        citizen_id=service_request.citizen_id,
        document_id=document.pk,
    )
    inline = request.GET.get("apercu") == "1" and document.content_type in PREVIEWABLE
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
