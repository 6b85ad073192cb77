"""The dashboards' figures, read from the summary tables only (never the requests table): each
for a period and a scope (every team in reach, one team, one procedure), with the period before
it for comparison. Cached until the next refresh (`data_version`): the tables change only then.

No figure names an agent or a citizen: counts per team, procedure, channel, day and rating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Aggregate, Avg, Count, FloatField, Max, Q, Sum

from pilotage.facts import AGE_BUCKETS
from pilotage.models import (
    BacklogSnapshot,
    DailyArrivals,
    DailyInteractions,
    DailySatisfaction,
    RequestFact,
)
from pilotage.periods import Period
from pilotage.refresh import data_version

CACHE_SECONDS = 60 * 60


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile (`percentile_cont(f) WITHIN GROUP (ORDER BY x)`)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class Scope:
    """What the figures cover: `team_ids` (None: every team, and requests of no team) and,
    optionally, one procedure. Contacts belong to no procedure: the procedure does not cut them."""

    team_ids: tuple[int, ...] | None = None
    procedure_id: int | None = None

    def key(self) -> str:
        teams = "all" if self.team_ids is None else "-".join(map(str, self.team_ids))
        return f"{teams}:{self.procedure_id or 'all'}"

    def cut(self, queryset, *, procedure: bool = True):
        if self.team_ids is not None:
            queryset = queryset.filter(team_id__in=self.team_ids)
        if procedure and self.procedure_id is not None:
            queryset = queryset.filter(procedure_id=self.procedure_id)
        return queryset


def _in(period: Period, field: str = "day") -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def arrivals(scope: Scope, period: Period) -> dict:
    rows = scope.cut(DailyArrivals.objects.filter(_in(period))).order_by()
    by_channel = dict(rows.values_list("channel").annotate(n=Sum("count")))
    by_procedure = dict(rows.values_list("procedure_id").annotate(n=Sum("count")))
    by_day = dict(rows.values_list("day").annotate(n=Sum("count")))
    return {
        "total": sum(by_channel.values()),
        "by_channel": by_channel,
        "by_procedure": by_procedure,
        "by_day": by_day,
    }


def contacts(scope: Scope, period: Period) -> dict:
    rows = scope.cut(DailyInteractions.objects.filter(_in(period)), procedure=False).order_by()
    by_channel = {}
    total = answered = 0
    for channel, n, on_the_spot in rows.values_list("channel").annotate(
        n=Sum("count"), a=Sum("answered")
    ):
        by_channel[channel] = n
        total += n
        answered += on_the_spot
    return {
        "total": total,
        "by_channel": by_channel,
        "answered": answered,
        "answered_share": answered / total if total else None,
    }


def decisions(scope: Scope, period: Period) -> dict:
    rows = scope.cut(RequestFact.objects.filter(_in(period, "decided_on"))).order_by()
    figures = rows.aggregate(
        count=Count("pk"),
        median=Percentile("processing_days", 0.5),
        p90=Percentile("processing_days", 0.9),
        with_delay=Count("pk", filter=Q(within_delay__isnull=False)),
        within=Count("pk", filter=Q(within_delay=True)),
        explicit_accepted=Count("pk", filter=Q(accepted=True, implicit=False)),
        explicit_rejected=Count("pk", filter=Q(accepted=False, implicit=False)),
        implicit_accepted=Count("pk", filter=Q(accepted=True, implicit=True)),
        implicit_rejected=Count("pk", filter=Q(accepted=False, implicit=True)),
        waiting=Avg("waiting_days"),
    )
    with_delay = figures["with_delay"]
    figures["within_share"] = figures["within"] / with_delay if with_delay else None
    return figures


def backlog(scope: Scope, day: date) -> dict:
    """The open requests on the last snapshot taken on or before `day`, by age bucket."""
    snapshots = scope.cut(BacklogSnapshot.objects.all()).order_by()
    taken_on = BacklogSnapshot.objects.filter(day__lte=day).aggregate(d=Max("day"))["d"]
    counts = [0] * len(AGE_BUCKETS)
    if taken_on is not None:
        for bucket, n in (
            snapshots.filter(day=taken_on).values_list("bucket").annotate(n=Sum("count"))
        ):
            counts[bucket] = n
    return {"day": taken_on, "total": sum(counts), "buckets": counts}


def satisfaction(scope: Scope, period: Period) -> dict:
    rows = scope.cut(DailySatisfaction.objects.filter(_in(period))).order_by()
    by_rating = dict.fromkeys(range(1, 6), 0)
    by_rating.update(dict(rows.values_list("rating").annotate(n=Sum("count"))))
    count = sum(by_rating.values())
    mean = sum(r * n for r, n in by_rating.items()) / count if count else None
    return {"count": count, "by_rating": by_rating, "mean": mean}


def weekly_arrivals(scope: Scope, *, first: date, last: date) -> dict[date, int]:
    """Requests received per week (keyed by the week's Monday), from `first` to `last`."""
    rows = scope.cut(DailyArrivals.objects.filter(day__gte=first, day__lte=last)).order_by()
    weeks: dict[date, int] = {}
    for day, n in rows.values_list("day").annotate(n=Sum("count")):
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    return weeks


@dataclass
class Figures:
    period: Period
    previous: Period
    current: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)


def figures(scope: Scope, period: Period, *, today: date) -> Figures:
    """Every figure of the overview for `period` and the period before it: cached until the next
    refresh of the tables."""
    previous = period.previous()
    key = f"pilotage:figures:{data_version()}:{scope.key()}:{period.start}:{period.end}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = Figures(period=period, previous=previous)
    for target, span in ((result.current, period), (result.before, previous)):
        target["arrivals"] = arrivals(scope, span)
        target["contacts"] = contacts(scope, span)
        target["decisions"] = decisions(scope, span)
        target["satisfaction"] = satisfaction(scope, span)
        target["backlog"] = backlog(scope, min(span.end, today))
    cache.set(key, result, CACHE_SECONDS)
    return result


def warm(*, today: date) -> int:
    """Compute and cache, after a refresh, what the pages open on: the month (the default
    period) of every team and of the whole authority, and the other periods of the whole
    authority. The first visitor after a refresh then reads the cache too."""
    from gru.models import Team
    from pilotage.periods import KINDS, period_of

    scopes = [Scope()] + [Scope(team_ids=(pk,)) for pk in Team.objects.values_list("pk", flat=True)]
    done = 0
    for scope in scopes:
        kinds = [k for k in KINDS if k != "custom"] if scope.team_ids is None else ["month"]
        for kind in kinds:
            figures(scope, period_of(kind, today), today=today)
            done += 1
    return done


def warm_forecasts(*, today: date) -> None:
    """The forecast of every team (what directors and officials open), cached after a refresh."""
    from pilotage.forecast import team_forecasts
    from service_requests.permissions import DashboardScope

    team_forecasts(DashboardScope(True, True, frozenset(), personal_data=False), today=today)
