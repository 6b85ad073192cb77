"""Workload forecast (issue 14, item 4): requests each team will receive in the next 8 weeks,
from its weekly history in the summary tables, with the error the same method made on the last
8 weeks it already knows (a backtest), beside the team's capacity (its instructing members).

The method, written by hand, no dependency:
- with more than a year of history, "seasonal naive with trend": week w of next year is week
  w of last year, shifted by how much the last 8 weeks differ from the same 8 weeks a year
  before (the seasons come back, the level moves);
- with less, Holt's linear exponential smoothing (a level and a trend, alpha 0.5, beta 0.2):
  no season can be learnt from less than a year.
The error is the mean absolute error (MAE, in requests per week) and its share of the actual
volume (WAPE: total of the errors over the total received, which stays defined in a quiet week).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek

from gru.models import Team
from pilotage.models import DailyArrivals
from service_requests.lifecycle import CASE_WORKERS
from service_requests.permissions import DashboardScope

HORIZON = 8
SEASON = 52
HISTORY_WEEKS = 2 * SEASON + HORIZON
ALPHA, BETA = 0.5, 0.2


def holt(series: list[float], horizon: int) -> list[float]:
    """Holt's linear trend: the next `horizon` values of `series`."""
    if not series:
        return [0.0] * horizon
    level, trend = series[0], (series[1] - series[0]) if len(series) > 1 else 0.0
    for value in series[1:]:
        previous = level
        level = ALPHA * value + (1 - ALPHA) * (level + trend)
        trend = BETA * (level - previous) + (1 - BETA) * trend
    return [max(level + h * trend, 0.0) for h in range(1, horizon + 1)]


def seasonal_trend(series: list[float], horizon: int) -> list[float]:
    """Same weeks last year, shifted by the year-on-year change of the last 8 weeks."""
    recent = series[-HORIZON:]
    year_before = series[-HORIZON - SEASON : -SEASON]
    shift = (sum(recent) - sum(year_before)) / HORIZON
    n = len(series)
    return [max(series[n + h - SEASON] + shift, 0.0) for h in range(horizon)]


def predict(series: list[float], horizon: int = HORIZON) -> tuple[list[float], str]:
    if len(series) >= SEASON + HORIZON:
        return seasonal_trend(series, horizon), "saisonnier"
    return holt(series, horizon), "tendance"


def backtest(series: list[float]) -> dict | None:
    """The method run on the history without its last 8 weeks, against what came."""
    if len(series) < HORIZON + 4:
        return None
    known, actual = series[:-HORIZON], series[-HORIZON:]
    guessed, method = predict(known)
    errors = [abs(g - a) for g, a in zip(guessed, actual, strict=True)]
    total = sum(actual)
    return {
        "method": method,
        "mae": sum(errors) / HORIZON,
        "wape": sum(errors) / total if total else None,
    }


@dataclass
class TeamForecast:
    team: Team
    capacity: int
    history: list[tuple[date, int]]  # (Monday, requests received), oldest first
    weeks: list[tuple[date, float]]  # (Monday, forecast)
    method: str
    backtest: dict | None

    @property
    def per_member(self) -> list[tuple[date, float, float | None]]:
        return [(w, v, v / self.capacity if self.capacity else None) for w, v in self.weeks]


def team_forecasts(dashboard: DashboardScope, *, today: date) -> list[TeamForecast]:
    """The forecast of every team in scope: two queries whatever the number of teams, cached
    until the next refresh of the tables."""
    from django.core.cache import cache

    from pilotage.refresh import data_version

    teams = "all" if dashboard.all_teams else "-".join(map(str, sorted(dashboard.team_ids)))
    key = f"pilotage:forecast:{data_version()}:{teams}:{today}"
    cached = cache.get(key)
    if cached is None:
        cached = _team_forecasts(dashboard, today=today)
        cache.set(key, cached, 60 * 60)
    return cached


def _team_forecasts(dashboard: DashboardScope, *, today: date) -> list[TeamForecast]:
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=HISTORY_WEEKS)
    teams = dashboard.restrict(Team.objects.filter(is_active=True), "pk").order_by("name")
    teams = list(
        teams.annotate(
            capacity=Count(
                "memberships",
                filter=Q(memberships__role__in=CASE_WORKERS, memberships__user__is_active=True),
            )
        )
    )
    weekly: dict[int, dict[date, int]] = {team.pk: {} for team in teams}
    rows = (
        DailyArrivals.objects.filter(day__gte=first, day__lt=this_monday, team_id__in=list(weekly))
        .annotate(week=TruncWeek("day"))
        .order_by()
        .values_list("team_id", "week")
        .annotate(n=Sum("count"))
    )
    for team_id, week, n in rows:
        weekly[team_id][week] = n
    result = []
    for team in teams:
        counts = weekly[team.pk]
        start = min(counts, default=this_monday)
        mondays = []
        monday = start
        while monday < this_monday:
            mondays.append(monday)
            monday += timedelta(weeks=1)
        series = [float(counts.get(m, 0)) for m in mondays]
        guessed, method = predict(series)
        result.append(
            TeamForecast(
                team=team,
                capacity=team.capacity,
                history=[(m, counts.get(m, 0)) for m in mondays[-16:]],
                weeks=[
                    (this_monday + timedelta(weeks=h), round(v, 1)) for h, v in enumerate(guessed)
                ],
                method=method,
                backtest=backtest(series),
            )
        )
    return result
