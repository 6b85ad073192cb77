"""The workload forecast: the methods on series worked out by hand, the backtest's error, and
the page's figures from the summary tables beside each team's capacity."""

import datetime

import pytest
from django.urls import reverse

from gru.models import Membership
from pilotage.forecast import (
    HORIZON,
    SEASON,
    backtest,
    holt,
    predict,
    seasonal_trend,
    team_forecasts,
)
from pilotage.models import DailyArrivals
from service_requests.permissions import dashboard_scope
from tests.factories import MembershipFactory, ProcedureFactory, TeamFactory, UserFactory
from tests.pilotage.org import login_agent

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Figures are cached by refresh run and team ids, which a new test database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


Role = Membership.Role


def test_holt_continues_a_straight_line():
    assert holt([10, 12, 14, 16, 18, 20], 3) == pytest.approx([22, 24, 26])
    assert holt([5, 5, 5, 5], 2) == pytest.approx([5, 5])
    assert holt([], 2) == [0.0, 0.0]


def test_holt_never_forecasts_fewer_than_zero_requests():
    assert min(holt([30, 20, 10, 0], 4)) == 0


def test_seasonal_naive_with_trend_repeats_last_year_shifted():
    # Last year: week w had w requests; this year every week has 10 more.
    last_year = [float(w) for w in range(SEASON)]
    this_year = [w + 10.0 for w in range(HORIZON)]
    series = last_year + this_year
    # Next week is week 8 of the season: 8 last year, +10.
    assert seasonal_trend(series, 3) == pytest.approx([18, 19, 20])
    assert predict(series)[1] == "saisonnier"
    assert predict(series[:20])[1] == "tendance"


def test_backtest_error_by_hand():
    # A flat series that jumps by 4 over its last 8 weeks: Holt predicted 10, 8 weeks of 14 came.
    series = [10.0] * 12 + [14.0] * HORIZON
    result = backtest(series)
    assert result["method"] == "tendance"
    assert result["mae"] == pytest.approx(4)
    assert result["wape"] == pytest.approx(4 * 8 / (14 * 8))
    assert backtest([1.0] * 5) is None


@pytest.fixture
def teams(db):
    voirie = TeamFactory(name="Voirie", slug="voirie")
    other = TeamFactory(name="Finances", slug="finances")
    manager = UserFactory()
    MembershipFactory(user=manager, team=voirie, role=Role.TEAM_MANAGER)
    for role in (Role.INSTRUCTOR, Role.INSTRUCTOR, Role.FRONT_DESK):
        MembershipFactory(user=UserFactory(), team=voirie, role=role)
    procedure = ProcedureFactory(default_team=voirie)
    # 12 weeks of 7 requests a week (one a day), Monday 2026-01-05 to Sunday 2026-03-29.
    DailyArrivals.objects.bulk_create(
        DailyArrivals(day=D(2026, 1, 5) + datetime.timedelta(days=n), team=voirie,
                      procedure=procedure, channel="web", count=1)
        for n in range(12 * 7)
    )  # fmt: skip
    return {"voirie": voirie, "other": other, "manager": manager}


def test_team_forecasts_read_the_weekly_history_and_the_capacity(teams):
    items = team_forecasts(dashboard_scope(teams["manager"]), today=D(2026, 4, 1))
    assert [item.team for item in items] == [teams["voirie"]]  # not the other team
    (item,) = items
    assert item.capacity == 3  # the manager and two instructors, not the front desk
    assert [n for _monday, n in item.history] == [7] * 12
    assert item.weeks[0] == (D(2026, 3, 30), 7.0)
    assert len(item.weeks) == HORIZON
    assert item.backtest["mae"] == 0
    assert item.per_member[0][2] == pytest.approx(7 / 3)


def test_the_forecast_page_and_its_csv(client, teams):
    login_agent(client, teams["manager"])
    html = client.get(reverse("backoffice:pilotage_forecast")).content.decode()
    assert "Capacité : 3 membres qui instruisent." in html
    assert "Voirie" in html and "Finances" not in html
    url = reverse("backoffice:pilotage_forecast_csv", args=["voirie"])
    assert client.get(url).content.decode().startswith("\ufeffSemaine du;Demandes attendues")
    other = reverse("backoffice:pilotage_forecast_csv", args=["finances"])
    assert client.get(other).status_code == 404
