"""Front office: following a request without an account (reference + email, or the secret
link), its page, its documents and its messages."""

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gru.ratelimit import allow, client_ip
from service_requests import tracking
from service_requests.models import ServiceRequest
from service_requests.services.decisions import request_ask_reasons
from service_requests.services.errors import TransitionRefused
from service_requests.services.messages import MAX_MESSAGE_LENGTH, message_post_from_citizen
from service_requests.services.receipts import request_issue_receipt

LOOKUP_LIMIT = 10  # attempts per address and per quarter of an hour
LOOKUP_WINDOW = 15 * 60
NOT_FOUND = _(
    "Aucune demande ne correspond à cette référence et à cette adresse électronique. "
    "Vérifiez-les dans l'accusé de réception que vous avez reçu par courriel."
)
TOO_MANY = _("Trop de tentatives. Réessayez dans un quart d'heure, ou contactez l'accueil.")


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Référence de la demande"),
        help_text=_("Elle figure sur l'accusé de réception, par exemple K7QM-2X4P."),
        max_length=20,
    )
    email = forms.EmailField(label=_("Adresse électronique donnée lors du dépôt"), max_length=254)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), widget=forms.Textarea, max_length=MAX_MESSAGE_LENGTH
    )


def _throttled(request) -> bool:
    return not allow(
        scope="tracking", key=client_ip(request), limit=LOOKUP_LIMIT, window_seconds=LOOKUP_WINDOW
    )


def lookup(request):
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _throttled(request):
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            found = tracking.find_by_reference_and_email(
                form.cleaned_data["reference"], form.cleaned_data["email"]
            )
            if found is not None:
                tracking.grant(request.session, found)
                return redirect("service_requests:tracking", reference=found.reference)
            form.add_error(None, NOT_FOUND)
            status = 400
        else:
            status = 400
    return render(request, "service_requests/tracking_lookup.html", {"form": form}, status=status)


def secret_link(request, reference: str, token: str):
    if _throttled(request):
        raise PermissionDenied(TOO_MANY)
    found = tracking.find_by_secret(reference, token)
    if found is None:
        raise Http404
    tracking.grant(request.session, found)
    # The secret leaves the address bar: it is not kept in the history once used.
    return redirect("service_requests:tracking", reference=found.reference)


def _granted(request, reference: str) -> ServiceRequest:
    found = (
        tracking.granted_requests(request.session, request.user)
        .select_related("procedure", "team")
        .filter(reference=reference)
        .first()
    )
    if found is None:
        raise Http404
    return found


def request_page(request, reference: str):
    try:
        service_request = _granted(request, reference)
    except Http404:
        # The same answer whether the reference exists or not: ask for the proof.
        flash.info(request, _("Pour voir cette demande, indiquez sa référence et votre adresse."))
        return redirect("service_requests:lookup")
    page = tracking.tracking_page(service_request)
    return render(
        request,
        "service_requests/tracking_request.html",
        {"page": page, "service_request": service_request, "message_form": MessageForm()},
    )


@require_POST
def post_message(request, reference: str):
    service_request = _granted(request, reference)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post_from_citizen(
                request=service_request, body=form.cleaned_data["body"], author=request.user
            )
        except TransitionRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            flash.success(request, _("Votre message a été envoyé au service."))
            return redirect("service_requests:tracking", reference=service_request.reference)
    page = tracking.tracking_page(service_request)
    return render(
        request,
        "service_requests/tracking_request.html",
        {"page": page, "service_request": service_request, "message_form": form},
        status=400,
    )


def download_document(request, reference: str, document_id: int):
    service_request = _granted(request, reference)
    document = service_request.documents.filter(visible_to_citizen=True, pk=document_id).first()
    if document is None:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


def receipt(request, reference: str):
    """The acknowledgment of receipt; made now if the worker has not made it yet (a broker
    outage must not keep it from the citizen)."""
    service_request = _granted(request, reference)
    document = request_issue_receipt(request=service_request)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@require_POST
def ask_reasons(request, reference: str):
    """After an implicit rejection the citizen asks for its reasons, owed within a month."""
    service_request = _granted(request, reference)
    actor = request.user if request.user.is_authenticated else None
    try:
        task = request_ask_reasons(request=service_request, actor=actor)
    except TransitionRefused as refusal:
        flash.error(request, str(refusal))
    else:
        day = formats.date_format(task.due_on, "j F Y")
        flash.success(
            request,
            _(
                "Votre demande a été transmise : le service vous communiquera les motifs au plus "
                "tard le %(day)s."
            )
            % {"day": day},
        )
    return redirect("service_requests:tracking", reference=service_request.reference)
