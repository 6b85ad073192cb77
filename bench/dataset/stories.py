"""Requests and their stories: each request is drawn with its procedure, citizen, channel and
final status, then its timeline is played forward from receipt (events in order, messages,
pieces asked and received, contacts at the counter or on the phone) and written as rows.

Who files what: démarches by popularity (reports and questions first, a long tail), citizens
on a long tail too (a few file hundreds of requests), about 12 % anonymous where the démarche
allows it, the web for most, the counter, phone, mail and email for the rest (filed by an
agent). Statuses: 2.5 % drafts, 17 % open, the rest closed in a mix that depends on the kind
of démarche and its silence rule. The dates are `dates.py`'s, the story `timeline.py`'s.
"""

import math
import random

from django.conf import settings

from bench.dataset import texts
from bench.dataset.authority import Authority, TeamInfo
from bench.dataset.context import YEARS, Clock, Counts, Ids, LongTail, Weighted
from bench.dataset.dates import (
    ACCEPTED,
    ACCEPTED_IMPLICITLY,
    AWAITING,
    CLOSED,
    DRAFT,
    IN_REVIEW,
    PARTIALLY_ACCEPTED,
    REJECTED,
    REJECTED_IMPLICITLY,
    SUBMITTED,
    WITHDRAWN,
)
from bench.dataset.fill import Filler
from bench.dataset.people import People
from bench.dataset.procedures import ProcedureInfo
from bench.dataset.timeline import Timeline
from bench.dataset.writer import Table
from citizens.models import Channel
from service_requests.deadlines import parse_delay
from service_requests.identifiers import REFERENCE_ALPHABET
from service_requests.lifecycle import NO_DECISION_KINDS
from service_requests.models import (
    DocumentRequest,
    Event,
    Interaction,
    InteractionMotive,
    Message,
    NotificationSent,
    ServiceRequest,
    Status,
)

IMPLICIT = "implicit"  # in FINAL_MIX: the procedure's silence rule says which one

REQUEST_FIELDS = ("id", "reference", "tracking_token", "procedure_id", "form_version_id", "data",
                  "channel", "citizen_id", "contact_name", "contact_email", "contact_phone",
                  "organisation_id", "team_id", "assignee_id", "filed_by_id", "status",
                  "received_on", "completed_on", "decision_due_on", "decided_on",
                  "implicit_decision_triggered_at", "submitted_at", "created_at",
                  "updated_at")  # fmt: skip
EVENT_FIELDS = ("id", "request_id", "actor_id", "kind", "visibility", "payload", "created_at")
MESSAGE_FIELDS = ("id", "request_id", "author_id", "direction", "body", "read_at", "created_at")
INTERACTION_FIELDS = ("id", "citizen_id", "request_id", "channel", "direction", "agent_id",
                      "team_id", "occurred_at", "summary", "created_at", "motive_id", "outcome",
                      "duration_minutes")  # fmt: skip
# What became of a contact about no request (the others: a request filed, or answered).
LONE_OUTCOMES = Weighted(["answered", "redirected", "appointment"], [70, 20, 10])
# Minutes a contact lasts, by channel (uniform between the bounds); the others are not timed.
CONTACT_MINUTES = {"counter": (3, 20), "phone": (2, 12)}
DOCUMENT_REQUEST_FIELDS = ("id", "request_id", "asked_on", "answer_deadline", "answered_on",
                           "pieces", "asked_by_id", "overdue_alerted_at", "created_at")  # fmt: skip
NOTIFICATION_FIELDS = ("id", "request_id", "kind", "due_on", "days_before", "sent_at")

# Shares of drafts and of open requests; the rest is closed, with a mix that depends on the
# kind of démarche. Reports and questions are answered, never decided; only a démarche without
# silence rule is closed without a decision (the services' and the back office's rules).
DRAFT_SHARE, OPEN_SHARE = 0.025, 0.17
OPEN_MIX = Weighted([SUBMITTED, IN_REVIEW, AWAITING], [30, 45, 25])
FINAL_MIX = {
    "report": {CLOSED: 95, WITHDRAWN: 5},
    "information": {CLOSED: 92, WITHDRAWN: 4, IMPLICIT: 4},
    "decision": {ACCEPTED: 64, PARTIALLY_ACCEPTED: 4, REJECTED: 14, WITHDRAWN: 5, CLOSED: 3,
                 IMPLICIT: 10},
    "grant": {ACCEPTED: 42, PARTIALLY_ACCEPTED: 8, REJECTED: 30, WITHDRAWN: 5, IMPLICIT: 15},
    "complaint": {CLOSED: 60, ACCEPTED: 12, PARTIALLY_ACCEPTED: 3, REJECTED: 15, WITHDRAWN: 4,
                  IMPLICIT: 6},
}  # fmt: skip
DECIDED_EXPRESSLY = (ACCEPTED, PARTIALLY_ACCEPTED, REJECTED)
CHANNELS = Weighted(
    [
        Channel.WEB,
        Channel.COUNTER,
        Channel.PHONE,
        Channel.EMAIL,
        Channel.MAIL,
        Channel.SMS,
        Channel.SOCIAL,
    ],
    [62, 13, 10, 8, 6, 0.5, 0.5],
)
CONTACT_CHANNELS = Weighted(
    [Channel.PHONE, Channel.COUNTER, Channel.EMAIL, Channel.MAIL, Channel.SMS, Channel.SOCIAL],
    [45, 35, 15, 3, 1, 1],
)
# Messages and contacts after filing per request: 0.5 and 0.76 on average.
MESSAGES = Weighted([0, 1, 2, 3], [70, 15, 10, 5])
FOLLOW_UPS = Weighted([0, 1, 2, 3, 4], [55, 25, 12, 5, 3])
GROWTH = math.log(1.25) / 365  # a quarter more requests each year
UNIT_DAYS = {"D": 1, "W": 7, "M": 30}
KIND_POPULARITY = {"report": 3, "information": 2, "decision": 1, "grant": 0.3, "complaint": 1}


class Stories:
    def __init__(self, rng: random.Random, clock: Clock, ids: Ids, counts: Counts,
                 authority: Authority, procedures: list[ProcedureInfo], people: People,
                 tail: LongTail, taken_references: set[str]):  # fmt: skip
        self.rng, self.clock, self.ids, self.counts = rng, clock, ids, counts
        self.authority, self.people, self.tail = authority, people, tail
        self.taken_references = taken_references
        self.first_id = ids.take(ServiceRequest, counts.requests)
        self.today = clock.today.toordinal()
        self.procedures = procedures
        self.popularity = self._popularity()
        self.finals = {p.id: self._final_mix(p) for p in self.procedures}
        self.teams = {team.id: team for team in authority.teams}
        self.business = [t for t in authority.teams if t.kind == "business" and t.workers]
        shops = [a for team in authority.one_stop_shops for a in team.front_desk]
        self.front_desk = shops or [a for t in authority.teams for a in t.workers]
        self.keys = [rng.getrandbits(20) for _ in range(4)]
        self.counter = 0  # of references drawn
        self.filler = Filler(rng, clock, people)
        self.interactions_left = counts.interactions
        # The motives an administrator offers (service_requests 0013 seeds them).
        self.motive_ids = list(
            InteractionMotive.objects.filter(is_active=True)
            .order_by("position", "pk")
            .values_list("pk", flat=True)
        )
        self.pools = {
            team.id: team.workers if team.kind == "business" else team.front_desk + team.workers
            for team in authority.teams
        }
        self.event_model, self.message_model, self.interaction_model = Event, Message, Interaction
        self.reminder_days = sorted({days for days in settings.GRU_REMINDER_DAYS if days > 0})
        self.tables = {  # in the order they are written: requests before what points at them
            "requests": Table.of(ServiceRequest, REQUEST_FIELDS),
            "events": Table.of(Event, EVENT_FIELDS),
            "messages": Table.of(Message, MESSAGE_FIELDS),
            "interactions": Table.of(Interaction, INTERACTION_FIELDS),
            "document_requests": Table.of(DocumentRequest, DOCUMENT_REQUEST_FIELDS),
            "notifications": Table.of(NotificationSent, NOTIFICATION_FIELDS),
        }
        self.forced = self._forced()

    # --- Draws ------------------------------------------------------------------------------

    def _final_mix(self, procedure: ProcedureInfo) -> Weighted:
        mix = dict(FINAL_MIX.get(procedure.kind, FINAL_MIX["decision"]))
        decidable = procedure.kind not in NO_DECISION_KINDS
        if not decidable:
            for status in DECIDED_EXPRESSLY:
                mix.pop(status, None)
        implicit = mix.pop(IMPLICIT, 0)
        if procedure.rule == "acceptance":
            mix[ACCEPTED_IMPLICITLY] = implicit
        elif procedure.rule == "rejection":
            mix[REJECTED_IMPLICITLY] = implicit
        else:
            fallback = CLOSED if CLOSED in mix or not decidable else ACCEPTED
            mix[fallback] = mix.get(fallback, 0) + implicit
        if decidable and procedure.rule != "none" and CLOSED in mix:
            # A démarche with a silence rule calls for a decision, explicit or born of silence.
            fallback = (
                ACCEPTED
                if decidable
                else (
                    ACCEPTED_IMPLICITLY if procedure.rule == "acceptance" else REJECTED_IMPLICITLY
                )
            )
            mix[fallback] = mix.get(fallback, 0) + mix.pop(CLOSED)
        return Weighted(mix.keys(), mix.values())

    def _forced(self) -> dict[int, tuple[str, ProcedureInfo]]:
        """The first requests take every status once, each with a procedure that allows it, so
        that even a tiny dataset has them all."""
        forced = {}
        for index, status in enumerate(Status.values):
            fits = [p for p in self.procedures if status in self.finals[p.id].items]
            if status in (DRAFT, SUBMITTED, IN_REVIEW, AWAITING):
                fits = self.procedures
            if fits:
                forced[index] = (status, fits[index % len(fits)])
        return forced

    def _popularity(self) -> Weighted:
        """A few démarches get most requests (reports, civil status), the rest a long tail."""
        ranks = list(range(len(self.procedures)))
        self.rng.shuffle(ranks)
        weights = [
            KIND_POPULARITY.get(procedure.kind, 1) * (1 / (rank + 1.5) + 0.02)
            for procedure, rank in zip(self.procedures, ranks, strict=True)
        ]
        return Weighted(self.procedures, weights)

    def _status(self, procedure: ProcedureInfo) -> str:
        roll = self.rng.random()
        if roll < DRAFT_SHARE:
            return DRAFT
        if roll < DRAFT_SHARE + OPEN_SHARE:
            return OPEN_MIX.pick(self.rng)
        return self.finals[procedure.id].pick(self.rng)

    def _reference(self) -> str:
        """A reference in the identifiers' format, unique by construction: the draw counter
        goes through a keyed Feistel permutation of the 40-bit space (32**8 references), so
        no two draws meet and none needs remembering; a taken one (the demo's) is skipped."""
        while True:
            left, right = self.counter >> 20, self.counter & 0xFFFFF
            self.counter += 1
            for key in self.keys:
                left, right = right, left ^ (((right * 0x9E3779B1) ^ key) >> 7 & 0xFFFFF)
            value = (left << 20) | right
            chars = "".join(
                REFERENCE_ALPHABET[(value >> shift) & 31]
                for shift in (35, 30, 25, 20, 15, 10, 5, 0)
            )
            reference = f"{chars[:4]}-{chars[4:]}"
            if reference not in self.taken_references:
                return reference

    # --- What timelines ask for ---------------------------------------------------------

    def delay_days(self, procedure: ProcedureInfo) -> int:
        if not procedure.delay:
            return 60
        n, unit = parse_delay(procedure.delay)
        return n * UNIT_DAYS[unit]

    def final_age(self) -> int:
        """Days since receipt for a closed request: more in recent years."""
        mass = 1 - math.exp(-GROWTH * YEARS * 365)
        return int(-math.log(1 - self.rng.random() * mass) / GROWTH)

    def worker(self, team: TeamInfo) -> int | None:
        """Who acts for the team: an instructor or manager, or at a one-stop shop its agents."""
        pool = self.pools[team.id]
        return self.rng.choice(pool) if pool else None

    def name_of(self, citizen: int | None) -> str:
        return "Madame, Monsieur" if citizen is None else self.people.names[citizen]

    def organisation_for(self, citizen: int | None, procedure: ProcedureInfo) -> int | None:
        """The organisation a representative files for, when the démarche is open to it."""
        if citizen is None or self.rng.random() < 0.3:
            return None
        for organisation_id, kind in self.people.organisations.get(citizen, ()):
            if (kind == "company" and "professionals" in procedure.audiences) or (
                kind == "association" and "associations" in procedure.audiences
            ):
                return organisation_id
        return None

    def message_count(self) -> int:
        return MESSAGES.pick(self.rng)

    def follow_up_count(self) -> int:
        return FOLLOW_UPS.pick(self.rng)

    def contact_details(self, channel: str, outcome: str) -> tuple:
        """The motive, outcome and duration of a contact, as the contact screen records them."""
        rng = self.rng
        motive = rng.choice(self.motive_ids) if self.motive_ids else None
        bounds = CONTACT_MINUTES.get(channel)
        minutes = rng.randint(*bounds) if bounds else None
        return motive, outcome, minutes

    def contact_channel(self) -> str:
        return CONTACT_CHANNELS.pick(self.rng).value

    # --- Batches ----------------------------------------------------------------------------

    def batches(self, size: int):
        for start in range(0, self.counts.requests, size):
            out = {name: [] for name in self.tables}
            for index in range(start, min(start + size, self.counts.requests)):
                self._request(index, out)
            yield [(self.tables[name], rows) for name, rows in out.items()]

    def _request(self, index: int, out: dict[str, list]) -> None:
        rng, people = self.rng, self.people
        if index in self.forced:
            status, procedure = self.forced[index]
        else:
            procedure = self.popularity.pick(rng)
            status = self._status(procedure)

        citizen, anonymous = None, False
        if status == DRAFT:
            drawn = self.tail.pick(rng)
            citizen = drawn if people.user_ids[drawn] else None
        elif procedure.identification == "none" and rng.random() < 0.12:
            anonymous = True
        else:
            citizen = self.tail.pick(rng)

        channel = Channel.WEB
        if anonymous:
            channel = Channel.WEB if rng.random() < 0.8 else Channel.PHONE
        elif status != DRAFT:
            channel = CHANNELS.pick(rng)
            if channel == Channel.WEB and procedure.identification != "none":
                # Online with an account: whoever files so has one.
                for _ in range(4):
                    if people.user_ids[citizen]:
                        break
                    citizen = self.tail.pick(rng)
            if channel == Channel.WEB and (
                (people.assisted[citizen] and rng.random() < 0.8)
                or (procedure.identification != "none" and not people.user_ids[citizen])
            ):
                channel = Channel.COUNTER

        team = None
        if status != DRAFT:
            team = self.teams[procedure.team_id]
            if rng.random() < 0.08 and len(self.business) > 1:  # sent on to another service
                team = rng.choice(self.business)
        reference = self._reference()
        Timeline(self, out, self.first_id + index, reference, procedure, status, team, citizen,
                 channel.value, anonymous).play()  # fmt: skip

    def lone_contacts(self, size: int):
        """Contacts without a request (a question at the counter, a call), up to the number of
        interactions asked."""
        rng, clock, people = self.rng, self.clock, self.people
        table = self.tables["interactions"]
        summaries = texts.LONE_CONTACTS
        while self.interactions_left > 0:
            rows = []
            for _ in range(min(size, self.interactions_left)):
                citizen_id = None
                if rng.random() < 0.85:
                    citizen_id = people.citizen_id(self.tail.pick(rng))
                agent = rng.choice(self.front_desk)
                if rng.random() < 0.2:
                    agent = rng.choice(self.business).workers[0] if self.business else agent
                at = clock.at(self.today - self.final_age(), 8.5 * 3600 + rng.random() * 32400)
                channel = self.contact_channel()
                rows.append(
                    (
                        self.ids.take(Interaction),
                        citizen_id,
                        None,
                        channel,
                        "inbound" if rng.random() < 0.85 else "outbound",
                        agent,
                        self.authority.agent_team.get(agent),
                        clock.datetime(at),
                        rng.choice(summaries),
                        clock.datetime(min(at + 300, clock.now_ts)),
                        *self.contact_details(channel, LONE_OUTCOMES.pick(rng)),
                    )
                )
            self.interactions_left -= len(rows)
            yield [(table, rows)]
