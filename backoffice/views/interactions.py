"""Logging a contact in a few keystrokes: from a citizen's record (then back to their 360° view)
or for a caller who stays anonymous (then back to the agent's landing). The summary has the
focus, the channel defaults to the agent's last one; one POST to `interaction_log`, whose
refusals come back next to the fields (400, nothing written)."""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from backoffice.access import agent_required
from backoffice.forms import FastSelect
from backoffice.views.citizen_record import _citizen_or_redirect
from backoffice.views.common import render_agent
from citizens.models import Channel, Citizen
from gru.forms import error_summary
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests.interaction_stats import CONTACT_CHANNELS
from service_requests.models import (
    Interaction,
    InteractionDirection,
    InteractionMotive,
    InteractionOutcome,
    ServiceRequest,
    Status,
)
from service_requests.permissions import may
from service_requests.services.interactions import (
    MAX_CALLER_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_SUMMARY_LENGTH,
    interaction_log,
)

DEFAULT_CHANNEL = Channel.PHONE


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceRequest) -> str:
        return f"{obj.reference} — {obj.procedure.title} ({obj.get_status_display().lower()})"


class ContactForm(forms.Form):
    channel = forms.ChoiceField(
        label="Canal",
        choices=[(c.value, c.label) for c in CONTACT_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le canal du contact.",
            "invalid_choice": "Choisissez le canal du contact dans la liste.",
        },
    )
    direction = forms.ChoiceField(
        label="Sens",
        choices=[
            (InteractionDirection.INBOUND, "Entrant (l'usager nous contacte)"),
            (InteractionDirection.OUTBOUND, "Sortant (nous contactons l'usager)"),
        ],
        initial=InteractionDirection.INBOUND,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez qui a pris contact.",
            "invalid_choice": "Indiquez qui a pris contact.",
        },
    )
    motive = forms.ModelChoiceField(
        label="Motif",
        queryset=InteractionMotive.objects.none(),
        empty_label="Choisir un motif",
        widget=FastSelect,
        error_messages={
            "required": "Choisissez le motif du contact (« Autre » s'il n'est pas dans la liste).",
            "invalid_choice": "Ce motif n'est plus proposé : choisissez-en un autre.",
        },
    )
    summary = forms.CharField(
        label="Résumé",
        help_text="Ce que la personne a demandé et ce que vous avez répondu.",
        max_length=MAX_SUMMARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Résumez le contact en quelques mots.",
            "max_length": f"Le résumé dépasse {MAX_SUMMARY_LENGTH} caractères : raccourcissez-le.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Durée (minutes)",
        required=False,
        min_value=0,
        max_value=MAX_DURATION_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
        error_messages={
            "invalid": "Indiquez la durée en minutes, par exemple 5.",
            "min_value": f"Indiquez une durée entre 0 et {MAX_DURATION_MINUTES} minutes.",
            "max_value": f"Indiquez une durée entre 0 et {MAX_DURATION_MINUTES} minutes.",
        },
    )
    outcome = forms.ChoiceField(
        label="Suite donnée",
        required=False,
        choices=[("", "Non précisée"), *InteractionOutcome.choices],
        initial="",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choisissez la suite donnée dans la liste."},
    )

    # A double click or a replayed POST carries the same key: one contact.
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Rechargez la page : elle est incomplète."},
    )

    def __init__(self, *args, citizen: Citizen | None = None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        motives = InteractionMotive.objects.filter(is_active=True).order_by("position", "label")
        self.fields["motive"].queryset = motives
        # Without any motive on offer (all deactivated), the contact is still logged.
        self.fields["motive"].required = motives.exists()
        if citizen is not None:
            self.fields["request"] = RequestChoiceField(
                label="Demande concernée",
                required=False,
                queryset=ServiceRequest.objects.filter(citizen=citizen)
                .exclude(status=Status.DRAFT)
                .select_related("procedure")
                .order_by("-submitted_at", "-id"),
                empty_label="Aucune",
                widget=FastSelect,
                error_messages={
                    "invalid_choice": "Choisissez une demande de cet usager dans la liste."
                },
            )
        else:
            self.fields["caller"] = forms.CharField(
                label="Interlocuteur",
                required=False,
                max_length=MAX_CALLER_LENGTH,
                help_text="Comment la personne s'est présentée, par exemple « M. X, n'a pas "
                "souhaité donner son nom ».",
                error_messages={
                    "max_length": f"{MAX_CALLER_LENGTH} caractères au plus pour l'interlocuteur."
                },
            )
        if not self.is_bound:  # with errors, the error summary takes the focus
            self.fields["summary"].widget.attrs["autofocus"] = True

    def add_refusal(self, refusal: ValidationError) -> None:
        """The service's refusals next to the fields they concern, the others above the form."""
        for name, errors in refusal.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _last_channel(user) -> str:
    """The channel of the agent's last contact: a counter agent logs counter visits, a call
    centre agent calls, one click less each time."""
    last = Interaction.objects.filter(agent=user).order_by("-pk").values_list("channel")[:1]
    channel = last[0][0] if last else DEFAULT_CHANNEL
    return channel if channel in {c.value for c in CONTACT_CHANNELS} else DEFAULT_CHANNEL


def _log(request, *, citizen: Citizen | None, template_context: dict, success_url: str):
    if request.method == "POST":
        form = ContactForm(request.POST, citizen=citizen)
        if form.is_valid():
            data = form.cleaned_data
            try:
                interaction_log(
                    agent=request.user,
                    channel=data["channel"],
                    direction=data["direction"],
                    summary=data["summary"],
                    motive=data.get("motive"),
                    outcome=data.get("outcome") or "",
                    duration_minutes=data.get("duration_minutes"),
                    citizen=citizen,
                    request=data.get("request"),
                    caller=data.get("caller") or "",
                    idempotency_key=data.get("idempotency_key"),
                )
            except ValidationError as refusal:
                form.add_refusal(refusal)
            else:
                label = Channel(data["channel"]).label.lower()
                messages.success(request, f"Le contact ({label}) est enregistré.")
                return redirect(success_url)
        status = 400
    else:
        form = ContactForm(initial={"channel": _last_channel(request.user)}, citizen=citizen)
        status = 200
    context = {
        "form": form,
        "citizen": citizen,
        "error_summary": error_summary(form),
        **template_context,
    }
    return render_agent(request, "backoffice/contact_form.html", context, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def log_contact(request, pk: int):
    """A contact with the citizen `pk`. A merged record's form (a stale link) opens the form of
    the record kept; a contact posted to a record merged since the form was drawn is refused
    next to what the agent typed (`interaction_log`: 400, nothing written, nothing lost)."""
    if not may(request.user, "contact"):
        raise Http404
    if request.method == "GET":
        citizen, moved = _citizen_or_redirect(request, pk, to="backoffice:citizen_contact")
        if moved:
            return moved
        # The page lists the citizen's requests: a read of their data.
        access_log_record(
            user=request.user, action=AccessLog.Action.VIEW_CITIZEN, citizen_id=citizen.pk
        )
    else:
        citizen = get_object_or_404(Citizen, pk=pk)
    return _log(
        request,
        citizen=citizen,
        template_context={"back_url": reverse("backoffice:citizen", args=[citizen.pk])},
        success_url=reverse("backoffice:citizen", args=[citizen.pk]),
    )


@agent_required
@require_http_methods(["GET", "POST"])
def log_anonymous_contact(request):
    """A contact with someone who does not give their name, or whose record is not needed (a
    question about opening hours)."""
    if not may(request.user, "contact"):
        raise Http404
    return _log(
        request,
        citizen=None,
        template_context={"back_url": reverse("backoffice:home")},
        success_url=reverse("backoffice:home"),
    )
