"""The SVA risk radar page (`/agents/pilotage/radar/`, issue 14 item 3): requests whose implicit
decision is born within 30 days, by team and horizon, and those born by silence lately.

Within the dashboard scope (`dashboard_scope`): a team manager or instructor reads their teams,
a director every team; an elected official reads the counts only, the lists are not even read.
"""

from datetime import timedelta

from django import forms
from django.utils import timezone

from backoffice.views.pilotage import dashboard_required, render_pilotage
from gru.forms import error_summary
from pilotage import radar as radar_selectors
from service_requests.models import ServiceRequest, Status
from service_requests.permissions import dashboard_scope

PERIODS = [
    ("7", "les 7 derniers jours"),
    ("30", "les 30 derniers jours"),
    ("90", "les 90 derniers jours"),
]


class RadarForm(forms.Form):
    periode = forms.ChoiceField(
        label="Décisions implicites nées pendant",
        choices=PERIODS,
        initial="30",
        error_messages={
            "invalid_choice": "Choisissez une période de la liste.",
            "required": "Choisissez une période de la liste.",
        },
    )


def requests_in_scope(user):
    """The filed requests of the teams the user's dashboards cover."""
    scope = dashboard_scope(user)
    return scope.restrict(ServiceRequest.objects.exclude(status=Status.DRAFT))


@dashboard_required
def radar(request):
    user, today = request.user, timezone.localdate()
    scope = dashboard_scope(user)
    # Bound only when the period is asked: other parameters (a link's tracking, a stale filter)
    # leave the default 30 days rather than a 400.
    form = RadarForm(request.GET if "periode" in request.GET else None)
    period, status = 30, 200
    if form.is_bound:
        if form.is_valid():
            period = int(form.cleaned_data["periode"])
        else:
            status = 400
    start = today - timedelta(days=period - 1)
    counts = [
        c
        for c in radar_selectors.shared_team_counts(today=today, start=start, end=today)
        if scope.all_teams or c.team_id in scope.team_ids
    ]
    data = radar_selectors.radar(
        requests_in_scope(user),
        today=today,
        born_between=(start, today),
        with_rows=scope.personal_data,
        counts=counts,
    )
    context = {
        "form": form,
        "radar": data,
        "period": period,
        "error_summary": error_summary(form) if status == 400 else None,
    }
    return render_pilotage(request, "backoffice/radar/radar.html", context, status=status)
