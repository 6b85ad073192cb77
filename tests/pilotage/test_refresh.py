"""The refresh service: incremental runs pick up what changed since the previous one (a new
request, a decision, a contact, a satisfaction answer) and give the same tables as a full
rebuild; the beat task and the management command call it."""

import datetime

import pytest
from django.core.management import call_command

from pilotage.models import (
    BacklogSnapshot,
    DailyArrivals,
    DailyInteractions,
    DailySatisfaction,
    RefreshRun,
    RequestFact,
)
from pilotage.refresh_tasks import refresh_summaries
from service_requests.services import interaction_log, request_decide
from service_requests.services.messages import satisfaction_record
from tests.pilotage.known_dataset import _filed, at, build

D = datetime.date
TABLES = (RequestFact, DailyArrivals, DailyInteractions, DailySatisfaction)


def _snapshot():
    def rows(model):
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        return sorted(model.objects.values_list(*fields))

    return {model.__name__: rows(model) for model in TABLES}


@pytest.fixture
def known(db, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build()


def test_an_incremental_run_catches_up_and_matches_a_full_one(
    known, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with at(D(2026, 3, 2)):
            # Filed by mail, received on 25/02 (before the previous run), decided at once.
            late = _filed(known["voirie"], "acceptance", "P2M", D(2026, 2, 25), "mail")
            request_decide(request=late, actor=known["agent"], outcome="accepted", motive="")
            interaction_log(
                agent=known["agent"], channel="email", direction="inbound", summary="Question",
                outcome="answered",
            )  # fmt: skip
        with at(D(2026, 3, 3)):
            late.refresh_from_db()
            satisfaction_record(request=late, rating=5)
        with at(D(2026, 3, 3), 23):
            run = refresh_summaries()
    assert RefreshRun.objects.get(pk=run["run"]).full is False
    fact = RequestFact.objects.get(request_id=late.pk)
    assert (fact.decided_on, fact.processing_days, fact.within_delay) == (D(2026, 3, 2), 5, True)
    assert DailyArrivals.objects.get(day=D(2026, 2, 25)).channel == "mail"
    assert DailyInteractions.objects.get(day=D(2026, 3, 2)).answered == 1
    assert DailySatisfaction.objects.get(day=D(2026, 3, 3)).rating == 5
    assert (
        BacklogSnapshot.objects.filter(day=D(2026, 3, 3)).values_list("count", flat=True).get() == 1
    )
    incremental = _snapshot()
    with at(
        D(2026, 3, 3),
        23,
    ):
        call_command("pilotage_refresh", "--full")
    assert _snapshot() == incremental


def test_a_run_with_nothing_new_changes_nothing(known):
    before = _snapshot()
    with at(D(2026, 3, 1), 8):
        run = refresh_summaries()
    assert run["counts"]["facts"] == 0
    assert _snapshot() == before


def test_the_beat_task_warms_the_default_figures(known, django_assert_num_queries):
    from django.core.cache import cache

    from pilotage.periods import period_of
    from pilotage.selectors import Scope, figures

    cache.clear()
    with at(D(2026, 3, 1), 8):
        run = refresh_summaries()
        assert run["warmed"] == 4 + 2  # the authority's four periods, each team's month
        with django_assert_num_queries(1):  # the data version only
            result = figures(
                Scope(team_ids=(known["voirie"].pk,)),
                period_of("month", D(2026, 3, 1)),
                today=D(2026, 3, 1),
            )
    assert result.before["arrivals"]["total"] == 4  # February, voirie
