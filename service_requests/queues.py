"""Reads for the agents' work lists: a team's queue with its filters, what is assigned to an
agent, what falls due soon. Each list is one query for its rows (plus the count of the page),
whatever the data size: the rows carry what a line shows through `select_related` and `only`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from forms_builder.models import SilenceRule
from service_requests.identifiers import normalise_reference
from service_requests.models import ServiceRequest, Status

PAGE_SIZE = 50
SOON_DAYS = 15  # « échéance proche » under this many days
ORDERS = {
    "recent": ("-submitted_at", "-id"),
    "due": ("decision_due_on", "-submitted_at", "-id"),
}
ROW_FIELDS = (
    "reference",
    "status",
    "channel",
    "submitted_at",
    "received_on",
    "decision_due_on",
    "contact_name",
    "team_id",
    "assignee_id",
    "procedure__title",
    "procedure__kind",
    "form_version__silence_rule",
    "form_version__silence_delay",
    "citizen__given_names",
    "citizen__family_name",
    "citizen__usage_name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


@dataclass(frozen=True)
class QueueFilters:
    """A queue's filters, as the query string carries them (already checked by the form)."""

    status: str = ""
    procedure: int | None = None
    channel: str = ""
    assignee: str = ""  # "me", "nobody" or a user id
    due_within: int | None = None
    silence: str = ""  # "acceptance" or "rejection"
    q: str = ""
    order: str = "recent"


def with_row_data(requests: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return requests.select_related("procedure", "form_version", "citizen", "assignee").only(
        *ROW_FIELDS
    )


def _search(requests: QuerySet[ServiceRequest], text: str) -> QuerySet[ServiceRequest]:
    reference = normalise_reference(text)
    if reference is not None:
        return requests.filter(reference=reference)
    condition = Q()
    for word in text.split()[:4]:
        condition &= (
            Q(citizen__family_name__unaccent__icontains=word)
            | Q(citizen__usage_name__unaccent__icontains=word)
            | Q(citizen__given_names__unaccent__icontains=word)
            | Q(contact_name__unaccent__icontains=word)
        )
    return requests.filter(condition)


def team_queue(
    requests: QuerySet[ServiceRequest], *, team_id: int, user_id: int, filters: QueueFilters,
    today: date,
) -> QuerySet[ServiceRequest]:  # fmt: skip
    """A team's open requests (or, with a status filter, those in that state), filtered and
    ordered. `requests` is the agent's scope (`permissions.visible_requests`)."""
    rows = requests.filter(team_id=team_id)
    rows = rows.filter(status=filters.status) if filters.status else rows.open()
    if filters.procedure:
        rows = rows.filter(procedure_id=filters.procedure)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.assignee == "me":
        rows = rows.filter(assignee_id=user_id)
    elif filters.assignee == "nobody":
        rows = rows.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        rows = rows.filter(assignee_id=int(filters.assignee))
    if filters.due_within is not None:
        rows = rows.filter(decision_due_on__lte=today + timedelta(days=filters.due_within))
    if filters.silence in (SilenceRule.ACCEPTANCE, SilenceRule.REJECTION):
        rows = rows.filter(form_version__silence_rule=filters.silence)
    if filters.q:
        rows = _search(rows, filters.q)
    order = ORDERS.get(filters.order, ORDERS["recent"])
    return with_row_data(rows).order_by(*order)


def assigned_to(requests: QuerySet[ServiceRequest], user_id: int) -> QuerySet[ServiceRequest]:
    return with_row_data(requests.open().filter(assignee_id=user_id)).order_by(
        "decision_due_on", "-submitted_at"
    )


def due_soon(
    requests: QuerySet[ServiceRequest], *, team_ids: list[int], today: date, days: int = SOON_DAYS
) -> QuerySet[ServiceRequest]:
    """Open requests of these teams whose implicit decision is born within `days`."""
    return with_row_data(
        requests.open().filter(
            team_id__in=team_ids, decision_due_on__lte=today + timedelta(days=days)
        )
    ).order_by("decision_due_on", "-submitted_at")


def team_counts(requests: QuerySet[ServiceRequest], team_ids: list[int]) -> dict[int, dict]:
    """Per team: open requests, unassigned ones, those awaiting the citizen (one query)."""
    from django.db.models import Count

    rows = (
        requests.open()
        .filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(
            open=Count("id"),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            awaiting=Count("id", filter=Q(status=Status.AWAITING_CITIZEN)),
        )
    )
    return {row["team_id"]: row for row in rows}


def due_cue(decision_due_on: date | None, today: date) -> tuple[str, str]:
    """What a line says of the implicit decision date, in words (never colour alone), and its
    tone: « dépassée », « dans 3 jours » (close), « dans 40 jours »."""
    if decision_due_on is None:
        return "", ""
    days = (decision_due_on - today).days
    if days <= 0:
        return "échéance dépassée", "error"
    if days == 1:
        return "demain", "warning"
    if days <= SOON_DAYS:
        return f"dans {days} jours, proche", "warning"
    return f"dans {days} jours", ""
