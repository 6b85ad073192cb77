"""The dashboard's overview (`/agents/pilotage/`): the figures of a period and a scope, compared
with the period before, and their charts; each chart's data as CSV (`…/csv/<chart>/`)."""

import csv

from django.http import Http404, HttpResponse
from django.utils import timezone

from backoffice.views.pilotage import dashboard_required, render_pilotage
from backoffice.views.pilotage.filters import FilterForm
from pilotage.dashboard import build_charts, headlines
from pilotage.refresh import data_version
from pilotage.selectors import figures
from service_requests.permissions import dashboard_scope


def _filtered(request):
    today = timezone.localdate()
    form = FilterForm(request.GET, dashboard=dashboard_scope(request.user), today=today)
    return form, today


@dashboard_required
def overview(request):
    form, today = _filtered(request)
    context = {"form": form}
    if not form.is_valid():
        return render_pilotage(request, "backoffice/pilotage/overview.html", context, status=400)
    scope, period = form.scope(), form.period()
    result = figures(scope, period, today=today)
    query = request.GET.urlencode()
    context.update(
        figures=result,
        # Called by the template only when its fragment is not cached (until the next refresh).
        headlines=lambda: headlines(result),
        charts=lambda: list(build_charts(result).values()),
        query=query,
        fragment_key=f"{data_version()}:{scope.key()}:{period.start}:{period.end}:{query}",
    )
    return render_pilotage(request, "backoffice/pilotage/overview.html", context)


@dashboard_required
def chart_csv(request, slug: str):
    form, today = _filtered(request)
    if not form.is_valid():
        return HttpResponse(
            "Filtres invalides : " + " ".join(e for errs in form.errors.values() for e in errs),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    period = form.period()
    chart = build_charts(figures(form.scope(), period, today=today)).get(slug)
    if chart is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{slug}_{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel reads UTF-8 with its mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(chart.columns)
    writer.writerows(chart.rows)
    return response
