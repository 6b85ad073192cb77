"""Reads for the agents' work lists: a team's queue with its filters, what is assigned to an
agent, what falls due soon. Each list is one query for its rows (plus the count of the page),
whatever the data size: the rows carry what a line shows through `select_related` and `only`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.query import ValuesIterable
from django.urls import reverse
from django.utils import translation

from citizens.models import Channel
from forms_builder.models import SilenceRule
from service_requests.identifiers import normalise_reference
from service_requests.models import ServiceRequest, Status

PAGE_SIZE = 50
SOON_DAYS = 15  # « échéance proche » under this many days
ORDERS = {
    "recent": ("-submitted_at", "-id"),
    "due": ("decision_due_on", "-submitted_at", "-id"),
}
# What a line shows, read as plain values: a page of rows without model instances to build.
ROW_VALUES = (
    "reference",
    "status",
    "channel",
    "received_on",
    "decision_due_on",
    "contact_name",
    "procedure__title",
    "form_version__silence_rule",
    "citizen_id",
    "citizen__given_names",
    "citizen__family_name",
    "citizen__usage_name",
    "assignee_id",
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


def with_row_data(requests: QuerySet[ServiceRequest]) -> QuerySet:
    """The lines' values (dicts), for `rows`; a page of a queue (sliced) too."""
    return requests.values(*ROW_VALUES)


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
    # Not read as values yet: the page's count runs on the table alone, without the joins.
    return rows.order_by(*order)


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
    rows = (
        requests.open()
        .filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(
            # count(team) rather than count(id): the index holds team, status and assignee, so
            # the counts come from it alone (request_team_counts_idx).
            open=Count("team"),
            unassigned=Count("team", filter=Q(assignee__isnull=True)),
            awaiting=Count("team", filter=Q(status=Status.AWAITING_CITIZEN)),
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


@dataclass(frozen=True)
class Row:
    """One line of a work list, every text ready: a page of 50 renders without a lookup or a
    translation per cell (each `get_..._display` resolves a lazy translation, 0.3 ms apiece)."""

    reference: str
    url: str
    procedure: str
    channel: str
    citizen: str
    status: str
    received_on: str  # dd/mm/yyyy
    decision_due_on: str
    rule: str  # « acceptation implicite », « pas de décision implicite »…
    due_text: str
    due_tone: str
    assignee: str


@functools.cache
def labels(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """The statuses' and channels' labels in `language`, by value."""
    with translation.override(language):
        return (
            {status.value: str(status.label) for status in Status},
            {channel.value: str(channel.label) for channel in Channel},
        )


RULES = {
    SilenceRule.ACCEPTANCE: "acceptation implicite",
    SilenceRule.REJECTION: "rejet implicite",
}


def _ddmmyyyy(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _name(given: str | None, family: str | None, usage: str | None) -> str:
    """As `Citizen.display_name` says it."""
    return f"{given or ''} {usage or family or ''}".strip()


def row_names(r: dict) -> tuple[str, str]:
    """The citizen (or the anonymous contact) and the assignee of a `with_row_data` row, as
    the list shows them and its exports write them."""
    if r["citizen_id"]:
        citizen = _name(
            r["citizen__given_names"], r["citizen__family_name"], r["citizen__usage_name"]
        )
    else:
        citizen = r["contact_name"]
    assignee = ""
    if r["assignee_id"]:
        assignee = (
            _name(r["assignee__first_name"], r["assignee__last_name"], "") or r["assignee__email"]
        )
    return citizen, assignee


def rows(requests, today: date) -> list[Row]:
    """The lines of `requests` as a list shows them."""
    if isinstance(requests, QuerySet) and requests._iterable_class is not ValuesIterable:
        requests = with_row_data(requests)
    statuses, channels = labels(translation.get_language() or "fr")
    case_url = reverse("backoffice:case", args=["REFERENCE"]).replace("REFERENCE", "{}")
    lines = []
    for r in requests:
        silence, due = r["form_version__silence_rule"], r["decision_due_on"]
        if due is not None:
            rule = RULES.get(silence, "")
        elif silence == SilenceRule.NONE:
            rule = "pas de décision implicite"
        else:
            rule = "suspendue : pièces attendues"
        due_text, due_tone = due_cue(due, today)
        citizen, assignee = row_names(r)
        lines.append(
            Row(
                reference=r["reference"],
                url=case_url.format(r["reference"]),
                procedure=r["procedure__title"],
                channel=channels.get(r["channel"], r["channel"]),
                citizen=citizen,
                status=statuses.get(r["status"], r["status"]),
                received_on=_ddmmyyyy(r["received_on"]),
                decision_due_on=_ddmmyyyy(due),
                rule=rule,
                due_text=due_text,
                due_tone=due_tone,
                assignee=assignee,
            )
        )
    return lines
