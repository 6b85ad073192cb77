"""Routing: which team a request goes to. Rules (edited in the admin) name a procedure or
all, conditions on the answers (the nature of a report, the commune of an address) and
postcode prefixes (the place); the first active rule that matches, by priority, wins, else the
procedure's default team. The `routed` event says which rule matched and why."""

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from forms_builder.models import Procedure
from gru.models import Team
from service_requests.models import RoutingRule


def _matches_answer(answer: Any, expected: Any) -> bool:
    if isinstance(answer, list):
        return expected in answer
    if isinstance(answer, bool) or isinstance(expected, bool):
        return answer is expected
    if isinstance(answer, str) and isinstance(expected, str):
        return _same_words(answer, expected)
    return answer == expected or str(answer) == str(expected)


def _answer_at(data: Mapping[str, Any], path: str) -> Any:
    """The answer a condition names: a field id, or `field.key` for a part of an address
    answer (`adresse.city`, `adresse.postcode`)."""
    field, _, key = path.partition(".")
    answer = data.get(field)
    if key:
        return answer.get(key) if isinstance(answer, dict) else None
    return answer


def _same_words(a: str, b: str) -> bool:
    """Communes and other free text compare without case, accents or hyphens."""

    def fold(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return " ".join(text.replace("-", " ").replace("'", " ").lower().split())

    return fold(a) == fold(b)


def _postcodes(data: Mapping[str, Any]) -> list[str]:
    return [
        value["postcode"]
        for value in data.values()
        if isinstance(value, dict) and isinstance(value.get("postcode"), str)
    ]


def rule_matches(rule: RoutingRule, data: Mapping[str, Any]) -> bool:
    """Every answer condition holds (field, or `field.key` of an address → expected value; a
    multiple choice contains it; text compared without case or accents), and, when the rule
    names postcode prefixes, an address of the answers starts with one."""
    conditions = rule.answer_conditions or {}
    if not all(_matches_answer(_answer_at(data, f), value) for f, value in conditions.items()):
        return False
    prefixes = [str(prefix) for prefix in rule.postcode_prefixes or []]
    if prefixes:
        return any(code.startswith(tuple(prefixes)) for code in _postcodes(data))
    return True


def routed_payload(team: Team, rule: RoutingRule | None) -> dict:
    """The `routed` event's payload: the team, the rule that matched and why, in French."""
    if rule is None:
        reason = "Aucune règle d'orientation ne s'applique : équipe par défaut de la démarche."
    else:
        reason = f"Règle « {rule.name} » : {rule_description(rule)}."
    return {
        "team": team.pk,
        "team_name": team.name,
        "rule": rule.pk if rule else None,
        "rule_name": rule.name if rule else "",
        "reason": reason,
    }


def rule_description(rule: RoutingRule) -> str:
    """What a rule checks, as an agent reads it."""
    parts = [f"{field} = {value}" for field, value in (rule.answer_conditions or {}).items()]
    if rule.postcode_prefixes:
        prefixes = ", ".join(str(prefix) for prefix in rule.postcode_prefixes)
        parts.append(f"code postal commençant par {prefixes}")
    if rule.procedure_id is None:
        parts.append("toutes démarches")
    return " et ".join(parts) or "s'applique à toute demande de la démarche"


def route(procedure: Procedure, data: Mapping[str, Any]) -> tuple[Team, RoutingRule | None]:
    """The team in charge: the first active rule (lowest priority number) of this procedure
    or of all procedures that matches, else the procedure's default team."""
    rules = (
        RoutingRule.objects.filter(is_active=True, team__is_active=True)
        .filter(Q(procedure=procedure) | Q(procedure__isnull=True))
        .select_related("team")
        .order_by("priority", "id")
    )
    for rule in rules:
        if rule_matches(rule, data):
            return rule.team, rule
    return procedure.default_team, None
