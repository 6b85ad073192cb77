"""Front office: following a request without an account (reference + email, or the secret
link), its page, its documents, its messages (with files), the pieces asked and, once it is
closed, the citizen's opinion."""

import uuid

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from forms_builder.uploads import formats_label
from gru.forms import EmailAddressField, error_summary
from gru.ratelimit import allow, client_ip
from service_requests import tracking
from service_requests.models import DocumentRequest, SatisfactionAnswer, ServiceRequest
from service_requests.services.decisions import (
    request_ask_reasons,
    request_issue_decision_letter,
    request_withdraw,
)
from service_requests.services.errors import TransitionRefused
from service_requests.services.messages import (
    ATTACHMENT_KINDS,
    ATTACHMENT_MAX_SIZE_MB,
    MAX_FILES_PER_PIECE,
    MAX_MESSAGE_LENGTH,
    UploadsRefused,
    accept_attribute,
    attachments_rules,
    documents_send_from_citizen,
    may_answer_satisfaction,
    message_post_from_citizen,
    messages_mark_read_by_citizen,
    satisfaction_record,
)
from service_requests.services.notices import request_issue_implicit_decision_document
from service_requests.services.receipts import request_issue_receipt
from service_requests.services.secret_links import secret_link_renew

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
    email = EmailAddressField(label=_("Adresse électronique donnée lors du dépôt"), max_length=254)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input (a phone's photos, the pages of a scan). The checks on their
    content are the service's (forms_builder.uploads), whose French messages go next to it."""

    def __init__(self, **kwargs):
        attrs = {"accept": accept_attribute(), "multiple": True}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("help_text", lazy(attachments_rules, str)())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return list(files)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), widget=forms.Textarea, max_length=MAX_MESSAGE_LENGTH
    )
    files = FilesField(label=_("Joindre des fichiers"), required=False)
    # A double click or a replayed POST carries the same key: one message.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"idempotency_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class DocumentsForm(forms.Form):
    """One file input per piece asked (several files each: the pages of a scan)."""

    document_request = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, document_request: DocumentRequest, *args, **kwargs):
        kwargs.setdefault("initial", {"document_request": document_request.pk})
        super().__init__(*args, **kwargs)
        self.pieces = list(document_request.pieces)
        for index, label in enumerate(self.pieces):
            self.fields[self.piece_field(index)] = FilesField(
                label=label,
                help_text=_(
                    "Formats acceptés : %(formats)s. Taille maximale : %(size)s Mo par "
                    "fichier, %(count)s fichiers au plus pour cette pièce."
                )
                % {
                    "formats": formats_label(ATTACHMENT_KINDS),
                    "size": ATTACHMENT_MAX_SIZE_MB,
                    "count": MAX_FILES_PER_PIECE,
                },
                error_messages={
                    "required": _("Joignez un fichier pour « %(piece)s ».") % {"piece": label}
                },
            )

    @staticmethod
    def piece_field(index: int) -> str:
        return f"piece_{index}"

    def piece_fields(self):
        return [self[self.piece_field(index)] for index in range(len(self.pieces))]


RATINGS = [
    (1, _("1 sur 5 : pas du tout satisfait·e")),
    (2, _("2 sur 5 : peu satisfait·e")),
    (3, _("3 sur 5 : moyennement satisfait·e")),
    (4, _("4 sur 5 : satisfait·e")),
    (5, _("5 sur 5 : très satisfait·e")),
]


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Êtes-vous satisfait·e du traitement de votre demande ?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une note de 1 à 5.")},
    )
    comment = forms.CharField(
        label=_("Un commentaire pour nous aider à nous améliorer"),
        help_text=_("%(max)s caractères au plus. N'y indiquez pas de données personnelles.")
        % {"max": SatisfactionAnswer.COMMENT_MAX_LENGTH},
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=SatisfactionAnswer.COMMENT_MAX_LENGTH,
        required=False,
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


def new_link(request):
    """A new secret link emailed to the address given at filing; the old one stops working.
    The answer is the same whether or not a request matched (services/secret_links.py)."""
    form = LookupForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST":
        if _throttled(request):
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            secret_link_renew(
                reference=form.cleaned_data["reference"], email=form.cleaned_data["email"]
            )
            sent = True
        else:
            status = 400
    context = {"form": form, "sent": sent}
    return render(request, "service_requests/tracking_new_link.html", context, status=status)


def secret_link(request, reference: str, token: str):
    if _throttled(request):
        raise PermissionDenied(TOO_MANY)
    found = tracking.find_by_secret(reference, token)
    if found is None:
        raise Http404
    tracking.grant(request.session, found, by_secret=True)
    # The secret leaves the address bar: it is not kept in the history once used.
    return redirect("service_requests:tracking", reference=found.reference)


def _granted(request, reference: str) -> ServiceRequest:
    found = tracking.page_request(request.session, request.user, reference)
    if found is None:
        raise Http404
    return found


def _render_page(request, service_request: ServiceRequest, *, status: int = 200, **forms_):
    whole = request.GET.get("historique") == "tout"
    page = tracking.tracking_page(service_request, whole_history=whole)
    message_form = forms_.get("message_form") or MessageForm()
    documents_form = forms_.get("documents_form")
    if documents_form is None and page.document_request is not None:
        documents_form = DocumentsForm(page.document_request)
    satisfaction_form = forms_.get("satisfaction_form")
    if satisfaction_form is None and page.satisfaction_open:
        satisfaction_form = SatisfactionForm()
    context = {
        "page": page,
        "service_request": service_request,
        "message_form": message_form,
        "documents_form": documents_form,
        "satisfaction_form": satisfaction_form,
        "whole_history": whole,
        "opened_by_secret": tracking.granted_by_secret(request.session, service_request),
        "error_summary": error_summary(message_form, documents_form, satisfaction_form),
    }
    response = render(request, "service_requests/tracking_request.html", context, status=status)
    if request.method == "GET":
        # Shown once as new on this page and in the citizen's space, then read.
        messages_mark_read_by_citizen(messages=page.messages)
    return response


def request_page(request, reference: str):
    try:
        service_request = _granted(request, reference)
    except Http404:
        # The same answer whether the reference exists or not: ask for the proof.
        flash.info(request, _("Pour voir cette demande, indiquez sa référence et votre adresse."))
        return redirect("service_requests:lookup")
    return _render_page(request, service_request)


def _signed_in(request):
    return request.user if request.user.is_authenticated else None


@require_POST
def post_message(request, reference: str):
    service_request = _granted(request, reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message_post_from_citizen(
                request=service_request,
                body=form.cleaned_data["body"],
                author=_signed_in(request),
                files=form.cleaned_data["files"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except UploadsRefused as refused:
            for message in refused.by_field.get("files", []):
                form.add_error("files", message)
        except TransitionRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            flash.success(request, _("Votre message a été envoyé au service."))
            return redirect("service_requests:tracking", reference=service_request.reference)
    return _render_page(request, service_request, status=400, message_form=form)


@require_POST
def send_documents(request, reference: str):
    """The pieces asked, all at once: each file checked, nothing kept unless all are."""
    service_request = _granted(request, reference)
    document_request = service_request.document_requests.filter(answered_on__isnull=True).first()
    if document_request is None or str(document_request.pk) != request.POST.get("document_request"):
        flash.error(request, _("Ces pièces ont déjà été reçues : il n'y a rien d'autre à envoyer."))
        return redirect("service_requests:tracking", reference=service_request.reference)
    form = DocumentsForm(document_request, request.POST, request.FILES)
    if form.is_valid():
        files = {
            index: form.cleaned_data[form.piece_field(index)] for index in range(len(form.pieces))
        }
        try:
            documents_send_from_citizen(
                request=service_request,
                document_request_id=document_request.pk,
                files_by_piece=files,
                author=_signed_in(request),
            )
        except UploadsRefused as refused:
            for index, messages in refused.by_field.items():
                for message in messages:
                    form.add_error(form.piece_field(index), message)
        except TransitionRefused as refusal:
            flash.error(request, str(refusal))
            return redirect("service_requests:tracking", reference=service_request.reference)
        else:
            flash.success(
                request,
                _("Vos pièces ont été envoyées au service : votre demande reprend son cours."),
            )
            return redirect("service_requests:tracking", reference=service_request.reference)
    return _render_page(request, service_request, status=400, documents_form=form)


@require_POST
def answer_satisfaction(request, reference: str):
    service_request = _granted(request, reference)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            satisfaction_record(
                request=service_request,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except TransitionRefused as refusal:
            flash.error(request, str(refusal))
            return redirect("service_requests:tracking", reference=service_request.reference)
        flash.success(request, _("Merci pour votre avis : il nous aide à améliorer nos services."))
        return redirect("service_requests:tracking", reference=service_request.reference)
    if not may_answer_satisfaction(service_request) or service_request.satisfaction_given:
        flash.error(request, _("Vous ne pouvez pas donner d'avis sur cette demande."))
        return redirect("service_requests:tracking", reference=service_request.reference)
    return _render_page(request, service_request, status=400, satisfaction_form=form)


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


def decision_document(request, reference: str):
    """The document of the decision: the letter of an explicit one, the attestation of an
    implicit acceptance (L232-3) or the notice of an implicit rejection; the one kept, or made
    now when it was not (the worker has not run, the decision was recorded without its
    letter): the law wants the attestation « automatiquement et à la demande »."""
    service_request = _granted(request, reference)
    if service_request.status in tracking.IMPLICIT_STATUSES:
        document = request_issue_implicit_decision_document(request=service_request)
    elif service_request.status in tracking.EXPLICIT_DECISIONS:
        document = request_issue_decision_letter(request=service_request)
    else:
        raise Http404
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


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi la retirez-vous ?"),
        help_text=_("Le service le lira ; vous pouvez ne rien écrire."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def withdraw(request, reference: str):
    """The citizen withdraws their open request, after a confirmation page; the team is told."""
    service_request = _granted(request, reference)
    back = redirect("service_requests:tracking", reference=service_request.reference)
    if not service_request.is_open:
        flash.error(
            request, _("Cette demande n'est plus en cours : elle ne peut plus être retirée.")
        )
        return back
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = request.user if request.user.is_authenticated else None
        try:
            request_withdraw(
                request=service_request,
                actor=actor,
                reason=form.cleaned_data["reason"],
                by="citizen",
            )
        except TransitionRefused as refusal:
            flash.error(request, str(refusal))
        else:
            flash.success(request, _("Votre demande est retirée. Le service en est informé."))
        return back
    context = {
        "service_request": service_request,
        "form": form,
        "error_summary": error_summary(form),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "service_requests/tracking/withdraw.html", context, status=status)
