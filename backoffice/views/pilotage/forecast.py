"""The workload forecast page (`/agents/pilotage/charge/`): per team in scope, the requests
expected in the next 8 weeks beside the team's capacity, and how well the method did."""

import csv

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone

from backoffice.views.pilotage import dashboard_required, render_pilotage
from pilotage import charts
from pilotage.forecast import team_forecasts
from pilotage.refresh import data_version
from service_requests.permissions import dashboard_scope


def _number(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


@dashboard_required
def forecast(request):
    today = timezone.localdate()
    dashboard = dashboard_scope(request.user)
    teams = "all" if dashboard.all_teams else "-".join(map(str, sorted(dashboard.team_ids)))
    context = {"today": today, "fragment_key": f"{data_version()}:{teams}:{today}"}
    # Called by the template only when its fragment is not cached (until the next refresh).
    context["rows"] = lambda: _rows(dashboard, today)
    return render_pilotage(request, "backoffice/pilotage/forecast.html", context)


def _rows(dashboard, today) -> list[dict]:
    rows = []
    for item in team_forecasts(dashboard, today=today):
        chart = charts.bars(
            f"charge-{item.team.slug}",
            f"{item.team.name} : demandes attendues par semaine",
            [(f"semaine du {monday:%d/%m}", round(value)) for monday, value in item.weeks],
            unit="demandes attendues",
            category="Semaine",
        )
        chart.extra["csv_url"] = reverse("backoffice:pilotage_forecast_csv", args=[item.team.slug])
        rows.append({"item": item, "chart": chart})
    return rows


@dashboard_required
def forecast_csv(request, slug: str):
    today = timezone.localdate()
    items = team_forecasts(dashboard_scope(request.user), today=today)
    item = next((i for i in items if i.team.slug == slug), None)
    if item is None:  # unknown, or out of the user's scope
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="charge-prevue-{slug}-{today}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["Semaine du", "Demandes attendues", "Par membre qui instruit"])
    for monday, value, per in item.per_member:
        writer.writerow([f"{monday:%d/%m/%Y}", _number(value), "" if per is None else _number(per)])
    return response
