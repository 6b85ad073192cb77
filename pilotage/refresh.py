"""`refresh`: the one service that brings the summary tables up to date (Celery beat every
15 minutes, `manage.py pilotage_refresh` by hand).

Incremental by default: the fact rows of the requests changed since the previous run started
(`updated_at`, less a margin for transactions still open then), then the daily tables of the
days those touched, plus the last `RECENT_DAYS` days whatever happened; contacts and
satisfaction answers likewise, by the day they were entered. `full=True` rebuilds everything
(the first run, after a data fix). One transaction, under an advisory lock: two runs never
interleave, and the pages read the previous figures until the new ones are committed.
"""

# ruff: noqa: S608 - the SQL is built from table names and constants; values are parameters

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from pilotage.facts import OPEN_SQL, age_bucket_sql, request_fact_sql
from pilotage.models import RefreshRun
from service_requests.models import Interaction, InteractionOutcome, SatisfactionAnswer

RECENT_DAYS = 3
MARGIN = timedelta(minutes=10)
LOCK_KEY = 0x70696C6F  # "pilo"
TABLES = (
    "pilotage_requestfact",
    "pilotage_dailyarrivals",
    "pilotage_dailyinteractions",
    "pilotage_dailysatisfaction",
)
LOCAL_DAY = "(({col}) AT TIME ZONE 'Europe/Paris')::date"


def data_version() -> int:
    """A number that changes with every refresh, the last run's id (a run is written and
    finished in one transaction, so every run seen is finished): the pages' cache keys carry
    it. Read from the database, one index lookup, so that a flushed cache cannot serve figures
    of older tables."""
    return RefreshRun.objects.order_by("-id").values_list("id", flat=True).first() or 0


def refresh(*, full: bool = False, today: date | None = None) -> RefreshRun:
    """Bring the summary tables up to date; returns the run, with its duration and counts."""
    today = today or timezone.localdate()
    now = timezone.now()
    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        previous = RefreshRun.objects.filter(finished_at__isnull=False).first()
        full = full or previous is None
        since = None if full else previous.started_at - MARGIN
        run = RefreshRun.objects.create(started_at=now, full=full)
        with connection.cursor() as cursor:
            counts = _refresh(cursor, since=since, today=today)
        run.finished_at = timezone.now()
        run.seconds = round(time.monotonic() - started, 3)
        run.counts = counts
        run.save(update_fields=["finished_at", "seconds", "counts"])
    return run


def _refresh(cursor, *, since: datetime | None, today: date) -> dict:
    counts = {}
    # Sorts and hashes of a million facts stay in memory (the default 4 MB spills to disk).
    cursor.execute("SET LOCAL work_mem = '128MB'")
    if since is None:
        # Deferred foreign-key checks pending in this transaction would refuse the TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(TABLES)}")
        cursor.execute(request_fact_sql("TRUE"), {"today": today})
    else:
        cursor.execute(
            request_fact_sql("r.updated_at >= %(since)s"), {"today": today, "since": since}
        )
    counts["facts"] = cursor.rowcount
    timings = {"facts": time.monotonic()}
    recent = [today - timedelta(days=n) for n in range(RECENT_DAYS)]
    counts["arrival_days"] = _arrivals(cursor, since=since, recent=recent)
    timings["arrivals"] = time.monotonic()
    counts["contact_days"] = _contacts(cursor, since=since, recent=recent)
    timings["contacts"] = time.monotonic()
    counts["satisfaction_days"] = _satisfaction(cursor, since=since, recent=recent)
    timings["satisfaction"] = time.monotonic()
    counts["backlog"] = _backlog(cursor, today=today)
    timings["backlog"] = time.monotonic()
    # Seconds each step took (the facts' from the start of the run), for bench/README.md.
    names = list(timings)
    counts["step_seconds"] = {
        name: round(timings[name] - timings[names[i - 1]], 2) for i, name in enumerate(names) if i
    }
    return counts


def _days(cursor, sql: str, params: dict, recent: list[date]) -> list[date]:
    cursor.execute(sql, params)
    return sorted({row[0] for row in cursor.fetchall()} | set(recent))


def _arrivals(cursor, *, since, recent) -> int | str:
    select = """
        INSERT INTO pilotage_dailyarrivals (day, team_id, procedure_id, channel, count)
        SELECT received_on, team_id, procedure_id, channel, COUNT(*) FROM pilotage_requestfact
        WHERE {where} GROUP BY 1, 2, 3, 4"""
    if since is None:
        cursor.execute(select.format(where="TRUE"))
        return "all"
    from service_requests.models import ServiceRequest

    table = ServiceRequest._meta.db_table
    days = _days(
        cursor,
        f"SELECT DISTINCT received_on FROM {table} WHERE updated_at >= %(since)s"
        " AND received_on IS NOT NULL",
        {"since": since},
        recent,
    )
    cursor.execute("DELETE FROM pilotage_dailyarrivals WHERE day = ANY(%(days)s)", {"days": days})
    cursor.execute(select.format(where="received_on = ANY(%(days)s)"), {"days": days})
    return len(days)


def _contacts(cursor, *, since, recent) -> int | str:
    table = Interaction._meta.db_table
    day = LOCAL_DAY.format(col="occurred_at")
    select = f"""
        INSERT INTO pilotage_dailyinteractions (day, team_id, channel, count, answered, inbound)
        SELECT {day}, team_id, channel, COUNT(*),
            COUNT(*) FILTER (WHERE outcome = '{InteractionOutcome.ANSWERED}'),
            COUNT(*) FILTER (WHERE direction = 'inbound')
        FROM {table} WHERE {{where}} GROUP BY 1, 2, 3"""
    if since is None:
        cursor.execute(select.format(where="TRUE"))
        return "all"
    days = _days(
        cursor,
        f"SELECT DISTINCT {day} FROM {table} WHERE created_at >= %(since)s",
        {"since": since},
        recent,
    )
    cursor.execute(
        "DELETE FROM pilotage_dailyinteractions WHERE day = ANY(%(days)s)", {"days": days}
    )
    # A range on occurred_at per day keeps its index usable.
    bounds = " OR ".join(
        f"(occurred_at >= %(from{i})s AND occurred_at < %(to{i})s)" for i in range(len(days))
    )
    params = {}
    for i, d in enumerate(days):
        params[f"from{i}"], params[f"to{i}"] = _day_bounds(d)
    cursor.execute(select.format(where=bounds), params)
    return len(days)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    return start, end


def _satisfaction(cursor, *, since, recent) -> int | str:
    table = SatisfactionAnswer._meta.db_table
    day = LOCAL_DAY.format(col="a.created_at")
    select = f"""
        INSERT INTO pilotage_dailysatisfaction (day, team_id, procedure_id, rating, count)
        SELECT {day}, f.team_id, f.procedure_id, a.rating, COUNT(*)
        FROM {table} a JOIN pilotage_requestfact f ON f.request_id = a.request_id
        WHERE {{where}} GROUP BY 1, 2, 3, 4"""
    if since is None:
        cursor.execute(select.format(where="TRUE"))
        return "all"
    days = _days(
        cursor,
        f"SELECT DISTINCT {LOCAL_DAY.format(col='created_at')} FROM {table}"
        " WHERE created_at >= %(since)s",
        {"since": since},
        recent,
    )
    cursor.execute(
        "DELETE FROM pilotage_dailysatisfaction WHERE day = ANY(%(days)s)", {"days": days}
    )
    cursor.execute(select.format(where=f"{day} = ANY(%(days)s)"), {"days": days})
    return len(days)


def _backlog(cursor, *, today: date) -> int:
    cursor.execute("DELETE FROM pilotage_backlogsnapshot WHERE day = %(today)s", {"today": today})
    cursor.execute(
        f"""
        INSERT INTO pilotage_backlogsnapshot (day, team_id, procedure_id, bucket, count)
        SELECT %(today)s, team_id, procedure_id,
            {age_bucket_sql("(%(today)s::date - received_on)")}, COUNT(*)
        FROM pilotage_requestfact WHERE status IN {OPEN_SQL} GROUP BY 1, 2, 3, 4""",
        {"today": today},
    )
    return cursor.rowcount
