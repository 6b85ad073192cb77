"""The periods a dashboard covers: this week, month, quarter or year (the one holding a given
day), or custom dates; each knows the period before it, of the same kind and length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

KINDS = {
    "week": "Semaine",
    "month": "Mois",
    "quarter": "Trimestre",
    "year": "Année",
    "custom": "Dates choisies",
}
MONTHS = (
    *("janvier", "février", "mars", "avril", "mai", "juin"),
    *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "week":
            return f"semaine du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"
        if self.kind == "month":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarter":
            return f"{(self.start.month - 1) // 3 + 1}ᵉ trimestre {self.start.year}"
        if self.kind == "year":
            return f"année {self.start.year}"
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def previous(self) -> Period:
        if self.kind in ("month", "quarter", "year"):
            return period_of(self.kind, self.start - timedelta(days=1))
        return Period(self.kind, self.start - timedelta(days=self.days), self.start - timedelta(1))


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` (week, month, quarter, year) that holds `day`."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == "year":
        start = date(day.year, 1, 1)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    year, month = divmod(start.month - 1 + months, 12)
    return Period(kind, start, date(start.year + year, month + 1, 1) - timedelta(days=1))
