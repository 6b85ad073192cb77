"""Routing rules: conditions on the answers (a field, or a part of an address such as its
commune, compared without case or accents), postcode prefixes, first match by priority, and
the `routed` event's reason."""

import pytest

from service_requests.models import RoutingRule
from service_requests.routing import route, routed_payload, rule_matches
from tests.factories import ProcedureFactory, TeamFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "nature": "eclairage",
    "adresse": {"street": "3 rue des Lilas", "postcode": "35200", "city": "Rennes"},
}


@pytest.mark.parametrize(
    ("conditions", "prefixes", "matches"),
    [
        ({"nature": "eclairage"}, [], True),
        ({"nature": "nid-de-poule"}, [], False),
        ({"adresse.city": "RENNES"}, [], True),
        ({"adresse.city": "Saint-Malo"}, [], False),
        ({"adresse.city": "rennes", "nature": "eclairage"}, ["352"], True),
        ({}, ["350"], False),
        ({"adresse.nowhere": "x"}, [], False),
        ({"nature.city": "x"}, [], False),  # not an address: no part to read
    ],
)
def test_rule_conditions(conditions, prefixes, matches):
    rule = RoutingRule(answer_conditions=conditions, postcode_prefixes=prefixes)
    assert rule_matches(rule, ANSWERS) is matches


def test_accents_and_hyphens_do_not_matter_for_a_commune():
    rule = RoutingRule(answer_conditions={"adresse.city": "Saint-Étienne"})
    assert rule_matches(rule, {"adresse": {"city": "saint etienne"}})


def test_first_active_rule_by_priority_then_the_default_team_and_the_reason():
    procedure = ProcedureFactory()
    south, north = TeamFactory(name="Secteur sud"), TeamFactory(name="Secteur nord")
    RoutingRule.objects.create(
        name="Rennes sud", procedure=procedure, priority=20, team=south,
        answer_conditions={"adresse.city": "Rennes"},
    )  # fmt: skip
    first = RoutingRule.objects.create(
        name="Éclairage", procedure=procedure, priority=10, team=north,
        answer_conditions={"nature": "eclairage"},
    )  # fmt: skip
    team, rule = route(procedure, ANSWERS)
    assert (team, rule) == (north, first)
    payload = routed_payload(team, rule)
    assert payload["reason"] == "Règle « Éclairage » : nature = eclairage."
    team, rule = route(procedure, {"nature": "autre"})
    assert (team, rule) == (procedure.default_team, None)
    assert "équipe par défaut" in routed_payload(team, rule)["reason"]
