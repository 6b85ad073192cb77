"""The SVA risk radar: buckets, blockers and implicit decisions born, computed by hand on the
dataset of conftest.py and compared with the selectors."""

import pytest

from pilotage import radar
from service_requests.models import ServiceRequest, Status
from tests.pilotage.conftest import TODAY, D

pytestmark = pytest.mark.django_db


def test_the_dataset_has_the_dates_worked_out_by_hand(dataset):
    due = {name: dataset[name].decision_due_on for name in ("a1", "a2", "a3", "a4", "a5", "b1")}
    assert due == {
        "a1": D(2026, 3, 8),
        "a2": D(2026, 3, 15),
        "a3": D(2026, 4, 1),
        "a4": D(2026, 4, 11),
        "a5": None,
        "b1": D(2026, 3, 3),
    }
    assert dataset["a6"].status == Status.REJECTED_IMPLICITLY
    assert dataset["b2"].status == Status.ACCEPTED_IMPLICITLY
    assert dataset["a3"].status == Status.AWAITING_CITIZEN
    assert dataset["a2"].status == Status.IN_REVIEW


def test_horizons_are_disjoint_and_a_passed_date_is_in_the_first():
    assert radar.horizon_of(TODAY, TODAY) == 7
    assert radar.horizon_of(D(2026, 2, 27), TODAY) == 7
    assert radar.horizon_of(D(2026, 3, 9), TODAY) == 7
    assert radar.horizon_of(D(2026, 3, 10), TODAY) == 15
    assert radar.horizon_of(D(2026, 3, 17), TODAY) == 15
    assert radar.horizon_of(D(2026, 3, 18), TODAY) == 30
    assert radar.horizon_of(D(2026, 4, 1), TODAY) == 30
    with pytest.raises(ValueError):
        radar.horizon_of(D(2026, 4, 2), TODAY)


def test_counts_per_team_and_horizon(dataset):
    result = radar.radar(ServiceRequest.objects.all(), today=TODAY)
    assert (result.start, result.end) == (D(2026, 2, 1), TODAY)
    by_team = {c.team: c for c in result.counts}
    assert list(by_team) == ["Urbanisme", "Voirie"]
    voirie, urbanisme = by_team["Voirie"], by_team["Urbanisme"]
    assert voirie.by_horizon == {7: 1, 15: 1, 30: 1}
    assert (voirie.unassigned, voirie.awaiting_citizen) == (2, 1)
    assert (voirie.accepted_implicitly, voirie.rejected_implicitly) == (0, 0)  # A6 is older
    assert urbanisme.by_horizon == {7: 1, 15: 0, 30: 0}
    assert (urbanisme.unassigned, urbanisme.awaiting_citizen) == (0, 0)
    assert (urbanisme.accepted_implicitly, urbanisme.rejected_implicitly) == (1, 0)
    assert result.total.by_horizon == {7: 2, 15: 1, 30: 1}
    assert result.total.at_risk == 4


def test_a_longer_period_counts_the_older_implicit_decision(dataset):
    result = radar.radar(ServiceRequest.objects.all(), today=TODAY, period_days=90)
    voirie = next(c for c in result.counts if c.team == "Voirie")
    assert voirie.rejected_implicitly == 1
    assert [row.reference for row in result.born] == [
        dataset["b2"].reference,
        dataset["a6"].reference,
    ]


def test_the_list_closest_first_with_assignee_and_blockers(dataset):
    rows = radar.radar(ServiceRequest.objects.all(), today=TODAY).rows
    assert [row.reference for row in rows] == [
        dataset[name].reference for name in ("b1", "a1", "a2", "a3")
    ]
    b1, a1, a2, a3 = rows
    assert (b1.horizon, b1.days_left, b1.assignee, b1.rule) == (7, 1, "Hugo Bernard", "rejet")
    assert b1.blockers == ()
    assert (a1.horizon, a1.days_left, a1.assignee) == (7, 6, "")
    assert a1.blockers == ("personne n'est chargé de la demande", "instruction non commencée")
    assert (a2.horizon, a2.assignee, a2.status) == (15, "Inès Da Silva", "En instruction")
    assert a2.blockers == ()
    assert (a3.horizon, a3.days_left, a3.rule) == (30, 30, "rejet")
    assert a3.blockers == (
        "personne n'est chargé de la demande",
        "en attente de l'usager",
        "pièces demandées, attendues avant le 12/03/2026",
    )
    assert a1.url == f"/agents/demandes/{dataset['a1'].reference}/"


def test_the_scope_cuts_to_the_teams(dataset):
    voirie_only = ServiceRequest.objects.filter(team=dataset["voirie"])
    result = radar.radar(voirie_only, today=TODAY)
    assert [c.team for c in result.counts] == ["Voirie"]
    assert {row.team for row in result.rows} == {"Voirie"}


def test_counts_only_reads_no_list(dataset, django_assert_num_queries):
    with django_assert_num_queries(3):  # at-risk counts, born counts, teams
        result = radar.radar(ServiceRequest.objects.all(), today=TODAY, with_rows=False)
    assert result.rows is None and result.born is None


def test_query_count_does_not_grow_with_the_rows(dataset, django_assert_num_queries):
    with django_assert_num_queries(5):
        radar.radar(ServiceRequest.objects.all(), today=TODAY)
    for _ in range(5):
        from tests.pilotage.conftest import _filed

        _filed(dataset["voirie"], "acceptance", "P10D", D(2026, 2, 26))
    with django_assert_num_queries(5):
        assert len(radar.radar(ServiceRequest.objects.all(), today=TODAY).rows) == 9
