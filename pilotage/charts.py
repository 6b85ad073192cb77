"""Charts as data: each has a title, a one-sentence summary, the table of its values (shown
under it and offered as CSV) and the geometry of its SVG, which the templates draw
(`templates/backoffice/pilotage/_chart.html`). Pure Python, no drawing library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 200
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# Five steps of the primary colour, lightest first; text switches to white on the two darkest
# (contrast ≥ 4.5:1 both ways, checked against gru.css's values).
HEAT = ("#f2f5f4", "#cfe3df", "#8fc1b8", "#2f7d71", "#0b5a50")
HEAT_TEXT = ("#1b1f1e", "#1b1f1e", "#1b1f1e", "#ffffff", "#ffffff")


@dataclass
class Chart:
    slug: str
    title: str
    summary: str
    columns: list[str]
    rows: list[list]
    kind: str = "bars"  # bars, line, heatmap
    width: int = WIDTH
    height: int = 0
    shapes: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _fr(n) -> str:
    return f"{n:,}".replace(",", "\u202f") if isinstance(n, int) else str(n)


def _decimal(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def bars(slug: str, title: str, items: list[tuple[str, int]], *, unit: str, category: str) -> Chart:
    """Horizontal bars, one per (label, value), longest first as given."""
    top = max((v for _l, v in items), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 60
    shapes = []
    for i, (label, value) in enumerate(items):
        y = i * (BAR_HEIGHT + BAR_GAP)
        shapes.append(
            {
                "label": label,
                "value": _fr(value),
                "y": y,
                "text_y": y + BAR_HEIGHT * 0.7,
                "x": LABEL_WIDTH,
                "w": max(round(value / top * span), 1 if value else 0),
                "value_x": LABEL_WIDTH + round(value / top * span) + 6,
            }
        )
    total = sum(v for _l, v in items)
    if items and total:
        first = max(items, key=lambda item: item[1])
        summary = (
            f"{_fr(total)} {unit} en tout ; le plus grand nombre : {first[0]} "
            f"({_fr(first[1])}, {round(100 * first[1] / total)} %)."
        )
    else:
        summary = f"Aucun(e) {unit} sur la période."
    return Chart(
        slug,
        title,
        summary,
        [category, unit.capitalize()],
        [[label, value] for label, value in items],
        height=max(len(items) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        shapes=shapes,
        extra={"label_width": LABEL_WIDTH - 8, "bar_height": BAR_HEIGHT},
    )


def line(slug: str, title: str, by_day: dict[date, int], start: date, end: date) -> Chart:
    """Requests per day over [start, end]: a polyline with a point per day."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    values = [by_day.get(day, 0) for day in days]
    height, left, bottom = 220, 40, 30
    top = max(values, default=0) or 1
    step = (WIDTH - left - 10) / max(len(days) - 1, 1)
    points = [
        (round(left + i * step, 1), round(height - bottom - v / top * (height - bottom - 10), 1))
        for i, v in enumerate(values)
    ]
    total = sum(values)
    if total:
        peak = days[values.index(max(values))]
        summary = (
            f"{_fr(total)} demandes reçues du {start:%d/%m/%Y} au {end:%d/%m/%Y}, "
            f"{_decimal(total / len(days))} par jour en moyenne ; le plus : {_fr(max(values))} "
            f"le {peak:%d/%m/%Y}."
        )
    else:
        summary = "Aucune demande reçue sur la période."
    ticks = [
        {"x": x, "label": f"{day:%d/%m}"}
        for i, ((x, _y), day) in enumerate(zip(points, days, strict=True))
        if i % max(len(days) // 6, 1) == 0
    ]
    return Chart(
        slug,
        title,
        summary,
        ["Jour", "Demandes reçues"],
        [[f"{day:%d/%m/%Y}", v] for day, v in zip(days, values, strict=True)],
        kind="line",
        height=height,
        shapes=[{"x": x, "y": y} for x, y in points],
        extra={
            "points": " ".join(f"{x},{y}" for x, y in points),
            "ticks": ticks,
            "axis_y": height - bottom,
            "left": left,
            "top_label": _fr(top),
            "tick_y": height - bottom + 18,
        },
    )


def heatmap(slug: str, title: str, by_day: dict[date, int], start: date, end: date) -> Chart:
    """Arrivals by week (rows, by their Monday) and weekday (columns), shaded in five steps."""
    first = start - timedelta(days=start.weekday())
    weeks = []
    monday = first
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    weeks = weeks[-26:]  # half a year at most: beyond, a cell is too small to read
    top = max(by_day.values(), default=0) or 1
    cell, left, head = 44, 90, 24
    shapes, rows = [], []
    for r, monday in enumerate(weeks):
        row = [f"semaine du {monday:%d/%m/%Y}"]
        for c in range(7):
            day = monday + timedelta(days=c)
            inside = start <= day <= end
            value = by_day.get(day, 0) if inside else None
            row.append("" if value is None else value)
            level = 0 if not value else min(4, 1 + int(3 * value / top))
            shapes.append(
                {
                    "x": left + c * cell,
                    "y": head + r * cell,
                    "fill": HEAT[level] if inside else "#ffffff",
                    "text": HEAT_TEXT[level],
                    "value": "" if value is None else _fr(value),
                    "tx": left + c * cell + cell / 2,
                    "ty": head + r * cell + cell * 0.62,
                }
            )
        rows.append(row)
    totals = [0] * 7
    for day, n in by_day.items():
        if start <= day <= end:
            totals[day.weekday()] += n
    busiest = WEEKDAYS[totals.index(max(totals))] if any(totals) else None
    summary = (
        f"Le jour qui reçoit le plus de demandes est le {busiest} "
        f"({_fr(max(totals))} sur la période)."
        if busiest
        else "Aucune demande reçue sur la période."
    )
    return Chart(
        slug,
        title,
        summary,
        ["Semaine", *WEEKDAYS],
        rows,
        kind="heatmap",
        width=left + 7 * cell + 4,
        height=head + len(weeks) * cell + 4,
        shapes=shapes,
        extra={
            "cell": cell - 4,
            "weekdays": [
                {"x": left + c * cell + cell / 2, "label": d[:3]} for c, d in enumerate(WEEKDAYS)
            ],
            "weeks": [
                {"y": head + r * cell + cell * 0.62, "label": f"{m:%d/%m}"}
                for r, m in enumerate(weeks)
            ],
            "head_y": head - 8,
        },
    )
