"""Exports of a team's queue (issue 14, item 7): started from the queue page with its filters,
built by a Celery task (pilotage.exports), followed on their own page, downloaded by their
requester alone within seven days.

- Another agent's export is a 404, the answer for one that does not exist.
- Past its seven days an export is « gone »: a 410 for its requester, with a French page saying
  so and offering to export again (the requester knew it existed: nothing leaks).
- The page's progress: a `<progress>` with its percentage in words; a small script with the
  page's CSP nonce asks `…/etat/` every 2 seconds and updates it, then shows the link, telling
  screen readers once through a status region when the file is ready. Without JavaScript, a
  link reloads the page. No meta refresh: a page that reloads itself moves the reader's focus
  and position every 2 seconds (WCAG 2.2.1, axe's `meta-refresh`).
"""

from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from backoffice.access import agent_required
from backoffice.models import Export
from backoffice.views.common import render_agent
from backoffice.views.queues import _query_of, _team_in_reach, filter_form
from pilotage.exports import export_downloaded, export_nudge, export_request

CONTENT_TYPES = {
    Export.Format.CSV: "text/csv; charset=utf-8",
    Export.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_POST
@agent_required
def start(request, slug: str):
    """Export the queue as its filters show it (the query string the page carries)."""
    user = request.user
    team = _team_in_reach(user, slug)
    query = request.POST.get("query", "")[:1000]
    format = request.POST.get("format", "")
    form, _members = filter_form(user, team, QueryDict(query))
    # The page sends a known format and the filters it checked: anything else was forged.
    if format not in Export.Format.values:
        return HttpResponseBadRequest("Format d'export inconnu : choisissez CSV ou XLSX.")
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            "Filtres invalides : corrigez-les dans la file, puis exportez."
        )
    filters = form.filters() if form.is_bound else type(form)().filters()
    export = export_request(
        actor=user, team=team, format=format, filters=filters, query=_query_of(form)
    )
    return redirect("backoffice:export", pk=export.pk)


def _own(request, pk: int) -> Export:
    return get_object_or_404(Export.objects.select_related("team"), pk=pk, requester=request.user)


def _expired(export: Export) -> bool:
    return export.state == Export.Status.EXPIRED or export.expires_at <= timezone.now()


def _context(export: Export) -> dict:
    return {"export": export, "expired": _expired(export)}


@agent_required
def index(request):
    exports = list(Export.objects.filter(requester=request.user).select_related("team")[:20])
    now = timezone.now()
    rows = [{"export": e, "expired": _expired(e) or e.expires_at <= now} for e in exports]
    return render_agent(request, "backoffice/exports/index.html", {"rows": rows})


@agent_required
def detail(request, pk: int):
    export = _own(request, pk)
    if export_nudge(export=export):  # its task was lost: handed to the worker again
        export.refresh_from_db()
    return render_agent(request, "backoffice/exports/detail.html", _context(export))


@agent_required
def state(request, pk: int):
    """The export's progress for the page's script, and the block to show."""
    export = _own(request, pk)
    if export_nudge(export=export):  # its task was lost: handed to the worker again
        export.refresh_from_db()
    html = render_to_string("backoffice/exports/_state.html", _context(export), request=request)
    return JsonResponse(
        {"status": export.state, "progress": export.progress, "html": html},
        headers={"Cache-Control": "no-store"},
    )


@agent_required
def download(request, pk: int):
    export = _own(request, pk)
    if _expired(export):
        return render_agent(request, "backoffice/exports/gone.html", _context(export), status=410)
    if export.state != Export.Status.DONE:
        raise Http404
    export_downloaded(export=export)
    filename = f"export-{export.team.slug}-{export.created_at:%Y-%m-%d}-{export.pk}.{export.format}"
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[export.format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
