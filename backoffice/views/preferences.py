"""« Mes notifications »: per kind of news, the agent chooses an email at once, the morning
digest, or nothing. A team manager is not offered « never » for the implicit decision's alert,
and the service refuses it whatever is posted (service_requests.services.agent_notifications)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from backoffice.access import agent_required
from backoffice.views.common import render_agent
from gru.forms import error_summary
from service_requests.models import AgentNotificationDelivery, AgentNotificationKind
from service_requests.services.agent_notifications import (
    LEGAL_ALERT,
    is_team_manager,
    preferences_of,
    preferences_save,
)

Kind = AgentNotificationKind
Delivery = AgentNotificationDelivery
CHOICES = [
    (Delivery.IMMEDIATE, "Tout de suite : un courriel à chaque fois"),
    (Delivery.DIGEST, "Dans le récapitulatif du matin (un seul courriel vers 7 h 30)"),
    (Delivery.NEVER, "Jamais"),
]
HINTS = {
    Kind.ASSIGNED: (
        "Quand un collègue vous attribue une demande (pas quand vous la prenez vous-même)."
    ),
    Kind.CITIZEN_REPLIED: (
        "Quand l'usager écrit ou envoie les pièces demandées sur une demande qui vous est "
        "attribuée, ou sur une demande non attribuée de votre équipe."
    ),
    Kind.IMPLICIT_DECISION_TOMORROW: (
        "La veille du jour où une demande qui vous est attribuée sera réputée acceptée ou "
        "rejetée faute de décision."
    ),
}
MANAGER_HINT = (
    "La veille du jour où une demande de votre équipe sera réputée acceptée ou rejetée faute de "
    "décision. En tant que responsable d'équipe, vous recevez toujours cette alerte : « Jamais » "
    "n'est pas proposé."
)


class PreferencesForm(forms.Form):
    def __init__(self, *args, manager: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            locked = manager and kind == LEGAL_ALERT
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=[c for c in CHOICES if not (locked and c[0] == Delivery.NEVER)],
                widget=forms.RadioSelect,
                help_text=MANAGER_HINT if locked else HINTS[kind],
                error_messages={
                    "required": f"Choisissez quand être prévenu·e : « {kind.label} ».",
                    "invalid_choice": (
                        "Ce choix n'est pas possible pour l'alerte de décision implicite : "
                        "choisissez « tout de suite » ou « récapitulatif du matin »."
                        if locked
                        else "Choisissez une des options proposées."
                    ),
                },
            )


def _initial(user, manager: bool) -> dict[str, str]:
    initial = preferences_of(user)
    if manager and initial[LEGAL_ALERT] == Delivery.NEVER:
        # Chosen before the agent became a manager: what they get now is an email at once.
        initial[LEGAL_ALERT] = Delivery.IMMEDIATE
    return initial


@agent_required
def preferences(request):
    user = request.user
    manager = is_team_manager(user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(user, manager),
        manager=manager,
    )
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                preferences_save(user=user, choices=form.cleaned_data)
            except ValidationError as refusal:
                for kind, errors in refusal.message_dict.items():
                    form.add_error(kind if kind in form.fields else None, errors)
            else:
                messages.success(request, "Vos choix de notification sont enregistrés.")
                return redirect("backoffice:preferences")
        status = 400
    context = {
        "form": form,
        "manager": manager,
        "error_summary": error_summary(form),
    }
    return render_agent(request, "backoffice/preferences.html", context, status=status)
