"""A request's legal dates, drawn for its final status: receipt, pieces asked and received,
the decision due date (`service_requests.deadlines`, the one source of legal dates), the
decision, the day its story ends.

Open requests under a silence rule are recent: their due dates fall on both sides of today, a
share of them past due (what the implicit-decision sweep works on). Open requests without one
(reports, questions) form a backlog that fades over months. Closed requests spread over five
years, more in recent ones; an express decision comes before the due date, an implicit one on
it. With ~17 % of requests open, as asked, the last months receive more requests than the
average month: at about 20,000 a month, requests received recently and still open cannot make
up 17 % of five years otherwise.
"""

import random
from dataclasses import dataclass
from datetime import date

from service_requests.deadlines import implicit_decision_date
from service_requests.models import Status

DRAFT, SUBMITTED, IN_REVIEW = Status.DRAFT.value, Status.SUBMITTED.value, Status.IN_REVIEW.value
AWAITING, CLOSED, WITHDRAWN = (
    Status.AWAITING_CITIZEN.value,
    Status.CLOSED.value,
    Status.WITHDRAWN.value,
)
ACCEPTED, REJECTED = Status.ACCEPTED.value, Status.REJECTED.value
PARTIALLY_ACCEPTED = Status.PARTIALLY_ACCEPTED.value
ACCEPTED_IMPLICITLY = Status.ACCEPTED_IMPLICITLY.value
REJECTED_IMPLICITLY = Status.REJECTED_IMPLICITLY.value
OPEN = frozenset({SUBMITTED, IN_REVIEW, AWAITING})
IMPLICIT_STATES = frozenset({ACCEPTED_IMPLICITLY, REJECTED_IMPLICITLY})
EXPRESS_STATES = frozenset({ACCEPTED, PARTIALLY_ACCEPTED, REJECTED, CLOSED})
PAST_DUE_SHARE = 0.15  # of open requests under a silence rule
BACKLOG_DAYS = 120  # mean age of open requests without one


def day(ordinal: int | None) -> date | None:
    return None if ordinal is None else date.fromordinal(ordinal)


@dataclass
class LegalDates:
    """Days as ordinals. `docs` is (asked, answered or None, deadline) or None."""

    received: int
    docs: tuple | None
    first_due: int | None  # before any piece was asked
    asked_due: int | None  # while the pieces were awaited (None for an acceptance clock)
    due: int | None
    decided: int | None
    end: int  # the story's last day: the decision, the withdrawal, or today


def draw(rng: random.Random, today: int, status: str, procedure, delay_days: int,
         final_age: int) -> LegalDates:  # fmt: skip
    """`final_age`: how old a closed request is (days), drawn by the caller."""
    rule = procedure.rule
    if status in OPEN:
        if rule == "none":  # a backlog that fades over months: reports, questions
            age = min(int(rng.expovariate(1 / BACKLOG_DAYS)), 730)
        elif rng.random() < PAST_DUE_SHARE:
            age = delay_days + 1 + rng.randrange(60)
        else:
            age = rng.randrange(delay_days)
    else:
        age = max(final_age, delay_days + 2) if status in IMPLICIT_STATES else final_age
    received = today - age

    docs = None
    if status == AWAITING:
        asked = received + rng.randrange(min(age, 15) + 1)
        docs = (asked, None, asked + rng.choice((15, 30, 30)))
    elif (
        (status == IN_REVIEW or status in EXPRESS_STATES)
        and procedure.kind in ("decision", "grant")
        and age >= 4
        and rng.random() < 0.2
    ):
        asked = received + 1 + rng.randrange(min(10, age - 2))
        answered = asked + 1 + rng.randrange(20)
        if answered <= today:
            docs = (asked, answered, asked + 30)

    first_due = asked_due = due = None
    if rule != "none":
        first_due = due = _due(procedure, received, None)
        if docs:
            due = _due(procedure, received, docs)
            asked_due = _due(procedure, received, (docs[0], None, docs[2]))
    if status in IMPLICIT_STATES:
        while due is None or due > today:  # month arithmetic: move receipt back until born
            received -= (due or today) - today + 1
            first_due = due = _due(procedure, received, None)

    decided, end = None, today
    floor = docs[1] if docs else received
    if status in EXPRESS_STATES:
        # Most are decided well before the due date, a few in its last week.
        span = min(60, delay_days) if procedure.kind in ("decision", "grant") else 20
        decided = min(today, floor + int(span * rng.random() ** 2))
        if due is not None and decided >= due:
            decided = max(floor, due - 1 - rng.randrange(7))
        end = decided
    elif status in IMPLICIT_STATES:
        decided = end = due
    elif status == WITHDRAWN:
        end = min(today, received + rng.randrange(30))
    return LegalDates(received, docs, first_due, asked_due, due, decided, end)


def _due(procedure, received: int, docs: tuple | None) -> int | None:
    due = implicit_decision_date(
        received_on=day(received),
        rule=procedure.rule,
        delay=procedure.delay,
        document_requests=[tuple(map(day, docs))] if docs else (),
    )
    return None if due is None else due.toordinal()
