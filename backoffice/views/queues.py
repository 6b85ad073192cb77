"""A team's queue: its open requests, filtered and ordered, 50 a page, with saved views and
bulk actions (each row acted on by its own service call, each failure said with its reason)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from backoffice.access import agent_required
from backoffice.forms import BulkForm, QueueFilterForm, SavedViewForm
from backoffice.models import SavedView
from backoffice.views.common import render_agent
from forms_builder.models import Procedure
from gru.forms import error_summary
from gru.models import AccessLog, Team, User
from gru.services import access_log_record
from service_requests import queues
from service_requests.cases import team_members
from service_requests.lifecycle import FRONT_DESK, TEAM_MANAGER
from service_requests.permissions import allowed_actions, scope_of, visible_requests
from service_requests.services import TransitionRefused, request_assign, request_transfer

FILTER_KEYS = ("q", "status", "procedure", "channel", "assignee", "due_within", "silence", "order")


def _team_in_reach(user, slug: str) -> Team:
    """The team's queue is open to its instructors and managers, and to the front desk (every
    team, read-only); any other team is a 404."""
    team = get_object_or_404(Team, slug=slug, is_active=True)
    scope = scope_of(user)
    if not (scope.sees_every_team or team.pk in scope.case_team_ids):
        raise Http404
    return team


def _query_of(form: QueueFilterForm) -> str:
    if not form.is_valid():
        return ""
    pairs = [(key, form.cleaned_data.get(key)) for key in FILTER_KEYS]
    return urlencode([(key, value) for key, value in pairs if value not in (None, "")])


def filter_form(user, team: Team, data) -> tuple[QueueFilterForm, list[User]]:
    """The queue's filter form bound to `data` (a query string's values), and the members."""
    members = team_members(team.pk)
    procedures = Procedure.objects.filter(default_team=team).order_by("title").only("title")
    form = QueueFilterForm(data or None, procedures=procedures, members=members, user=user)
    return form, members


@agent_required
def queue(request, slug: str):
    user, today = request.user, timezone.localdate()
    team = _team_in_reach(user, slug)
    form, members = filter_form(user, team, request.GET)
    filters = form.filters() if request.GET else QueueFilterForm().filters()
    rows = queues.team_queue(
        visible_requests(user), team_id=team.pk, user_id=user.pk, filters=filters, today=today
    )
    page = Paginator(rows, queues.PAGE_SIZE).get_page(request.GET.get("page"))
    if filters.q:  # a search by name reads who matches: recorded for the DPO
        access_log_record(user=user, action=AccessLog.Action.SEARCH, detail=filters.q)
    scope = scope_of(user)
    works_here = team.pk in scope.case_team_ids or (
        FRONT_DESK in scope.roles_by_team.get(team.pk, frozenset())
    )
    context = {
        "team": team,
        "form": form,
        "page_obj": page,
        "rows": queues.rows(page.object_list, today),
        "query": _query_of(form),
        "saved_views": list(SavedView.objects.filter(user=user, team=team)),
        "save_form": SavedViewForm(initial={"query": _query_of(form)}),
        "works_here": works_here,
        "is_manager": TEAM_MANAGER in scope.roles_by_team.get(team.pk, frozenset()),
        "bulk_members": [m for m in members if m != user],
        "bulk_teams": list(Team.objects.filter(is_active=True).exclude(pk=team.pk)),
        "error_summary": error_summary(form),
        "today": today,
    }
    return render_agent(request, "backoffice/queue.html", context)


def _bulk_one(user, service_request, data) -> str | None:
    """Act on one row; None when done, else why not, in French."""
    action = data["action"]
    if action not in allowed_actions(user, service_request):
        return "cette action n'est pas possible sur cette demande dans son état actuel"
    try:
        if action == "take":
            request_assign(request=service_request, actor=user, assignee=user)
        elif action == "assign":
            request_assign(request=service_request, actor=user, assignee=data["assignee"])
        else:
            request_transfer(
                request=service_request, actor=user, team=data["team"], reason=data["reason"]
            )
    except (TransitionRefused, ValidationError) as refusal:
        text = refusal.messages[0] if isinstance(refusal, ValidationError) else str(refusal)
        return text.rstrip(".").lower()[:1] + text.rstrip(".")[1:]
    return None


@require_POST
@agent_required
def bulk(request, slug: str):
    user = request.user
    team = _team_in_reach(user, slug)
    references = request.POST.getlist("references")
    members = User.objects.filter(pk__in=[m.pk for m in team_members(team.pk)])
    form = BulkForm(
        request.POST,
        references=references,
        members=members,
        teams=Team.objects.filter(is_active=True).exclude(pk=team.pk),
    )
    back = redirect(f"{request.path.rsplit('actions/', 1)[0]}?{request.POST.get('query', '')}")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    data = form.cleaned_data
    found = {
        r.reference: r
        for r in visible_requests(user)
        .filter(team=team, reference__in=data["references"])
        .select_related("procedure", "form_version")
    }
    done, failed = [], []
    for reference in data["references"]:
        service_request = found.get(reference)
        reason = "introuvable dans cette équipe" if service_request is None else None
        reason = reason or _bulk_one(user, service_request, data)
        (failed if reason else done).append((reference, reason))
    if done:
        messages.success(
            request,
            f"{len(done)} demande{'s' if len(done) > 1 else ''} traitée"
            f"{'s' if len(done) > 1 else ''} : {', '.join(ref for ref, _ in done)}.",
        )
    if failed:
        messages.error(
            request,
            f"{len(failed)} demande{'s' if len(failed) > 1 else ''} non traitée"
            f"{'s' if len(failed) > 1 else ''} : "
            + " ; ".join(f"{ref} ({reason})" for ref, reason in failed)
            + ".",
        )
    return back


@require_POST
@agent_required
def save_view(request, slug: str):
    team = _team_in_reach(request.user, slug)
    form = SavedViewForm(request.POST)
    url = f"{request.path.rsplit('vues/', 1)[0]}"
    if not form.is_valid():
        messages.error(request, "Donnez un nom à la vue (80 caractères au plus).")
        return redirect(f"{url}?{request.POST.get('query', '')}")
    name, query = form.cleaned_data["name"], form.cleaned_data["query"]
    try:
        with transaction.atomic():
            SavedView.objects.create(user=request.user, team=team, name=name, query=query)
    except IntegrityError:
        messages.error(request, f"Vous avez déjà une vue nommée « {name} » pour cette équipe.")
    else:
        messages.success(request, f"Vue « {name} » enregistrée.")
    return redirect(f"{url}?{query}")


@require_POST
@agent_required
def delete_view(request, slug: str, view_id: int):
    team = _team_in_reach(request.user, slug)
    saved = get_object_or_404(SavedView, pk=view_id, user=request.user, team=team)
    saved.delete()
    messages.success(request, f"Vue « {saved.name} » supprimée.")
    return redirect("backoffice:queue", slug=team.slug)
