"""A small dataset whose figures are worked out by hand, built through the services (filing by
the factory as the deadline tests do, then documents asked and received, decisions, the sweep's
implicit decisions, contacts, satisfaction answers), at known moments. Distinctive personal data
everywhere (names, references, answers, motives, comments, summaries), so that a test can show
none of it reaches an elected official's pages.

February 2026 (the period), January 2026 (the previous one); voirie and urbanisme teams.

  r1 voirie SVA P2M, web, received 02/02; pieces asked 05/02, received 12/02 (waited 7 days);
     accepted 20/02: 18 days - 7 = 11 processing days, within the delay
  r2 voirie SVA P2M, counter, received 03/02; rejected 13/02: 10 days, within the delay
  r3 voirie SVR P1M, web, received 02/01; rejected by silence on 03/02: 32 days, not within
  r4 voirie SVA P10D, web, received 05/02; accepted by silence on 16/02: 11 days, not within
  r5 voirie no silence rule, phone, received 10/02; still open on 28/02 (18 days old)
  r6 urbanisme SVA P2M, web, received 04/02; accepted 06/02: 2 days, within
  r7 voirie SVA P2M, web, received 05/01; accepted 15/01: 10 days, within (January)
  contacts on 10/02 by a voirie agent: phone answered, phone redirected, counter answered
  satisfaction on 21/02: r1 4/5, r2 2/5
Refreshed (full) on 28/02/2026 at 23:00.
"""

import datetime

import time_machine

from gru.models import Membership
from pilotage.refresh import refresh
from service_requests.services import (
    implicit_decisions_apply_due,
    interaction_log,
    request_ask_documents,
    request_decide,
    request_receive_documents,
    request_recompute_decision_due,
)
from service_requests.services.messages import satisfaction_record
from tests.factories import CitizenFactory, MembershipFactory, TeamFactory, UserFactory
from tests.service_requests.deadline_support import filed_request, paris

D = datetime.date
Role = Membership.Role
# What must never reach an elected official's page.
SECRETS = [
    "Rosalie",
    "Valmorel",
    "Gaspard",
    "Ondinet",
    "Trouvère",
    "Pédoncule",
    "Zéphyrine",
    "06 11 22 33 44",
    "rosalie.valmorel@exemple.invalid",
]


def at(day: D, hour: int = 10):
    return time_machine.travel(paris(day.year, day.month, day.day, hour), tick=False)


def _agent(team, role=Role.INSTRUCTOR, **names):
    user = UserFactory(**names)
    MembershipFactory(user=user, team=team, role=role)
    return user


def _filed(team, rule, delay, received_on, channel="web", **fields):
    request = filed_request(
        rule,
        delay,
        procedure={"default_team": team},
        received_on=received_on,
        channel=channel,
        data={"motif": "Trouvère Pédoncule demande un passage"},
        **fields,
    )
    return request_recompute_decision_due(request=request)


def build() -> dict:
    voirie = TeamFactory(name="Voirie", slug="voirie")
    urbanisme = TeamFactory(name="Urbanisme", slug="urbanisme")
    agent = _agent(voirie, first_name="Zéphyrine", last_name="Ondinet")
    other = _agent(urbanisme, first_name="Gaspard", last_name="Ondinet")
    citizen = CitizenFactory(
        given_names="Rosalie",
        family_name="Valmorel",
        email="rosalie.valmorel@exemple.invalid",
        phone="06 11 22 33 44",
    )
    with at(D(2026, 1, 2)):
        r3 = _filed(voirie, "rejection", "P1M", D(2026, 1, 2), citizen=citizen)
    with at(D(2026, 1, 5)):
        r7 = _filed(voirie, "acceptance", "P2M", D(2026, 1, 5), citizen=citizen)
    with at(D(2026, 1, 15)):
        request_decide(request=r7, actor=agent, outcome="accepted", motive="")
    with at(D(2026, 2, 2)):
        r1 = _filed(voirie, "acceptance", "P2M", D(2026, 2, 2), citizen=citizen)
    with at(D(2026, 2, 3)):
        r2 = _filed(
            voirie, "acceptance", "P2M", D(2026, 2, 3), "counter", contact_name="Gaspard Valmorel"
        )
    with at(D(2026, 2, 3), 9):
        implicit_decisions_apply_due()  # r3, born on 03/02
    with at(D(2026, 2, 4)):
        r6 = _filed(urbanisme, "acceptance", "P2M", D(2026, 2, 4), citizen=citizen)
    with at(D(2026, 2, 5)):
        r4 = _filed(voirie, "acceptance", "P10D", D(2026, 2, 5), citizen=citizen)
        request_ask_documents(
            request=r1, actor=agent, pieces=["Plan Pédoncule"], answer_deadline=D(2026, 2, 20)
        )
    with at(D(2026, 2, 6)):
        request_decide(request=r6, actor=other, outcome="accepted", motive="")
    with at(D(2026, 2, 10)):
        r5 = _filed(voirie, "none", "", D(2026, 2, 10), "phone", citizen=citizen)
        for channel, outcome in (
            ("phone", "answered"),
            ("phone", "redirected"),
            ("counter", "answered"),
        ):
            interaction_log(
                agent=agent,
                channel=channel,
                direction="inbound",
                summary="Rosalie Valmorel demande où en est Trouvère Pédoncule",
                outcome=outcome,
                citizen=citizen,
                caller="Gaspard Ondinet",
            )
    with at(D(2026, 2, 12)):
        request_receive_documents(request=r1, actor=agent)
    with at(D(2026, 2, 13)):
        request_decide(
            request=r2, actor=agent, outcome="rejected", motive="Pédoncule Trouvère incomplet"
        )
    with at(D(2026, 2, 16), 9):
        implicit_decisions_apply_due()  # r4, born on 16/02
    with at(D(2026, 2, 20)):
        request_decide(request=r1, actor=agent, outcome="accepted", motive="")
    with at(D(2026, 2, 21)):
        for request, rating in ((r1, 4), (r2, 2)):
            request.refresh_from_db()
            satisfaction_record(request=request, rating=rating, comment="Merci Zéphyrine Ondinet")
    with at(D(2026, 2, 28), 23):
        refresh(full=True, today=D(2026, 2, 28))
    requests = {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5, "r6": r6, "r7": r7}
    for request in requests.values():
        request.refresh_from_db()
    return {"voirie": voirie, "urbanisme": urbanisme, "agent": agent, **requests}
