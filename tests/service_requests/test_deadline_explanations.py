"""`explain_decision_date` gives the same day as `implicit_decision_date` (one computation) and
says why, in French: LEGAL.md's worked examples, table-driven."""

from datetime import date as D

import pytest

from service_requests.deadlines import explain_decision_date, implicit_decision_date

CASES = [
    (
        "acceptance", "P2M", [], D(2023, 7, 16),
        ["Reçue le 15 mai 2023 ; délai de 2 mois, le silence vaut acceptation.",
         "Le délai s'achève le 15 juillet 2023 : acceptation le 16 juillet 2023."],
    ),
    (
        "acceptance", "P2M", [(D(2023, 5, 20), D(2023, 5, 25), D(2023, 6, 5))], D(2023, 7, 26),
        ["Reçue le 15 mai 2023 ; délai de 2 mois, le silence vaut acceptation.",
         "Pièces demandées le 20 mai 2023, reçues le 25 mai 2023 : le délai repart de zéro le "
         "25 mai 2023 (L114-5).",
         "Le délai s'achève le 25 juillet 2023 : acceptation le 26 juillet 2023."],
    ),
    (
        "rejection", "P2M", [(D(2023, 5, 20), D(2023, 5, 25), D(2023, 6, 5))], D(2023, 7, 22),
        ["Reçue le 15 mai 2023 ; délai de 2 mois, le silence vaut rejet.",
         "Délai suspendu du 20 mai 2023 au 25 mai 2023 (6 jours), jusqu'à leur réception "
         "(L114-5).",
         "Le délai s'achève le 21 juillet 2023 : rejet le 22 juillet 2023."],
    ),
    (
        "rejection", "P30D", [(D(2023, 5, 20), None, D(2023, 5, 21))], D(2023, 6, 17),
        ["Reçue le 15 mai 2023 ; délai de 30 jours, le silence vaut rejet.",
         "Délai suspendu du 20 mai 2023 au 21 mai 2023 (2 jours), jusqu'à la date limite donnée "
         "pour les envoyer (L114-5).",
         "Le délai s'achève le 16 juin 2023 : rejet le 17 juin 2023."],
    ),
    (
        "acceptance", "P8W", [(D(2023, 5, 20), None, D(2023, 6, 5))], None,
        ["Reçue le 15 mai 2023 ; délai de 8 semaines, le silence vaut acceptation.",
         "Pièces demandées le 20 mai 2023, pas encore reçues : le délai ne court pas tant "
         "qu'elles manquent (L114-5)."],
    ),
    ("none", "", [], None, ["Pas de décision implicite pour cette démarche."]),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "delay", "requests", "due", "steps"), CASES)
def test_the_explanation_and_the_date(rule, delay, requests, due, steps):
    received = D(2023, 5, 15)
    got_due, got_steps = explain_decision_date(
        received_on=received, rule=rule, delay=delay, document_requests=requests
    )
    assert (
        got_due
        == due
        == implicit_decision_date(
            received_on=received, rule=rule, delay=delay, document_requests=requests
        )
    )
    assert got_steps == steps


def test_the_first_of_the_month_reads_premier():
    _due, steps = explain_decision_date(received_on=D(2024, 1, 1), rule="acceptance", delay="P1M")
    assert steps[0].startswith("Reçue le 1er janvier 2024")
