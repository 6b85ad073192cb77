"""EXPLAIN (ANALYZE, BUFFERS) of the hot queries, against the database DATABASE_URL names.

    DATABASE_URL=postgres://… python -m bench.explain [--team SLUG] [--name NOM] [--today DATE]
                                                      [--no-seqscan]

Prints Markdown, to paste under « Plans EXPLAIN » in bench/README.md once the city-scale
dataset is loaded. ANALYZE runs each query for real: they all run in one transaction that is
rolled back (the past-due selection locks the rows it takes).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import date

from bench.run import BENCH_ENVIRONMENT, STATIC_MODES


@dataclass(frozen=True)
class HotQuery:
    title: str
    index: str  # the index it should use
    sql: str  # psycopg parameters: %(name)s; a literal % is written %%
    setup: str = ""  # run first, in the same transaction (a SET LOCAL)


SEARCH_THRESHOLD = (
    "SELECT set_config('pg_trgm.word_similarity_threshold', '%s', true), "
    "set_config('enable_seqscan', 'off', true)"
)
SEARCH_BY_NAME = """SELECT c.id, c.given_names, c.family_name, c.usage_name, c.birth_date, c.city,
  word_similarity(lower(gru_unaccent(%(name)s)), c.search_name) AS rank,
  greatest(
    (SELECT i.occurred_at FROM service_requests_interaction AS i
     WHERE i.citizen_id = c.id ORDER BY i.occurred_at DESC LIMIT 1),
    (SELECT r.created_at FROM service_requests_servicerequest AS r
     WHERE r.citizen_id = c.id AND r.status <> 'draft' ORDER BY r.created_at DESC LIMIT 1)
  ) AS last_contact
FROM citizens_citizen AS c
WHERE c.merged_into_id IS NULL
  AND c.id = ANY(ARRAY(
    SELECT u.id FROM citizens_citizen AS u
    WHERE u.merged_into_id IS NULL AND u.search_name %%> lower(gru_unaccent(%(name)s))
    LIMIT 200))
ORDER BY rank DESC, c.family_name, c.given_names, c.id
LIMIT 25"""


QUERIES = [
    HotQuery(
        "Open requests of a team (its queue), newest first",
        "request_team_open_idx",
        """SELECT r.id, r.reference, r.status, r.submitted_at, r.decision_due_on, r.assignee_id
FROM service_requests_servicerequest AS r
WHERE r.team_id = %(team_id)s
  AND r.status IN ('submitted', 'in_review', 'awaiting_citizen')
ORDER BY r.submitted_at DESC
LIMIT 50""",
    ),
    HotQuery(
        "Requests past due (open, implicit decision date reached), earliest first",
        "request_open_due_idx",
        """SELECT r.id, r.reference, r.team_id, r.status, r.decision_due_on
FROM service_requests_servicerequest AS r
WHERE r.status IN ('submitted', 'in_review', 'awaiting_citizen')
  AND r.decision_due_on <= %(today)s
ORDER BY r.decision_due_on
LIMIT 500""",
    ),
    HotQuery(
        "A batch of the implicit-decision sweep (as services/sweeps.py selects it, locked)",
        "request_open_due_idx",
        """SELECT r.id, r.decision_due_on, r.status
FROM service_requests_servicerequest AS r
WHERE r.status IN ('awaiting_citizen', 'in_review', 'submitted')
  AND r.decision_due_on <= %(today)s
ORDER BY r.decision_due_on, r.id
LIMIT 200
FOR UPDATE OF r SKIP LOCKED""",
    ),
    # The one-stop shop's search (citizens.search) as it reads a name: the first CANDIDATES
    # rows whose name holds a word close to the one typed, under the strict threshold, then the
    # best 25 of them with their last contact; the tolerant pass is the same at 0.3.
    HotQuery(
        "Citizen search by name, strict pass (pg_trgm word similarity ≥ 0.5)",
        "citizen_search_name_trgm",
        SEARCH_BY_NAME,
        setup=SEARCH_THRESHOLD % "0.5",
    ),
    HotQuery(
        "Citizen search by name with a typo, tolerant pass (word similarity ≥ 0.3)",
        "citizen_search_name_trgm",
        SEARCH_BY_NAME.replace("%(name)s", "%(typo)s"),
        setup=SEARCH_THRESHOLD % "0.3",
    ),
    HotQuery(
        "Citizen search by phone (exact, display form)",
        "citizen_phone_idx",
        """SELECT c.id, c.given_names, c.family_name, c.usage_name, c.birth_date, c.city
FROM citizens_citizen AS c
WHERE c.merged_into_id IS NULL AND c.phone = %(phone)s
ORDER BY c.family_name, c.given_names, c.id
LIMIT 25""",
    ),
]


def parameters(args) -> dict:
    """The values the plans are taken with: the busiest team, the most common family name,
    today, unless given."""
    from django.db.models import Count
    from django.utils import timezone

    from citizens.models import Citizen
    from gru.models import Team
    from service_requests.models import ServiceRequest

    if args.team:
        team = Team.objects.get(slug=args.team)
    else:
        busiest = (
            ServiceRequest.objects.open()
            .values("team")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        team = Team.objects.get(pk=busiest["team"]) if busiest else Team.objects.first()
    name = args.name
    if not name:
        common = (
            Citizen.objects.values("family_name").annotate(n=Count("id")).order_by("-n").first()
        )
        name = common["family_name"] if common else "Martin"
    from bench.pages import _typo

    phone = Citizen.objects.exclude(phone="").order_by("pk").values_list("phone", flat=True)
    return {
        "team_id": team.pk if team else 0,
        "team": team.slug if team else "—",
        "today": args.today or timezone.localdate(),
        "name": name,
        "typo": _typo(name),
        "phone": phone.first() or "06 12 34 56 78",
    }


def explain(query: HotQuery, values: dict) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if query.setup:
            cursor.execute(query.setup)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query.sql}", values)
        return [row[0] for row in cursor.fetchall()]


def shown(sql: str, values: dict) -> str:
    """The SQL as it runs, parameters in place, for the README."""
    for name, value in values.items():
        sql = sql.replace(f"%({name})s", f"'{value}'" if not isinstance(value, int) else str(value))
    return sql.replace("%%", "%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--team", help="the team's slug (default: the most open requests)")
    parser.add_argument("--name", help="the family name searched (default: the most common)")
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--no-seqscan",
        action="store_true",
        help="SET enable_seqscan = off: on a small dataset, shows that the index can serve",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("explain: set DATABASE_URL, the database to explain against.", file=sys.stderr)
        return 2
    os.environ.update({**BENCH_ENVIRONMENT, **STATIC_MODES["finders"]})
    import django

    django.setup()
    from django.db import connection, transaction

    from bench.run import dataset_counts

    counts = ", ".join(f"{n} {name}" for name, n in dataset_counts().items())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    values = parameters(args)
    print(f"PostgreSQL {version} · data: {counts}")
    print(f"Parameters: team {values['team']} (id {values['team_id']}), ", end="")
    print(f"today {values['today']}, name {values['name']!r}\n")
    with transaction.atomic():
        if args.no_seqscan:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            print("(enable_seqscan = off: the planner's choice is forced away from full scans)\n")
        for query in QUERIES:
            plan = explain(query, values)
            used = "uses" if any(query.index in line for line in plan) else "DOES NOT USE"
            print(f"### {query.title}\n")
            print(f"Expected index `{query.index}`: the plan {used} it.\n")
            setup = f"{query.setup};\n" if query.setup else ""
            print(f"```sql\n{setup}{shown(query.sql, values)};\n```\n")
            print("```\n" + "\n".join(plan) + "\n```\n")
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
