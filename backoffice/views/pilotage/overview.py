"""The dashboard's overview page: the figures of a period and a scope."""

from backoffice.views.pilotage import dashboard_required, render_pilotage


@dashboard_required
def overview(request):
    return render_pilotage(request, "backoffice/pilotage/overview.html", {})
