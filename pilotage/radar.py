"""The SVA risk radar (issue 14, item 3): the open requests whose implicit decision (acceptance or
rejection by silence) is born within the next 30 days, counted by team and horizon, with what
holds each one back; and the implicit decisions born in a recent period.

Reads only. Two queries for the counts (at risk, born by silence) and one for each list, whatever
the number of requests: the counts group in the database, the lists are capped (`LIST_LIMIT`).
The at-risk reads walk the partial index of open requests by due date (`request_open_due_idx`);
the born-by-silence ones the partial index of triggered implicit decisions
(`request_implicit_triggered_idx`).

Horizons are disjoint: « 7 jours » is today to today + 7 (a date already passed, which the
5-minute sweep is about to act on, counts there too), « 15 jours » the 8th to the 15th day,
« 30 jours » the 16th to the 30th.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from forms_builder.models import SilenceRule
from gru.models import Team
from service_requests.legal_dates import french_day
from service_requests.models import DocumentRequest, ServiceRequest, Status

HORIZONS = (7, 15, 30)
HORIZON_LABELS = {7: "sous 7 jours", 15: "de 8 à 15 jours", 30: "de 16 à 30 jours"}
LIST_LIMIT = 50  # rows a list shows; the rest is in the team's queue, ordered by due date
IMPLICIT_STATES = (Status.ACCEPTED_IMPLICITLY, Status.REJECTED_IMPLICITLY)
RULE_LABELS = {SilenceRule.ACCEPTANCE: "acceptation", SilenceRule.REJECTION: "rejet"}


def horizon_of(due: date, today: date) -> int:
    """The horizon (7, 15 or 30) a due date falls in; a date past 30 days is out of the radar."""
    days = (due - today).days
    for horizon in HORIZONS:
        if days <= horizon:
            return horizon
    raise ValueError(f"{due} is beyond the radar's {HORIZONS[-1]} days")


def at_risk(requests: QuerySet[ServiceRequest], today: date) -> QuerySet[ServiceRequest]:
    """Open requests of `requests` whose implicit decision is born within 30 days."""
    return requests.open().filter(
        decision_due_on__isnull=False, decision_due_on__lte=today + timedelta(days=HORIZONS[-1])
    )


def born_by_silence(
    requests: QuerySet[ServiceRequest], start: date, end: date
) -> QuerySet[ServiceRequest]:
    """Requests whose implicit decision was recorded from `start` to `end` (both included)."""
    tz = timezone.get_current_timezone()
    return requests.filter(
        implicit_decision_triggered_at__gte=datetime.combine(start, time.min, tz),
        implicit_decision_triggered_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
        status__in=IMPLICIT_STATES,
    )


@dataclass
class TeamCounts:
    team_id: int
    team: str
    slug: str
    by_horizon: dict[int, int] = field(default_factory=lambda: dict.fromkeys(HORIZONS, 0))
    unassigned: int = 0
    awaiting_citizen: int = 0
    accepted_implicitly: int = 0
    rejected_implicitly: int = 0

    @property
    def at_risk(self) -> int:
        return sum(self.by_horizon.values())

    @property
    def horizons(self) -> list[int]:
        """The counts in the order of HORIZONS (for templates)."""
        return [self.by_horizon[h] for h in HORIZONS]

    @property
    def labelled(self) -> list[tuple[int, str]]:
        """(count, label) per horizon, for sentences."""
        return [(self.by_horizon[h], HORIZON_LABELS[h]) for h in HORIZONS]


def _bucket(today: date, horizon: int) -> Q:
    index = HORIZONS.index(horizon)
    upper = Q(decision_due_on__lte=today + timedelta(days=horizon))
    if index == 0:
        return upper
    return upper & Q(decision_due_on__gt=today + timedelta(days=HORIZONS[index - 1]))


def team_counts(
    requests: QuerySet[ServiceRequest], *, today: date, start: date, end: date
) -> list[TeamCounts]:
    """Per team (by name): at risk per horizon, unassigned and awaiting the citizen among them,
    implicit decisions born from `start` to `end`. Teams with nothing to count are left out."""
    risky = (
        at_risk(requests, today)
        .values("team_id")
        .annotate(
            **{f"h{h}": Count("id", filter=_bucket(today, h)) for h in HORIZONS},
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            awaiting=Count("id", filter=Q(status=Status.AWAITING_CITIZEN)),
        )
    )
    born = (
        born_by_silence(requests, start, end)
        .values("team_id")
        .annotate(
            accepted=Count("id", filter=Q(status=Status.ACCEPTED_IMPLICITLY)),
            rejected=Count("id", filter=Q(status=Status.REJECTED_IMPLICITLY)),
        )
    )
    # Teams are few (tens): read them all with the counts' query rather than joining per row.
    teams = {t.pk: t for t in Team.objects.only("name", "slug")}
    result: dict[int, TeamCounts] = {}

    def entry(team_id: int | None) -> TeamCounts:
        if team_id not in result:
            team = teams.get(team_id)
            result[team_id] = TeamCounts(
                team_id=team_id or 0,
                team=team.name if team else "Sans équipe",
                slug=team.slug if team else "",
            )
        return result[team_id]

    for row in risky:
        counts = entry(row["team_id"])
        counts.by_horizon = {h: row[f"h{h}"] for h in HORIZONS}
        counts.unassigned, counts.awaiting_citizen = row["unassigned"], row["awaiting"]
    for row in born:
        counts = entry(row["team_id"])
        counts.accepted_implicitly, counts.rejected_implicitly = row["accepted"], row["rejected"]
    return sorted(result.values(), key=lambda c: c.team)


COUNTS_SECONDS = 120


def shared_team_counts(*, today: date, start: date, end: date) -> list[TeamCounts]:
    """`team_counts` of every team, cached for everyone for `COUNTS_SECONDS`: at city scale
    (170,000 open requests, 50,000 at risk) the grouping reads the rows at risk from the table
    (their assignee and status are in no index with the due date), about 0.7 s; each page then
    keeps the teams of its reader's scope. The lists are read live."""
    key = f"pilotage:radar:counts:{today}:{start}:{end}"
    counts = cache.get(key)
    if counts is None:
        requests = ServiceRequest.objects.exclude(status=Status.DRAFT)
        counts = team_counts(requests, today=today, start=start, end=end)
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def totals(counts: list[TeamCounts]) -> TeamCounts:
    """The sum of every team's counts."""
    total = TeamCounts(team_id=0, team="Total", slug="")
    for c in counts:
        for h in HORIZONS:
            total.by_horizon[h] += c.by_horizon[h]
        total.unassigned += c.unassigned
        total.awaiting_citizen += c.awaiting_citizen
        total.accepted_implicitly += c.accepted_implicitly
        total.rejected_implicitly += c.rejected_implicitly
    return total


@dataclass(frozen=True)
class RiskRow:
    """One request at risk, every text ready. Carries a reference and an agent's name: never
    built for a reader without personal data (an elected official)."""

    reference: str
    url: str
    team: str
    procedure: str
    rule: str  # « acceptation » or « rejet »
    status: str
    due_on: date
    due_words: str  # « 1er avril 2026 »
    days_left: int
    horizon: int
    assignee: str
    blockers: tuple[str, ...]

    @property
    def due_text(self) -> str:
        """The date and how far, for a table cell: « 08/03/2026 », « dans 6 jours »."""
        return f"{self.due_on:%d/%m/%Y}"

    @property
    def days_text(self) -> str:
        if self.days_left < 0:
            return "échéance dépassée"
        if self.days_left == 0:
            return "aujourd'hui"
        if self.days_left == 1:
            return "demain"
        return f"dans {self.days_left} jours"

    @property
    def tone(self) -> str:
        return {7: "error", 15: "warning"}.get(self.horizon, "neutral")

    @property
    def blockers_text(self) -> str:
        return " ; ".join(self.blockers) or "rien de signalé"


ROW_VALUES = (
    "reference",
    "status",
    "decision_due_on",
    "team__name",
    "procedure__title",
    "form_version__silence_rule",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


def blockers_of(*, status: str, assigned: bool, documents_asked: date | None) -> tuple[str, ...]:
    """What holds a request back, in French, most pressing first."""
    found = []
    if not assigned:
        found.append("personne n'est chargé de la demande")
    if status == Status.AWAITING_CITIZEN:
        found.append("en attente de l'usager")
    if documents_asked is not None:
        found.append(f"pièces demandées, attendues avant le {documents_asked:%d/%m/%Y}")
    if status == Status.SUBMITTED:
        found.append("instruction non commencée")
    return tuple(found)


def _agent(row: dict) -> str:
    if not row["assignee_id"]:
        return ""
    name = f"{row['assignee__first_name'] or ''} {row['assignee__last_name'] or ''}".strip()
    return name or row["assignee__email"]


def risk_rows(
    requests: QuerySet[ServiceRequest], *, today: date, limit: int = LIST_LIMIT
) -> list[RiskRow]:
    """The requests at risk, the closest first, at most `limit` (one query)."""
    open_pieces = DocumentRequest.objects.filter(request=OuterRef("pk"), answered_on__isnull=True)
    rows = (
        at_risk(requests, today)
        .annotate(pieces_deadline=open_pieces.values("answer_deadline")[:1])
        .order_by("decision_due_on", "reference")
        .values(*ROW_VALUES, "pieces_deadline")[:limit]
    )
    statuses = {s.value: str(s.label) for s in Status}
    case_url = reverse("backoffice:case", args=["REFERENCE"]).replace("REFERENCE", "{}")
    result = []
    for row in rows:
        due = row["decision_due_on"]
        result.append(
            RiskRow(
                reference=row["reference"],
                url=case_url.format(row["reference"]),
                team=row["team__name"] or "Sans équipe",
                procedure=row["procedure__title"],
                rule=RULE_LABELS.get(row["form_version__silence_rule"], ""),
                status=statuses.get(row["status"], row["status"]),
                due_on=due,
                due_words=french_day(due),
                days_left=(due - today).days,
                horizon=horizon_of(due, today),
                assignee=_agent(row),
                blockers=blockers_of(
                    status=row["status"],
                    assigned=bool(row["assignee_id"]),
                    documents_asked=row["pieces_deadline"],
                ),
            )
        )
    return result


@dataclass(frozen=True)
class BornRow:
    reference: str
    url: str
    team: str
    procedure: str
    outcome: str  # « acceptée » or « rejetée »
    born_on: date


def born_rows(
    requests: QuerySet[ServiceRequest], *, start: date, end: date, limit: int = LIST_LIMIT
) -> list[BornRow]:
    """The implicit decisions born from `start` to `end`, the latest first (one query)."""
    rows = (
        born_by_silence(requests, start, end)
        .order_by("-implicit_decision_triggered_at", "reference")
        .values("reference", "status", "decided_on", "team__name", "procedure__title")[:limit]
    )
    case_url = reverse("backoffice:case", args=["REFERENCE"]).replace("REFERENCE", "{}")
    return [
        BornRow(
            reference=row["reference"],
            url=case_url.format(row["reference"]),
            team=row["team__name"] or "Sans équipe",
            procedure=row["procedure__title"],
            outcome="acceptée" if row["status"] == Status.ACCEPTED_IMPLICITLY else "rejetée",
            born_on=row["decided_on"],
        )
        for row in rows
    ]


@dataclass
class Radar:
    today: date
    start: date
    end: date
    counts: list[TeamCounts]
    total: TeamCounts
    rows: list[RiskRow] | None  # None: counts only (no personal data)
    born: list[BornRow] | None
    limit: int = LIST_LIMIT

    @property
    def today_words(self) -> str:
        return french_day(self.today)

    @property
    def horizons(self) -> list[tuple[int, str]]:
        return [(h, HORIZON_LABELS[h]) for h in HORIZONS]


def radar(
    requests: QuerySet[ServiceRequest],
    *,
    today: date,
    period_days: int = 30,
    born_between: tuple[date, date] | None = None,
    with_rows: bool = True,
    limit: int = LIST_LIMIT,
    counts: list[TeamCounts] | None = None,
) -> Radar:
    """The radar over `requests` (already cut to the reader's teams): the counts, and the lists
        unless `with_rows` is False (a reader who may see no personal data). Implicit decisions
        born in the last `period_days` days, or `born_between` these two days. `counts` given
    (`shared_team_counts` cut to the reader's teams) are used instead of counting again."""
    start, end = born_between or (today - timedelta(days=period_days - 1), today)
    if counts is None:
        counts = team_counts(requests, today=today, start=start, end=end)
    return Radar(
        today=today,
        start=start,
        end=end,
        counts=counts,
        total=totals(counts),
        rows=risk_rows(requests, today=today, limit=limit) if with_rows else None,
        born=born_rows(requests, start=start, end=end, limit=limit) if with_rows else None,
        limit=limit,
    )
