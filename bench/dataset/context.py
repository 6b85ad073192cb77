"""What every part of the generator shares: the sizes asked, the calendar, the ids, and the
weighted draws."""

import bisect
import itertools
import json
import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from psycopg import sql

YEARS = 5  # requests are received over the five years up to today
# JSON as the database stores it, accents kept. One encoder: json.dumps(…, ensure_ascii=False)
# builds a new one at each call, a fifth of the generation time for millions of payloads.
to_json = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True)
class Counts:
    citizens: int
    requests: int
    procedures: int  # in all, the demo's included
    teams: int  # in all, the demo's included
    events_per_request: float = 5.0  # what the stories give on average, not a quota
    interactions_per_request: float = 2.0  # exact: lone contacts make up the difference
    messages_per_request: float = 0.5  # on average

    @property
    def interactions(self) -> int:
        return round(self.requests * self.interactions_per_request)

    def with_sizes(self, **sizes) -> "Counts":
        return replace(self, **{name: value for name, value in sizes.items() if value is not None})


SCALES = {
    "small": Counts(citizens=2_000, requests=6_000, procedures=30, teams=10),
    "city": Counts(citizens=300_000, requests=1_000_000, procedures=200, teams=40),
    "10x": Counts(citizens=3_000_000, requests=10_000_000, procedures=400, teams=80),
}


class Clock:
    """Today and now, frozen for the run, and moments as POSIX timestamps (floats) that turn
    into aware datetimes only when written."""

    def __init__(self, now: datetime):
        self.zone = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(self.zone)
        self.today = local.date()
        self.now_ts = now.timestamp()
        self.start = self.today - timedelta(days=YEARS * 365)  # first day requests arrive
        first = self.start - timedelta(days=2 * 365)
        # Local midnight of each day, DST included, so that a moment is a sum.
        self._first = first.toordinal()
        self._midnights = [
            datetime.combine(first + timedelta(days=n), time(), self.zone).timestamp()
            for n in range((self.today - first).days + 400)
        ]

    def at(self, day: int, seconds: float) -> float:
        """`seconds` after local midnight of `day` (an ordinal), never after now. Keep
        `seconds` under 22 h: on a DST day the sum may be an hour off, never a day."""
        return min(self._midnights[day - self._first] + seconds, self.now_ts)

    @staticmethod
    def datetime(ts: float) -> datetime:
        return datetime.fromtimestamp(ts, UTC)

    @staticmethod
    def date(day: int) -> date:
        return date.fromordinal(day)


class Ids:
    """Explicit primary keys: each table's rows are numbered from its largest id so far, so that
    rows can point at one another before any is written."""

    def __init__(self, cursor, tables: list[type[models.Model]]):
        self._next = {}
        for model in tables:
            table = sql.Identifier(model._meta.db_table)
            cursor.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) FROM {}").format(table))
            self._next[model] = cursor.fetchone()[0] + 1

    def take(self, model: type[models.Model], n: int = 1) -> int:
        """The first of `n` consecutive ids."""
        first = self._next[model]
        self._next[model] = first + n
        return first


class Weighted:
    """Draws from items with weights, by bisection on cumulated weights."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulated = list(itertools.accumulate(weights))
        self.total = self.cumulated[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulated, rng.random() * self.total)]


class LongTail:
    """Indices 0..n-1: a share `uniform` drawn evenly, the rest from a Zipf-like law
    (weight 1/(rank + shift)) over a seeded shuffle of the indices, so that a few are drawn
    hundreds of times and most a few times. The shift grows with n so that the heaviest get
    a few hundred draws whatever the size."""

    def __init__(self, n: int, rng: random.Random, *, uniform: float, shift: float):
        self.n, self.uniform = n, uniform
        self.cumulated = list(itertools.accumulate(1 / (rank + shift) for rank in range(n)))
        self.total = self.cumulated[-1]
        # rank -> index: an affine bijection modulo n, cheaper than a shuffled list.
        self.step = self._coprime(n, rng)
        self.offset = rng.randrange(n)
        self.inverse = pow(self.step, -1, n) if n > 1 else 0

    @staticmethod
    def _coprime(n: int, rng: random.Random) -> int:
        while True:
            step = rng.randrange(1, max(n, 2))
            if math.gcd(step, n) == 1:
                return step

    def pick(self, rng: random.Random) -> int:
        if rng.random() < self.uniform:
            return rng.randrange(self.n)
        return self.index(bisect.bisect(self.cumulated, rng.random() * self.total))

    def index(self, rank: int) -> int:
        return (min(rank, self.n - 1) * self.step + self.offset) % self.n

    def rank(self, index: int) -> int:
        return ((index - self.offset) * self.inverse) % self.n
