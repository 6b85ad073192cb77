"""The dashboards' filter form (GET): period, dates, team, procedure, in French. Teams and
procedures are offered within the user's dashboard scope; a team out of it is a 404."""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import Http404

from forms_builder.models import Procedure
from gru.models import Team
from pilotage.periods import KINDS, Period, period_of
from pilotage.selectors import Scope
from service_requests.permissions import DashboardScope

MAX_DAYS = 3 * 366
# The dates a custom period may take: its previous period and the charts' weeks must stay
# within the calendar Python counts (year 1 to 9999: a 500 otherwise).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
BOUNDS_MESSAGE = "Choisissez une date entre le 01/01/2000 et le 31/12/2099."


class FilterForm(forms.Form):
    periode = forms.ChoiceField(label="Période", choices=list(KINDS.items()), required=False)
    debut = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Saisissez une date valide, par exemple 31/01/2026."},
    )
    fin = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Saisissez une date valide, par exemple 31/01/2026."},
    )
    equipe = forms.ModelChoiceField(
        label="Équipe",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Toutes",
        to_field_name="slug",
        error_messages={"invalid_choice": "Choisissez une équipe de la liste."},
    )
    demarche = forms.ModelChoiceField(
        label="Démarche",
        queryset=Procedure.objects.none(),
        required=False,
        empty_label="Toutes",
        to_field_name="slug",
        error_messages={"invalid_choice": "Choisissez une démarche de la liste."},
    )

    def __init__(self, data, *, dashboard: DashboardScope, today: date):
        data = data.copy() if data else {}
        if not data.get("periode"):  # the month the page counts, shown as such in the select
            data["periode"] = "month"
        super().__init__(data)
        self.dashboard, self.today = dashboard, today
        teams = Team.objects.filter(is_active=True).order_by("name")
        # An out-of-scope team must be a 404, not "not in the list": look it up among all.
        self.fields["equipe"].queryset = teams
        self.fields["demarche"].queryset = Procedure.objects.order_by("title")
        self.shown_teams = [t for t in teams if dashboard.covers(t.pk)]
        # Written out by the template (a widget renders 200 options slowly): (slug, title).
        self.procedure_options = list(
            Procedure.objects.order_by("title").values_list("slug", "title")
        )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # the message next to the field, read with it
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )

    def clean(self):
        data = super().clean()
        team = data.get("equipe")
        if team is not None and not self.dashboard.covers(team.pk):
            raise Http404
        kind = data.get("periode") or "month"
        data["periode"] = kind
        start, end = data.get("debut"), data.get("fin")
        if kind == "custom" and not self.errors:
            if start is None:
                self.add_error("debut", "Indiquez la date de début.")
            if end is None:
                self.add_error("fin", "Indiquez la date de fin.")
            for name, day in (("debut", start), ("fin", end)):
                if day is not None and not EARLIEST <= day <= LATEST:
                    self.add_error(name, BOUNDS_MESSAGE)
            if self.errors:
                return data
            if start and end and end < start:
                self.add_error("fin", "La date de fin doit suivre la date de début.")
            elif start and end and (end - start).days > MAX_DAYS:
                self.add_error("fin", "Choisissez une période de trois ans au plus.")
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        if data["periode"] == "custom":
            return Period("custom", data["debut"], data["fin"])
        return period_of(data["periode"], self.today)

    def scope(self) -> Scope:
        team, procedure = self.cleaned_data.get("equipe"), self.cleaned_data.get("demarche")
        if team is not None:
            team_ids = (team.pk,)
        elif self.dashboard.all_teams:
            team_ids = None
        else:
            team_ids = tuple(sorted(self.dashboard.team_ids))
        return Scope(team_ids=team_ids, procedure_id=procedure.pk if procedure else None)
