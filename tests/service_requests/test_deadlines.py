"""Implicit decision dates (LEGAL.md §1). Every expected date is worked out by hand from the rules;
the comments give the sum where it is not obvious."""

import random
from datetime import date, datetime, timedelta

import pytest

from service_requests.deadlines import add_delay, implicit_decision_date, parse_delay


def d(text: str) -> date:
    return date.fromisoformat(text)


RECEIVED = d("2023-05-15")  # LEGAL.md's examples; P2M ends 07-15, holds from 07-16


@pytest.mark.parametrize(
    ("received_on", "delay", "expected"),
    [
        # LEGAL.md examples.
        pytest.param("2023-05-15", "P2M", "2023-07-16", id="legal-2-months"),
        pytest.param("2023-05-15", "P30D", "2023-06-15", id="legal-30-days"),
        pytest.param("2023-05-15", "P8W", "2023-07-11", id="legal-8-weeks"),
        # One of each unit, the smallest.
        pytest.param("2023-05-15", "P1D", "2023-05-17", id="1-day"),  # ends 05-16
        pytest.param("2023-05-15", "P1W", "2023-05-23", id="1-week"),  # ends 05-22
        pytest.param("2023-05-15", "P1M", "2023-06-16", id="1-month"),
        pytest.param("2023-05-15", "P4M", "2023-09-16", id="4-months"),  # outside opinion
        # Month ends: the day number does not exist, the last day of the month ends the delay.
        pytest.param("2023-01-31", "P1M", "2023-03-01", id="jan31-1m-ends-feb28"),
        pytest.param("2024-01-31", "P1M", "2024-03-01", id="jan31-1m-leap-ends-feb29"),
        pytest.param("2024-01-28", "P1M", "2024-02-29", id="jan28-1m-leap-holds-feb29"),
        pytest.param("2023-08-31", "P1M", "2023-10-01", id="aug31-1m-ends-sep30"),
        pytest.param("2023-10-31", "P4M", "2024-03-01", id="oct31-4m-ends-feb29"),
        # Quantième à quantième, not "end of month to end of month": Feb 28 + 1 month is Mar 28.
        pytest.param("2023-02-28", "P1M", "2023-03-29", id="feb28-1m-ends-mar28"),
        # Year boundary and leap years.
        pytest.param("2023-12-31", "P2M", "2024-03-01", id="dec31-2m-ends-feb29-leap"),
        pytest.param("2022-12-31", "P2M", "2023-03-01", id="dec31-2m-ends-feb28"),
        pytest.param("2023-11-30", "P3M", "2024-03-01", id="nov30-3m-ends-feb29-leap"),
        pytest.param("2022-11-30", "P3M", "2023-03-01", id="nov30-3m-ends-feb28"),
        pytest.param("2023-11-15", "P2M", "2024-01-16", id="nov15-2m-over-new-year"),
        pytest.param("2024-02-29", "P12M", "2025-03-01", id="feb29-12m-ends-feb28"),
        pytest.param("2000-01-15", "P999M", "2083-04-16", id="999-months"),  # 83 years 3 months
        # Days and weeks are calendar days, receipt day not counted.
        pytest.param(
            "2023-12-15", "P30D", "2024-01-15", id="30d-over-new-year"
        ),  # 16+14: ends 01-14
        pytest.param("2023-12-01", "P8W", "2024-01-27", id="8w-over-new-year"),  # 56=30+26: 01-26
        pytest.param("2024-02-15", "P30D", "2024-03-17", id="30d-over-feb29"),  # 14+16: ends 03-16
        pytest.param("2023-02-15", "P30D", "2023-03-18", id="30d-over-feb28"),  # 13+17: ends 03-17
        # No shift: 2023-07-16 above is a Sunday; this one is born on 14 July, a holiday.
        pytest.param("2023-05-13", "P2M", "2023-07-14", id="no-weekend-or-holiday-shift"),
    ],
)
@pytest.mark.parametrize("rule", ["acceptance", "rejection"])
def test_without_missing_pieces(rule, received_on, delay, expected):
    got = implicit_decision_date(received_on=d(received_on), rule=rule, delay=delay)
    assert got == d(expected)


@pytest.mark.parametrize(
    ("delay", "requests"),
    [
        pytest.param("P2M", (), id="with-delay"),
        pytest.param("", (), id="empty-delay"),
        pytest.param("P2Y", (), id="delay-not-even-read"),
        pytest.param("P2M", [(d("2023-05-20"), None, d("2023-06-15"))], id="with-requests"),
    ],
)
def test_rule_none_never_gives_a_date(delay, requests):
    got = implicit_decision_date(
        received_on=RECEIVED, rule="none", delay=delay, document_requests=requests
    )
    assert got is None


# (asked_on, answered_on, answer_deadline) as text, "" for not answered yet.
def requests_of(*rows: tuple[str, str, str]) -> list[tuple[date, date | None, date]]:
    return [(d(asked), d(answered) if answered else None, d(due)) for asked, answered, due in rows]


def in_2023(rows: list[tuple[str, str, str]]) -> list[tuple[date, date | None, date]]:
    """The same from "MM-DD" texts, the year of RECEIVED."""
    return requests_of(*(tuple(f"2023-{day}" if day else "" for day in row) for row in rows))


@pytest.mark.parametrize(
    ("delay", "rows", "expected"),
    [
        pytest.param("P2M", [("05-20", "05-25", "06-15")], "07-26", id="legal-restarts-05-25"),
        pytest.param("P2M", [("05-20", "", "06-15")], None, id="waiting-for-pieces"),
        # The deadline passed but the pieces never came: still no decision (L114-5).
        pytest.param("P2M", [("05-20", "", "05-31")], None, id="waiting-past-deadline"),
        # Pieces sent late (06-20, deadline 05-31): the clock restarts on 06-20 all the same.
        pytest.param("P2M", [("05-20", "06-20", "05-31")], "08-21", id="late-pieces-restart"),
        pytest.param("P30D", [("05-20", "05-25", "06-15")], "06-25", id="30d-restart"),  # 6+24
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("06-01", "06-10", "06-30")],
            "08-11",  # from the last answer: 06-10 + 2 months = 08-10
            id="two-requests-restart-from-last",
        ),
        pytest.param(
            "P2M",
            [("06-01", "06-10", "06-30"), ("05-20", "05-25", "06-15")],
            "08-11",
            id="two-requests-given-out-of-order",
        ),
        # Asked 05-25 before the first answer (06-10) but answered earlier: latest answer wins.
        pytest.param(
            "P2M",
            [("05-20", "06-10", "06-30"), ("05-25", "06-01", "06-30")],
            "08-11",
            id="overlapping-requests-latest-answer",
        ),
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("06-01", "", "06-30")],
            None,
            id="second-request-unanswered",
        ),
        # 07-20 is after the first birth day (07-16) but before the one moved to 07-26: counts.
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("07-20", "07-22", "08-01")],
            "09-23",
            id="second-request-before-moved-birth",
        ),
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("07-26", "", "08-15")],
            "07-26",
            id="second-request-on-moved-birth-ignored",
        ),
        pytest.param("P2M", [("07-16", "", "08-01")], "07-16", id="asked-on-birth-day-ignored"),
        pytest.param("P2M", [("07-20", "07-25", "08-01")], "07-16", id="asked-after-birth-ignored"),
        # 07-15 is the delay's last day: no decision yet, the clock restarts from 07-20.
        pytest.param("P2M", [("07-15", "07-20", "08-01")], "09-21", id="asked-on-last-day"),
        pytest.param("P2M", [("05-15", "05-15", "05-31")], "07-16", id="asked-on-receipt-same-day"),
        pytest.param("P2M", [("05-15", "06-30", "07-15")], "08-31", id="asked-on-receipt-day"),
    ],
)
def test_acceptance_with_missing_pieces(delay, rows, expected):
    got = implicit_decision_date(
        received_on=RECEIVED, rule="acceptance", delay=delay, document_requests=in_2023(rows)
    )
    assert got == (d(f"2023-{expected}") if expected else None)


@pytest.mark.parametrize(
    ("delay", "rows", "expected"),
    [
        # 05-20..05-25 is 6 days: 07-16 + 6.
        pytest.param("P2M", [("05-20", "05-25", "06-15")], "07-22", id="legal-suspended-6-days"),
        pytest.param("P2M", [("05-20", "05-20", "06-15")], "07-17", id="answered-same-day-1-day"),
        pytest.param("P2M", [("05-20", "05-31", "05-31")], "07-28", id="answered-on-deadline"),
        # Answer after the deadline: suspension stops at the deadline, 05-20..05-31 = 12 days.
        pytest.param("P2M", [("05-20", "06-10", "05-31")], "07-28", id="answered-after-deadline"),
        pytest.param("P2M", [("05-20", "", "05-31")], "07-28", id="unanswered-deadline-passed"),
        # 05-20..06-19 = 12 + 19 = 31 days; 07-16 + 31 = 08-16.
        pytest.param("P2M", [("05-20", "", "06-19")], "08-16", id="unanswered-to-deadline"),
        pytest.param("P30D", [("05-20", "05-25", "06-01")], "06-21", id="30d-suspended-6-days"),
        # 6 days + 3 days (06-01..06-03).
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("06-01", "06-03", "06-15")],
            "07-25",
            id="two-requests-sum",
        ),
        pytest.param(
            "P2M",
            [("06-01", "06-03", "06-15"), ("05-20", "05-25", "06-15")],
            "07-25",
            id="two-requests-given-out-of-order",
        ),
        # 05-20..05-30 and 05-25..06-05: union 05-20..06-05 = 12 + 5 = 17 days (not 11 + 12).
        pytest.param(
            "P2M",
            [("05-20", "05-30", "06-15"), ("05-25", "06-05", "06-15")],
            "08-02",
            id="overlapping-union",
        ),
        # 05-25..05-28 lies inside 05-20..06-10 (12 + 10 = 22 days): 07-16 + 22 = 08-07.
        pytest.param(
            "P2M",
            [("05-20", "06-10", "06-30"), ("05-25", "05-28", "06-30")],
            "08-07",
            id="contained-counts-once",
        ),
        pytest.param(
            "P2M",
            [("05-20", "05-20", "06-15"), ("05-20", "05-20", "06-01")],
            "07-17",
            id="same-day-twice-counts-once",
        ),
        # Birth moved to 07-22 by the first; 07-20..07-21 adds 2 days.
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("07-20", "07-21", "08-01")],
            "07-24",
            id="second-request-before-moved-birth",
        ),
        pytest.param(
            "P2M",
            [("05-20", "05-25", "06-15"), ("07-22", "07-23", "08-01")],
            "07-22",
            id="second-request-on-moved-birth-ignored",
        ),
        pytest.param(
            "P2M", [("07-16", "07-20", "08-01")], "07-16", id="asked-on-birth-day-ignored"
        ),
        pytest.param("P2M", [("07-20", "", "08-01")], "07-16", id="asked-after-birth-ignored"),
        pytest.param("P2M", [("07-15", "07-15", "07-31")], "07-17", id="asked-on-last-day"),
        # 07-15..07-31 = 17 days: 07-16 + 17 = 08-02.
        pytest.param("P2M", [("07-15", "", "07-31")], "08-02", id="asked-on-last-day-unanswered"),
        pytest.param("P2M", [("05-15", "05-15", "06-15")], "07-17", id="asked-on-receipt-day"),
    ],
)
def test_rejection_with_missing_pieces(delay, rows, expected):
    got = implicit_decision_date(
        received_on=RECEIVED, rule="rejection", delay=delay, document_requests=in_2023(rows)
    )
    assert got == d(f"2023-{expected}")


def test_rejection_suspension_after_a_month_end():
    # 01-31 + 1 month ends 02-28, born 03-01; 02-01..02-02 suspends 2 days.
    got = implicit_decision_date(
        received_on=d("2023-01-31"),
        rule="rejection",
        delay="P1M",
        document_requests=requests_of(("2023-02-01", "2023-02-02", "2023-02-15")),
    )
    assert got == d("2023-03-03")


@pytest.mark.parametrize(
    "delay",
    ["P2Y", "P0M", "P0D", "2M", "P2m", "p2m", "", "P1M2D", "P-1M", "P1000D", "P02M", "PT2H",
     "P1.5M", " P2M", "P2M\n", "P", "M", None],
)  # fmt: skip
@pytest.mark.parametrize("rule", ["acceptance", "rejection"])
def test_malformed_delay_is_refused(rule, delay):
    with pytest.raises(ValueError, match="invalid delay"):
        implicit_decision_date(received_on=RECEIVED, rule=rule, delay=delay)


@pytest.mark.parametrize("rule", ["silence", "ACCEPTANCE", "", "sva", None])
def test_unknown_rule_is_refused(rule):
    with pytest.raises(ValueError, match="unknown silence rule"):
        implicit_decision_date(received_on=RECEIVED, rule=rule, delay="P2M")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param(("2023-05-14", "2023-05-20", "2023-06-15"), "before the request's receipt",
                     id="asked-before-received"),
        pytest.param(("2023-05-20", "2023-05-19", "2023-06-15"), "before they were asked",
                     id="answered-before-asked"),
        pytest.param(("2023-05-20", "", "2023-05-19"), "is before it",
                     id="deadline-before-asked"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("rule", ["acceptance", "rejection"])
def test_impossible_document_request_is_refused(rule, row, message):
    with pytest.raises(ValueError, match=message):
        implicit_decision_date(
            received_on=RECEIVED, rule=rule, delay="P2M", document_requests=requests_of(row)
        )


def test_a_datetime_is_not_taken_for_a_day():
    # 2023-05-14 22:30 UTC is already 05-15 in Paris: the caller must pass the local day.
    with pytest.raises(TypeError, match="must be a date"):
        implicit_decision_date(
            received_on=datetime(2023, 5, 14, 22, 30), rule="rejection", delay="P2M"
        )


@pytest.mark.parametrize(
    ("delay", "expected"),
    [("P2M", (2, "M")), ("P30D", (30, "D")), ("P8W", (8, "W")), ("P999D", (999, "D"))],
)
def test_parse_delay(delay, expected):
    assert parse_delay(delay) == expected


def test_add_delay_gives_the_last_day_of_the_delay():
    assert add_delay(RECEIVED, 2, "M") == d("2023-07-15")
    assert add_delay(RECEIVED, 30, "D") == d("2023-06-14")
    assert add_delay(RECEIVED, 8, "W") == d("2023-07-10")
    with pytest.raises(ValueError, match="invalid delay unit"):
        add_delay(RECEIVED, 2, "Y")


DELAYS = ["P2M", "P1M", "P4M", "P30D", "P8W", "P15D", "P3M"]


def random_request(rng: random.Random, received_on: date) -> tuple[date, date | None, date]:
    asked_on = received_on + timedelta(days=rng.randint(0, 150))
    answer_deadline = asked_on + timedelta(days=rng.randint(0, 60))
    answered_on = rng.choice([None, asked_on + timedelta(days=rng.randint(0, 90))])
    return asked_on, answered_on, answer_deadline


def test_rejection_is_never_earlier_and_never_later_than_the_sum_of_suspensions():
    rng = random.Random(20230515)
    for _ in range(2000):
        received_on = d("2023-01-01") + timedelta(days=rng.randint(0, 730))
        delay = rng.choice(DELAYS)
        requests = [random_request(rng, received_on) for _ in range(rng.randint(0, 4))]
        plain = implicit_decision_date(received_on=received_on, rule="rejection", delay=delay)
        got = implicit_decision_date(
            received_on=received_on, rule="rejection", delay=delay, document_requests=requests
        )
        longest = sum(
            ((due if answered is None else min(answered, due)) - asked).days + 1
            for asked, answered, due in requests
        )
        assert plain <= got <= plain + timedelta(days=longest), (received_on, delay, requests)


def test_acceptance_after_pieces_is_the_plain_delay_from_their_arrival():
    rng = random.Random(20230525)
    for _ in range(2000):
        received_on = d("2023-01-01") + timedelta(days=rng.randint(0, 730))
        delay = rng.choice(DELAYS)
        asked_on, answered_on, deadline = random_request(rng, received_on)
        answered_on = answered_on or asked_on
        plain = implicit_decision_date(received_on=received_on, rule="acceptance", delay=delay)
        got = implicit_decision_date(
            received_on=received_on,
            rule="acceptance",
            delay=delay,
            document_requests=[(asked_on, answered_on, deadline)],
        )
        if asked_on < plain:
            from_pieces = implicit_decision_date(
                received_on=answered_on, rule="acceptance", delay=delay
            )
            assert got == from_pieces, (received_on, delay, asked_on, answered_on)
        else:
            assert got == plain, (received_on, delay, asked_on, answered_on)
