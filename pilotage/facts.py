"""What the dashboards count, said once: the age buckets of the backlog, the statuses that
count as accepted, implicit or open, and the SQL that turns a request into its fact row.

Processing time (issue 14, item 1) runs from receipt to decision, minus the days the request
waited for the citizen: for each demand for pieces (`DocumentRequest`), from the day they were
asked to the day they arrived, or to the decision when they never did. Demands for pieces of one
request never overlap (one open at a time, a database constraint), so the days add up. These are
the days the file was in the citizen's hands, which is what a manager asks about; the legal
suspension of an implicit rejection (both ends counted, capped at the answer deadline) is
`service_requests.deadlines`' business and feeds `within_delay` through the stored due date.
"""

# ruff: noqa: S608 - the SQL is built from table names and constants; values are parameters

from __future__ import annotations

from service_requests.models import (
    OPEN_STATES,
    DocumentRequest,
    ServiceRequest,
    Status,
)

# (first day, last day or None, French label): days since receipt of an open request.
AGE_BUCKETS = (
    (0, 7, "moins de 8 jours"),
    (8, 30, "8 à 30 jours"),
    (31, 60, "31 à 60 jours"),
    (61, 90, "61 à 90 jours"),
    (91, None, "plus de 90 jours"),
)
IMPLICIT_STATES = (Status.ACCEPTED_IMPLICITLY, Status.REJECTED_IMPLICITLY)
ACCEPTED_STATES = (Status.ACCEPTED, Status.PARTIALLY_ACCEPTED, Status.ACCEPTED_IMPLICITLY)


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(str(v) for v in values)) + ")"


def age_bucket_sql(age: str) -> str:
    """A CASE giving the index in AGE_BUCKETS of an age in days (an SQL expression)."""
    whens = " ".join(
        f"WHEN {age} <= {last} THEN {i}"
        for i, (_first, last, _label) in enumerate(AGE_BUCKETS)
        if last is not None
    )
    return f"CASE {whens} ELSE {len(AGE_BUCKETS) - 1} END"


def request_fact_sql(where: str) -> str:
    """INSERT … SELECT of the fact rows of the filed requests matching `where` (on alias r),
    replacing those already there. `%(today)s` is the day open requests' waiting is counted to."""
    requests = ServiceRequest._meta.db_table
    pieces = DocumentRequest._meta.db_table
    implicit, accepted = _in(IMPLICIT_STATES), _in(ACCEPTED_STATES)
    return f"""
        INSERT INTO pilotage_requestfact (
            request_id, team_id, procedure_id, channel, status, received_on, decided_on,
            implicit, accepted, waiting_days, processing_days, within_delay)
        SELECT r.id, r.team_id, r.procedure_id, r.channel, r.status, r.received_on, r.decided_on,
            r.status IN {implicit},
            CASE WHEN r.decided_on IS NULL THEN NULL ELSE r.status IN {accepted} END,
            COALESCE(w.days, 0),
            CASE WHEN r.decided_on IS NULL THEN NULL
                 ELSE GREATEST(r.decided_on - r.received_on - COALESCE(w.days, 0), 0) END,
            CASE WHEN r.decided_on IS NULL OR r.decision_due_on IS NULL THEN NULL
                 WHEN r.status IN {implicit} THEN FALSE
                 ELSE r.decided_on < r.decision_due_on END
        FROM {requests} r
        LEFT JOIN LATERAL (
            SELECT SUM(GREATEST(
                LEAST(COALESCE(d.answered_on, COALESCE(r.decided_on, %(today)s)),
                      COALESCE(r.decided_on, %(today)s)) - d.asked_on, 0)) AS days
            FROM {pieces} d WHERE d.request_id = r.id
        ) w ON TRUE
        WHERE r.status <> '{Status.DRAFT}' AND r.received_on IS NOT NULL AND ({where})
        ON CONFLICT (request_id) DO UPDATE SET
            team_id = EXCLUDED.team_id, procedure_id = EXCLUDED.procedure_id,
            channel = EXCLUDED.channel, status = EXCLUDED.status,
            received_on = EXCLUDED.received_on, decided_on = EXCLUDED.decided_on,
            implicit = EXCLUDED.implicit, accepted = EXCLUDED.accepted,
            waiting_days = EXCLUDED.waiting_days, processing_days = EXCLUDED.processing_days,
            within_delay = EXCLUDED.within_delay
    """


OPEN_SQL = _in(OPEN_STATES)
