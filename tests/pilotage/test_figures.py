"""The dashboards' figures against the ones worked out by hand (tests/pilotage/known_dataset.py)."""

import datetime

import pytest

from pilotage.models import RequestFact
from pilotage.periods import Period, period_of
from pilotage.selectors import Scope, arrivals, backlog, contacts, decisions, satisfaction
from tests.pilotage.known_dataset import build

D = datetime.date
FEBRUARY = period_of("month", D(2026, 2, 10))
JANUARY = Period("month", D(2026, 1, 1), D(2026, 1, 31))


@pytest.fixture
def known(db, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build()


def test_the_facts_of_each_request(known):
    facts = {f.request_id: f for f in RequestFact.objects.all()}
    got = {
        name: (
            facts[known[name].pk].waiting_days,
            facts[known[name].pk].processing_days,
            facts[known[name].pk].within_delay,
            facts[known[name].pk].implicit,
            facts[known[name].pk].accepted,
        )
        for name in ("r1", "r2", "r3", "r4", "r5", "r6", "r7")
    }
    assert got == {
        "r1": (7, 11, True, False, True),
        "r2": (0, 10, True, False, False),
        "r3": (0, 32, False, True, False),
        "r4": (0, 11, False, True, True),
        "r5": (0, None, None, False, None),
        "r6": (0, 2, True, False, True),
        "r7": (0, 10, True, False, True),
    }


def test_decisions_of_a_team(known):
    figures = decisions(Scope(team_ids=(known["voirie"].pk,)), FEBRUARY)
    # 10, 11, 11, 32: median 11; p90 at 0.9 * 3 = 2.7, 11 + 0.7 * (32 - 11) = 25.7
    assert figures["count"] == 4
    assert figures["median"] == 11
    assert figures["p90"] == pytest.approx(25.7)
    assert figures["within_share"] == 0.5
    assert (figures["implicit_accepted"], figures["implicit_rejected"]) == (1, 1)
    assert (figures["explicit_accepted"], figures["explicit_rejected"]) == (1, 1)


def test_decisions_of_every_team_and_the_previous_period(known):
    figures = decisions(Scope(), FEBRUARY)
    # 2, 10, 11, 11, 32: median 11; p90 at 0.9 * 4 = 3.6, 11 + 0.6 * 21 = 23.6
    assert (figures["count"], figures["median"]) == (5, 11)
    assert figures["p90"] == pytest.approx(23.6)
    assert figures["within_share"] == pytest.approx(3 / 5)
    before = decisions(Scope(), FEBRUARY.previous())
    assert FEBRUARY.previous() == JANUARY
    assert (before["count"], before["median"], before["within_share"]) == (1, 10, 1.0)


def test_decisions_of_one_procedure(known):
    figures = decisions(Scope(procedure_id=known["r1"].procedure_id), FEBRUARY)
    assert (figures["count"], figures["median"]) == (1, 11)


def test_arrivals(known):
    voirie = arrivals(Scope(team_ids=(known["voirie"].pk,)), FEBRUARY)
    assert voirie["total"] == 4
    assert voirie["by_channel"] == {"web": 2, "counter": 1, "phone": 1}
    assert voirie["by_day"] == {
        D(2026, 2, 2): 1,
        D(2026, 2, 3): 1,
        D(2026, 2, 5): 1,
        D(2026, 2, 10): 1,
    }
    assert arrivals(Scope(), FEBRUARY)["total"] == 5
    assert arrivals(Scope(team_ids=(known["voirie"].pk,)), JANUARY)["total"] == 2


def test_contacts_and_first_contact_resolution(known):
    figures = contacts(Scope(team_ids=(known["voirie"].pk,)), FEBRUARY)
    assert figures["total"] == 3
    assert figures["by_channel"] == {"phone": 2, "counter": 1}
    assert figures["answered_share"] == pytest.approx(2 / 3)
    assert contacts(Scope(team_ids=(known["urbanisme"].pk,)), FEBRUARY)["total"] == 0


def test_backlog_and_satisfaction(known):
    open_now = backlog(Scope(team_ids=(known["voirie"].pk,)), D(2026, 2, 28))
    assert open_now == {"day": D(2026, 2, 28), "total": 1, "buckets": [0, 1, 0, 0, 0]}
    assert backlog(Scope(), D(2026, 1, 31))["day"] is None  # no snapshot taken then
    answers = satisfaction(Scope(), FEBRUARY)
    assert (answers["count"], answers["mean"]) == (2, 3.0)
    assert answers["by_rating"] == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
