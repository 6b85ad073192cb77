"""The monthly activity report as PDF (issue 14, item 7): the overview's figures for a month
(compared with the month before), its charts as SVG with their tables, and the SVA risk radar's
counts per team, for the reader's dashboard scope.

Aggregates only, whoever reads it: no reference, no citizen's or agent's name, so an elected
official's copy is the same kind of document as a director's (the radar's lists stay on the
screen, where the scope decides). Printed by WeasyPrint through `gru.pdf.render_pdf`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from gru.pdf import render_pdf
from pilotage import radar
from pilotage.dashboard import build_charts, headlines
from pilotage.periods import Period, period_of
from pilotage.selectors import Scope, figures
from service_requests.models import ServiceRequest, Status
from service_requests.permissions import DashboardScope


def month_of(day: date) -> Period:
    return period_of("month", day)


def selectable_months(today: date, count: int = 24) -> list[Period]:
    """The last `count` months, the current one first (it may be partial)."""
    months, day = [], today.replace(day=1)
    for _ in range(count):
        months.append(month_of(day))
        day = (day - timedelta(days=1)).replace(day=1)
    return months


def report_context(dashboard: DashboardScope, month: Period, *, today: date) -> dict:
    team_ids = None if dashboard.all_teams else tuple(sorted(dashboard.team_ids))
    result = figures(Scope(team_ids=team_ids), month, today=today)
    requests = dashboard.restrict(ServiceRequest.objects.exclude(status=Status.DRAFT))
    # Requests at risk as they stand today (the radar keeps no history); implicit decisions
    # born in the month.
    shared = radar.shared_team_counts(today=today, start=month.start, end=month.end)
    counts = radar.radar(
        requests,
        today=today,
        born_between=(month.start, month.end),
        with_rows=False,
        counts=[c for c in shared if dashboard.all_teams or c.team_id in dashboard.team_ids],
    )
    charts = list(build_charts(result).values())
    return {
        "month": month,
        "previous": result.previous,
        "headlines": headlines(result),
        "charts": charts,
        "radar": counts,
        "radar_day": today,
        "all_teams": dashboard.all_teams,
        "generated_at": timezone.localtime(),
        "authority_name": settings.AUTHORITY_NAME,
    }


def monthly_report_pdf(dashboard: DashboardScope, month: Period, *, today: date) -> bytes:
    return render_pdf(
        "backoffice/exports/monthly_report.html", report_context(dashboard, month, today=today)
    )
