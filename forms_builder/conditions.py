"""Conditions: when a field or a page is shown.

    {"field": "<id>", "op": "equals" | "not_equals" | "contains" | "empty" | "not_empty",
     "value": ...}                     # no "value" for empty / not_empty
    {"all": [<condition>, ...]}        # every one holds
    {"any": [<condition>, ...]}        # at least one holds

They read the *cleaned* answers of fields shown before: a hidden field counts as unanswered.
`equals`, `not_equals` and `contains` need an answer: "differs from « Autre »" does not hold
while the question is unanswered. Numbers compare as numbers (12 equals "12.0"), a yes/no as
true or false, `contains` finds an option among the boxes ticked, or a text in a text
(ignoring case). An answer of "no" (false) is not empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .fields import FIELD_TYPES
from .fields.base import is_number
from .fields.numbers import to_decimal

OPS_WITH_VALUE = ("equals", "not_equals", "contains")
OPS = (*OPS_WITH_VALUE, "empty", "not_empty")


def is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _equal(answer: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(answer, bool):
        return answer is expected
    if is_number(expected):
        number = to_decimal(answer)
        return number is not None and number == Decimal(str(expected))
    return answer == expected


def _holds(leaf: dict, answers: Mapping) -> bool:
    answer, op, expected = answers.get(leaf["field"]), leaf["op"], leaf.get("value")
    if op in ("empty", "not_empty"):
        return is_empty(answer) == (op == "empty")
    if is_empty(answer):
        return False
    if op == "equals":
        return _equal(answer, expected)
    if op == "not_equals":
        return not _equal(answer, expected)
    if isinstance(answer, list):  # contains
        return expected in answer
    return str(expected).casefold() in str(answer).casefold()


def evaluate(condition: dict | None, answers: Mapping) -> bool:
    """Whether the condition holds for these answers (no condition always holds)."""
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers) for part in condition["any"])
    return _holds(condition, answers)


def partial(condition: dict | None, answers: Mapping, decided: Callable[[str], bool]) -> Any:
    """Evaluate what can be on the fields `decided` says are known; return True, False, or the
    condition left on the others (a page's own fields, which the browser evaluates live)."""
    if condition is None:
        return True
    for key, stops_at in (("all", False), ("any", True)):
        if key in condition:
            rest = []
            for part in condition[key]:
                outcome = partial(part, answers, decided)
                if outcome is stops_at:
                    return stops_at
                if outcome is not (not stops_at):
                    rest.append(outcome)
            if not rest:
                return not stops_at
            return rest[0] if len(rest) == 1 else {key: rest}
    return _holds(condition, answers) if decided(condition["field"]) else condition


def referenced_fields(condition: dict | None) -> list[str]:
    if not condition:
        return []
    for key in ("all", "any"):
        if key in condition:
            return [f for part in condition[key] for f in referenced_fields(part)]
    return [condition["field"]]


def check(
    condition: Any, *, before: Mapping[str, dict], known: Mapping[str, dict], page: bool
) -> list[str]:
    """What is wrong with a condition (French, for the administrator). `before` holds the fields
    it may refer to, `known` every field of the schema."""
    if not isinstance(condition, dict):
        return [_("une condition doit être un objet.")]
    for key in ("all", "any"):
        if key in condition:
            parts = condition[key]
            if set(condition) != {key} or not isinstance(parts, list) or not parts:
                return [
                    _("« %(key)s » doit être seul, avec une liste de conditions.") % {"key": key}
                ]
            return [e for part in parts for e in check(part, before=before, known=known, page=page)]
    keys, op = set(condition), condition.get("op")
    if not {"field", "op"} <= keys or not keys <= {"field", "op", "value"}:
        return [_("une condition a « field », « op » et, selon l'opérateur, « value ».")]
    if op not in OPS:
        return [_("opérateur inconnu « %(op)s » (%(ops)s).") % {"op": op, "ops": ", ".join(OPS)}]
    if (op in OPS_WITH_VALUE) != ("value" in condition):
        if op in OPS_WITH_VALUE:
            return [_("l'opérateur « %(op)s » demande une valeur (« value »).") % {"op": op}]
        return [_("l'opérateur « %(op)s » ne prend pas de valeur.") % {"op": op}]
    target = condition["field"]
    if not isinstance(target, str) or target not in known:
        return [_("la condition porte sur un champ inconnu « %(field)s ».") % {"field": target}]
    if target not in before:
        if page:
            message = _(
                "la condition d'une page ne peut porter que sur un champ d'une page "
                "précédente, pas sur « %(field)s »."
            )
        else:
            message = _(
                "la condition porte sur « %(field)s », qui n'est pas demandé avant : une "
                "condition ne peut dépendre que d'une réponse déjà donnée."
            )
        return [message % {"field": target}]
    field = known[target]
    field_type = FIELD_TYPES[field["type"]]
    if op not in field_type.condition_ops:
        message = _("l'opérateur « %(op)s » ne s'applique pas à un champ de type « %(type)s ».")
        return [message % {"op": op, "type": field["type"]}]
    if op in OPS_WITH_VALUE:
        problem = field_type.check_condition_value(field, op, condition["value"])
        if problem:
            return [problem]
    return []


def describe(condition: dict, fields: Mapping[str, dict]) -> str:
    """The condition in French, to complete "À remplir seulement si …"."""
    for key, joiner in (("all", _(" et ")), ("any", _(" ou "))):
        if key in condition:
            return joiner.join(describe(part, fields) for part in condition[key])
    field = fields[condition["field"]]
    label, op = field["label"], condition["op"]
    if op == "empty":
        return _("vous n'avez pas répondu à « %(label)s »") % {"label": label}
    if op == "not_empty":
        return _("vous avez répondu à « %(label)s »") % {"label": label}
    shown = FIELD_TYPES[field["type"]].display(field, _as_answer(field, condition["value"]))[0]
    values = {"label": label, "value": shown}
    if op == "equals":
        return _("vous avez répondu « %(value)s » à « %(label)s »") % values
    if op == "not_equals":
        return _("votre réponse à « %(label)s » n'est pas « %(value)s »") % values
    if field["type"] == "multichoice":
        return _("vous avez coché « %(value)s » à « %(label)s »") % values
    return _("votre réponse à « %(label)s » contient « %(value)s »") % values


def _as_answer(field: dict, value: Any) -> Any:
    return [value] if field["type"] == "multichoice" else value
