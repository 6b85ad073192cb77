"""The day an implicit decision is born (CRPA, digest in LEGAL.md §1).

- Silence kept for the procedure's delay is an acceptance (L231-1, "SVA") or, by exception, a
  rejection (L231-4, "SVR"); some procedures have no implicit decision at all.
- Months count "de quantième à quantième": N months from day D end at 24:00 on the same day
  number N months later, or on the last day of that month when it has no such day. Days and weeks
  are calendar days, the receipt day not counted. The decision holds from the day after the end.
  Weekends and public holidays move nothing.
- Incomplete request (L114-5): for SVA the delay starts again from zero when the pieces arrive;
  for SVR it is suspended from the day the pieces are asked to the day they arrive or to the
  deadline given to send them, whichever comes first, both ends counted (our rule).

Pure date arithmetic, standard library only, so that the acknowledgment, the back office and the
nightly job that records implicit decisions all compute the same day.
"""

import calendar
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

RULES = ("none", "acceptance", "rejection")
# Same shape as forms_builder.models.DELAY_PATTERN, which a procedure's delay was validated with;
# repeated here so that this module stays free of Django.
_DELAY_RE = re.compile(r"P([1-9][0-9]{0,2})([DWM])")

# (asked_on, answered_on or None, answer_deadline)
DocumentRequest = tuple[date, date | None, date]


def parse_delay(delay: str) -> tuple[int, str]:
    """`(n, unit)` from an ISO 8601 duration "PnD", "PnW" or "PnM" (1 ≤ n ≤ 999), unit "D", "W"
    or "M". Anything else (years, combinations, zero, lowercase) is refused rather than guessed,
    because a wrong delay means a wrong legal date printed on an acknowledgment."""
    match = _DELAY_RE.fullmatch(delay) if isinstance(delay, str) else None
    if match is None:
        raise ValueError(
            f"invalid delay {delay!r}: expected an ISO 8601 duration PnD, PnW or PnM "
            "with 1 <= n <= 999, such as 'P2M', 'P30D' or 'P8W'"
        )
    return int(match[1]), match[2]


def add_delay(day: date, n: int, unit: str) -> date:
    """The last day of a delay of `n` units running from `day` (the decision is born the day after).

    Days and weeks: `day` itself is not counted, so 30 days from 05-15 end on 06-14. Months: the
    same day number `n` months later, clamped to the month's last day (01-31 + 1 month ends on
    02-28, or 02-29 in a leap year), as the "quantième à quantième" case law counts.
    """
    if unit == "D":
        return day + timedelta(days=n)
    if unit == "W":
        return day + timedelta(weeks=n)
    if unit == "M":
        months = day.year * 12 + day.month - 1 + n
        year, month = divmod(months, 12)
        month += 1
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    raise ValueError(f"invalid delay unit {unit!r}: expected 'D', 'W' or 'M'")


def _check_day(name: str, value: object) -> None:
    # A datetime is a date too, but an aware one taken in UTC may be on the wrong legal day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date (the local day, Europe/Paris), not {value!r}")


def _checked(received_on: date, requests: Sequence[DocumentRequest]) -> list[DocumentRequest]:
    """The requests sorted by the day the pieces were asked, after checking they make sense."""
    _check_day("received_on", received_on)
    for asked_on, answered_on, answer_deadline in requests:
        _check_day("asked_on", asked_on)
        _check_day("answer_deadline", answer_deadline)
        if answered_on is not None:
            _check_day("answered_on", answered_on)
        if asked_on < received_on:
            raise ValueError(
                f"pieces asked on {asked_on}, before the request's receipt on {received_on}"
            )
        if answered_on is not None and answered_on < asked_on:
            raise ValueError(
                f"pieces received on {answered_on}, before they were asked on {asked_on}"
            )
        if answer_deadline < asked_on:
            raise ValueError(
                f"deadline {answer_deadline} for pieces asked on {asked_on} is before it"
            )
    return sorted(requests, key=lambda request: request[0])


def implicit_decision_date(
    *,
    received_on: date,
    rule: str,
    delay: str,
    document_requests: Sequence[DocumentRequest] = (),
) -> date | None:
    """The first day on which the implicit decision holds, or None when none can arise.

    `rule` is "acceptance", "rejection" or "none" (None whatever `delay`, which may be "").
    `document_requests` are `(asked_on, answered_on or None, answer_deadline)`, in any order; they
    are taken by `asked_on`, and one asked on or after the birth day computed from the earlier ones
    changes nothing: the decision already exists.

    - Acceptance: the delay runs again in full from the latest day pieces were received. While a
      request asked before the birth day is unanswered, None, even past its answer deadline: the
      clock waits for the pieces (L114-5), and only an express decision ends such a request.
    - Rejection: the birth day moves by the number of suspended days, each request suspending from
      `asked_on` to `min(answered_on, answer_deadline)` inclusive (to the deadline if unanswered);
      a day covered by several requests counts once.

    Raises ValueError for an unknown rule, a malformed delay, or pieces asked before receipt,
    received before being asked, or due before being asked; TypeError for a datetime given as a
    day (the legal day is the local one: `timezone.localdate()`).
    """
    return _compute(received_on, rule, delay, document_requests, steps=None)


def explain_decision_date(
    *,
    received_on: date,
    rule: str,
    delay: str,
    document_requests: Sequence[DocumentRequest] = (),
) -> tuple[date | None, list[str]]:
    """The same day as `implicit_decision_date`, from the same computation, with the steps that
    led to it in French (for the agents' case screen and the citizen's page): why that date."""
    steps: list[str] = []
    return _compute(received_on, rule, delay, document_requests, steps=steps), steps


def decision_date_changes(
    *,
    received_on: date,
    rule: str,
    delay: str,
    document_requests: Sequence[DocumentRequest] = (),
) -> tuple[date | None, list[tuple]]:
    """The same day as `implicit_decision_date`, from the same computation, with what moved it
    as data, for the citizen's plain-French sentences: `("suspended", first, last, received)`
    (rejection: days added, `received` False when the deadline ended the suspension),
    `("restarted", asked_on, restart_day)` and `("waiting", asked_on)` (acceptance)."""
    facts: list[tuple] = []
    return _compute(received_on, rule, delay, document_requests, steps=None, facts=facts), facts


def _fr(day: date) -> str:
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    return f"{day.day}{'er' if day.day == 1 else ''} {months[day.month - 1]} {day.year}"


def _delay_fr(n: int, unit: str) -> str:
    word = {"D": ("jour", "jours"), "W": ("semaine", "semaines"), "M": ("mois", "mois")}[unit]
    return f"{n} {word[0] if n == 1 else word[1]}"


def _compute(received_on, rule, delay, document_requests, *, steps: list[str] | None, facts=None):
    say = steps.append if steps is not None else (lambda _text: None)
    note = facts.append if facts is not None else (lambda _fact: None)
    if rule not in RULES:
        raise ValueError(f"unknown silence rule {rule!r}: expected one of {', '.join(RULES)}")
    if rule == "none":
        say("Pas de décision implicite pour cette démarche.")
        return None
    n, unit = parse_delay(delay)
    requests = _checked(received_on, document_requests)
    one_day = timedelta(days=1)
    outcome = "acceptation" if rule == "acceptance" else "rejet"
    say(f"Reçue le {_fr(received_on)} ; délai de {_delay_fr(n, unit)}, le silence vaut {outcome}.")

    if rule == "acceptance":
        start = received_on
        for asked_on, answered_on, _deadline in requests:
            if asked_on >= add_delay(start, n, unit) + one_day:
                say(f"Pièces demandées le {_fr(asked_on)}, après la naissance de la décision.")
                break  # born already; later requests are later still
            if answered_on is None:
                note(("waiting", asked_on))
                say(
                    f"Pièces demandées le {_fr(asked_on)}, pas encore reçues : le délai ne court "
                    "pas tant qu'elles manquent (L114-5)."
                )
                return None
            # max: pieces of an earlier request may arrive after those of a later one.
            start = max(start, answered_on)
            note(("restarted", asked_on, start))
            say(
                f"Pièces demandées le {_fr(asked_on)}, reçues le {_fr(answered_on)} : le délai "
                f"repart de zéro le {_fr(start)} (L114-5)."
            )
        birth = add_delay(start, n, unit) + one_day
        say(f"Le délai s'achève le {_fr(birth - one_day)} : acceptation le {_fr(birth)}.")
        return birth

    birth = add_delay(received_on, n, unit) + one_day
    suspended_until = None  # last suspended day so far; requests come by asked_on
    for asked_on, answered_on, answer_deadline in requests:
        if asked_on >= birth:
            say(f"Pièces demandées le {_fr(asked_on)}, après la naissance de la décision.")
            break
        last = answer_deadline if answered_on is None else min(answered_on, answer_deadline)
        first = asked_on if suspended_until is None else max(asked_on, suspended_until + one_day)
        if last >= first:
            days = (last - first).days + 1
            birth += timedelta(days=days)
            suspended_until = last
            note(("suspended", first, last, answered_on is not None and answered_on <= last))
            why = (
                "jusqu'à leur réception"
                if answered_on is not None and answered_on <= (answer_deadline)
                else "jusqu'à la date limite donnée pour les envoyer"
            )
            say(
                f"Délai suspendu du {_fr(first)} au {_fr(last)} ({days} jour"
                f"{'s' if days > 1 else ''}), {why} (L114-5)."
            )
    say(f"Le délai s'achève le {_fr(birth - one_day)} : rejet le {_fr(birth)}.")
    return birth
