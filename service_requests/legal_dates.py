"""Legal dates in plain French for the citizen: what silence will mean and on which day
(« Sans réponse de notre part, votre demande sera acceptée le 7 février 2027. »), and why
that day when it moved (« le délai a été suspendu du … au … en attendant vos pièces »).

The days come from `deadlines` (the one computation every legal date comes from); this module
only words them, for the tracking page, « Mon espace », the confirmation page and the emails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from forms_builder.models import SilenceRule
from service_requests.deadlines import decision_date_changes
from service_requests.models import OPEN_STATES, DocumentRequest, ServiceRequest, Status
from service_requests.selectors import delay_label


def french_day(day: date) -> str:
    """« 7 février 2027 », « 1er mars 2027 »."""
    with translation.override("fr"):
        text = formats.date_format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


OUTCOME_WORDS = {SilenceRule.ACCEPTANCE: "acceptée", SilenceRule.REJECTION: "rejetée"}


def implicit_decision_sentence(
    rule: str,
    decision_on: date | None,
    delay: str = "",
    *,
    today: date | None = None,
    awaiting_pieces: bool = False,
    reopened: bool = False,
) -> str:
    """What silence will mean for an open request, in one sentence: the one place it is worded.

    `decision_on` is the first day the implicit decision holds (the stored decision date);
    None for a procedure without one, an acceptance waiting for pieces (`awaiting_pieces`) or a
    request `reopened` after its decision. `today` (the local day by default) turns the future
    into « depuis le … » once the day has come and the sweep has not recorded it yet."""
    with translation.override("fr"):
        word = OUTCOME_WORDS.get(rule)
        if word is None:
            return _(
                "Cette démarche n'appelle pas de décision implicite : le service vous informera "
                "de la suite donnée à votre demande."
            )
        if reopened:
            return _(
                "Votre demande a été rouverte après sa décision : il n'y aura pas de nouvelle "
                "décision implicite, le service vous répondra."
            )
        if decision_on is None:
            if awaiting_pieces or rule == SilenceRule.ACCEPTANCE:
                return _(
                    "Sans réponse de notre part, votre demande sera %(word)s %(delay)s après la "
                    "réception des pièces demandées."
                ) % {"word": word, "delay": delay_label(delay)}
            return _(
                "Le service vous informera de la date à laquelle votre demande sera %(word)s "
                "sans réponse de sa part."
            ) % {"word": word}
        today = today or timezone.localdate()
        if decision_on <= today:
            return _(
                "Sans réponse de notre part, votre demande est %(word)s depuis le %(day)s."
            ) % {"word": word, "day": french_day(decision_on)}
        return _("Sans réponse de notre part, votre demande sera %(word)s le %(day)s.") % {
            "word": word,
            "day": french_day(decision_on),
        }


def due_date_reasons(
    *,
    received_on: date,
    rule: str,
    delay: str,
    document_requests: Iterable[DocumentRequest],
    today: date | None = None,
) -> list[str]:
    """Why the decision date is not the receipt plus the delay, one sentence per cause."""
    if rule not in OUTCOME_WORDS or received_on is None:
        return []
    today = today or timezone.localdate()
    _due, facts = decision_date_changes(
        received_on=received_on,
        rule=rule,
        delay=delay,
        document_requests=[item.as_deadline_input() for item in document_requests],
    )
    reasons = []
    with translation.override("fr"):
        for fact in facts:
            if fact[0] == "suspended":
                _kind, first, last, received = fact
                if received:
                    text = _(
                        "Le délai a été suspendu du %(first)s au %(last)s en attendant vos pièces."
                    )
                elif last < today:
                    text = _(
                        "Le délai a été suspendu du %(first)s au %(last)s, date limite donnée "
                        "pour envoyer vos pièces."
                    )
                else:
                    text = _(
                        "Le délai est suspendu du %(first)s au %(last)s au plus tard en "
                        "attendant vos pièces : il reprend dès leur réception."
                    )
                reasons.append(text % {"first": french_day(first), "last": french_day(last)})
            elif fact[0] == "restarted":
                _kind, asked_on, start = fact
                reasons.append(
                    _(
                        "Le délai est reparti de zéro le %(start)s, à la réception des pièces "
                        "demandées le %(asked)s."
                    )
                    % {"start": french_day(start), "asked": french_day(asked_on)}
                )
            elif fact[0] == "waiting":
                reasons.append(
                    _(
                        "Le délai ne court pas tant que les pièces demandées le %(asked)s ne "
                        "sont pas reçues."
                    )
                    % {"asked": french_day(fact[1])}
                )
    return reasons


@dataclass
class DueDateText:
    """An open request's legal date for the citizen: the sentence and why that day."""

    sentence: str
    reasons: list[str] = field(default_factory=list)


def due_date_text(
    request: ServiceRequest,
    document_requests: Iterable[DocumentRequest] | None = None,
    *,
    today: date | None = None,
) -> DueDateText | None:
    """The sentence of an open request (None once it ended), with the reasons when its
    document requests are given (the tracking page reads them; lists do not)."""
    if request.status not in OPEN_STATES:
        return None
    version = request.form_version
    sentence = implicit_decision_sentence(
        version.silence_rule,
        request.decision_due_on,
        version.silence_delay,
        today=today,
        awaiting_pieces=request.status == Status.AWAITING_CITIZEN,
        reopened=request.implicit_decision_triggered_at is not None,
    )
    reasons = []
    if document_requests is not None and request.implicit_decision_triggered_at is None:
        reasons = due_date_reasons(
            received_on=request.received_on,
            rule=version.silence_rule,
            delay=version.silence_delay,
            document_requests=document_requests,
            today=today,
        )
    return DueDateText(sentence=sentence, reasons=reasons)
