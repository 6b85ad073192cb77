"""The steering tests' dataset: two teams, requests filed under silence rules, their dates
stored by the services (the one function of `service_requests.deadlines`), pieces asked and
implicit decisions recorded by the services too, at known moments."""

import datetime

import pytest
import time_machine

from gru.models import Membership
from service_requests.services import (
    implicit_decisions_apply_due,
    request_ask_documents,
    request_assign,
    request_recompute_decision_due,
)
from tests.factories import CitizenFactory, MembershipFactory, TeamFactory, UserFactory
from tests.service_requests.deadline_support import filed_request, paris

D = datetime.date
TODAY = D(2026, 3, 2)  # a Monday
Role = Membership.Role


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The radar's shared counts are cached (pilotage.radar.shared_team_counts): each test
    starts from an empty cache (the test's own Redis database)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def at(day: D, hour: int = 10):
    return time_machine.travel(paris(day.year, day.month, day.day, hour), tick=False)


def agent(team, role=Role.INSTRUCTOR, **names):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(**names)
    if team is not None:
        MembershipFactory(user=user, team=team, role=role)
    TOTP.activate(user, generate_totp_secret())
    return user


def _filed(team, rule, delay, received_on, **fields):
    request = filed_request(
        rule, delay, procedure={"default_team": team}, received_on=received_on, **fields
    )
    return request_recompute_decision_due(request=request)


@pytest.fixture
def dataset(eager_celery, django_capture_on_commit_callbacks):
    """The radar on 2 March 2026, worked out by hand (the decision is born the day after the
    delay's last day; SVR is suspended while pieces are asked, both ends counted):

    voirie  A1 SVA P10D from 25/02 -> 08/03 (+6, ≤7), nobody, submitted
            A2 SVA P1M  from 14/02 -> 15/03 (+13, 8-15), Inès, in review
            A3 SVR P2M  from 20/01 -> 21/03, pieces asked 02/03 until 12/03 (11 days) -> 01/04
               (+30, 16-30), nobody, awaiting the citizen
            A4 SVA P3M  from 10/01 -> 11/04 (+40): out of the radar
            A5 no silence rule: out
            A6 SVR P1M  from 01/12/2025 -> 02/01/2026, rejected implicitly on 02/01: before the
               period (30 days: 01/02 to 02/03)
    urbanisme
            B1 SVR P1M  from 02/02 -> 03/03 (+1, ≤7), Hugo, in review
            B2 SVA P1M  from 15/01 -> 16/02, accepted implicitly on 16/02 (in the period)
    """
    voirie = TeamFactory(name="Voirie", slug="voirie")
    urbanisme = TeamFactory(name="Urbanisme", slug="urbanisme")
    ines = agent(voirie, first_name="Inès", last_name="Da Silva")
    hugo = agent(urbanisme, first_name="Hugo", last_name="Bernard")
    manager = agent(voirie, Role.TEAM_MANAGER, first_name="Sophie", last_name="Lemaître")
    with django_capture_on_commit_callbacks(execute=True):
        with at(D(2025, 12, 1)):
            a6 = _filed(voirie, "rejection", "P1M", D(2025, 12, 1))
        with at(D(2026, 1, 2), 9):
            implicit_decisions_apply_due()
        with at(D(2026, 1, 15)):
            b2 = _filed(urbanisme, "acceptance", "P1M", D(2026, 1, 15))
        with at(D(2026, 2, 16), 9):
            implicit_decisions_apply_due()
        with at(TODAY, 8):
            citizen = CitizenFactory(given_names="Rosalie", family_name="Valmorel")
            a1 = _filed(voirie, "acceptance", "P10D", D(2026, 2, 25), citizen=citizen)
            a2 = _filed(voirie, "acceptance", "P1M", D(2026, 2, 14), contact_name="Gaspard Ondine")
            request_assign(request=a2, actor=manager, assignee=ines)
            a3 = _filed(voirie, "rejection", "P2M", D(2026, 1, 20))
            request_ask_documents(
                request=a3, actor=ines, pieces=["Plan de situation"], answer_deadline=D(2026, 3, 12)
            )
            a4 = _filed(voirie, "acceptance", "P3M", D(2026, 1, 10))
            a5 = _filed(voirie, "none", "", D(2026, 2, 1))
            b1 = _filed(urbanisme, "rejection", "P1M", D(2026, 2, 2))
            request_assign(request=b1, actor=hugo, assignee=hugo)
    requests = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5, "a6": a6, "b1": b1, "b2": b2}
    for request in requests.values():
        request.refresh_from_db()
    return {
        "voirie": voirie,
        "urbanisme": urbanisme,
        "ines": ines,
        "hugo": hugo,
        "manager": manager,
        **requests,
    }
