"""One request's story, played forward from receipt and written as rows: the request itself,
its timeline events (in order, after filing, never after now), its messages, the pieces asked
of the citizen, the contacts about it.

The events are the services' own: the kinds they write, with the payload keys
`service_requests.lifecycle.EVENT_PAYLOADS` declares (each is checked before it is written),
and every status change is a transition of `lifecycle.TRANSITIONS`, taken from the state the
story is in: the status written on the request's row is where those transitions led.

What the generator cannot make as the services do, and why:
- decision letters: `request_decide` renders a PDF per decision; a million of them would take
  hours and gigabytes, and sharing one file between citizens' documents is no option for a
  private store. A generated decision names no letter (`letter_document_id` null), like a
  decision recorded before letters were generated; the key is there, as declared.
- receipts and implicit decisions' attestations: not generated either (no Document rows); the
  receipt is made on the citizen's first click, as when the broker was down at filing.
"""

import functools

from bench.dataset import dates, texts
from bench.dataset.authority import TeamInfo
from bench.dataset.context import to_json
from bench.dataset.dates import (
    ACCEPTED,
    AWAITING,
    CLOSED,
    DRAFT,
    IMPLICIT_STATES,
    IN_REVIEW,
    OPEN,
    PARTIALLY_ACCEPTED,
    REJECTED,
    SUBMITTED,
    WITHDRAWN,
    LegalDates,
    day,
)
from bench.dataset.procedures import ProcedureInfo
from gru.models import Team
from service_requests import lifecycle
from service_requests.models import DECIDED_STATES, DocumentRequest, EventKind, NotificationSent
from service_requests.routing import routed_payload

# Taking a request starts its instruction (`request_assign`): a request still "submitted" has
# nobody assigned. Closed ones: 0.65.
ASSIGNED_SHARE = {SUBMITTED: 0.0, IN_REVIEW: 0.8, AWAITING: 0.9}
# By name ("SUBMITTED") or by value (a transition's event).
KIND = {kind.name: kind.value for kind in EventKind}
KIND |= {kind.value: kind.value for kind in EventKind}
# Of the pieces received, the share an agent records as the file complete (they came by post or
# at the counter: `request_mark_complete`); the citizen sends the others online.
COMPLETED_BY_AGENT_SHARE = 0.3


def _iso(ordinal: int | None) -> str | None:
    return None if ordinal is None else day(ordinal).isoformat()


@functools.cache
def _routed(team_id: int, team_name: str) -> dict:
    """The filing's `routed` payload for a team reached by no rule (the dataset writes none)."""
    return routed_payload(Team(pk=team_id, name=team_name), None)


FILED_ON_BEHALF = {"counter", "phone", "mail", "email", "sms", "social"}
FILING_SUMMARY = {"counter": 0, "phone": 1, "mail": 2, "email": 3}
DAY = 86400


def _run(due: int) -> str:
    """The sweep run that took a decision born on `due`: one a night (ids as the engine's)."""
    return f"{(due * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012x}"


class Timeline:
    def __init__(self, stories, out: dict[str, list], request_id: int, reference: str,
                 procedure: ProcedureInfo, status: str, team: TeamInfo | None,
                 citizen: int | None, channel: str, anonymous: bool):  # fmt: skip
        self.s, self.out, self.id, self.reference = stories, out, request_id, reference
        self.procedure, self.status, self.team = procedure, status, team
        self.citizen, self.channel, self.anonymous = citizen, channel, anonymous
        self.user_id = stories.people.user_of(citizen)
        self.rng, self.clock = stories.rng, stories.clock
        self.events: list[tuple] = []  # (ts, actor, kind, visibility, payload)
        self.t = self.filed = 0.0  # the main chain's last moment; when it was filed
        self.current = DRAFT  # where the transitions taken so far lead
        self.completed: int | None = None  # the day an agent declared the file complete

    # --- Moments ----------------------------------------------------------------------------

    def office(self) -> float:
        return 8.5 * 3600 + self.rng.random() * 9 * 3600

    def waking(self) -> float:
        """When citizens act online: 7:00 to 22:00."""
        return 7 * 3600 + self.rng.random() * 15 * 3600

    def step(self, on: int, seconds: float) -> float:
        """The next moment of the main chain: on day `on`, never before the previous one."""
        candidate = self.clock.at(on, seconds)
        self.t = min(max(self.t + 30 + self.rng.random() * 600, candidate), self.clock.now_ts)
        return self.t

    def aside(self, on: int, seconds: float) -> float:
        """A moment off the main chain (a message, a note, a call): on day `on`, after filing."""
        moment = max(self.clock.at(on, seconds), self.filed + 60 + self.rng.random() * 3600)
        return min(moment, self.clock.now_ts)

    def between(self, first: int, last: int) -> int:
        return first + self.rng.randrange(max(last - first, 0) + 1)

    def event(self, ts: float, actor, kind: str, payload: dict, *, internal=False) -> None:
        lifecycle.check_payload(KIND[kind], payload)
        visibility = "internal" if internal else "citizen"
        self.events.append((ts, actor, KIND[kind], visibility, to_json(payload)))

    def transition(self, ts: float, actor, name: str, payload: dict, *, internal=False) -> None:
        """Take the lifecycle's transition `name` from the current status, as `change_status`
        does: refused from a state it does not declare; its event, with `from` and `to`."""
        t = lifecycle.TRANSITIONS[name]
        if not t.allows(self.current):
            raise ValueError(f"{self.reference}: {name} refused from {self.current}")
        full = dict(payload)
        if {"from", "to"} <= lifecycle.EVENT_PAYLOADS[t.event].required:
            full |= {"from": self.current, "to": str(t.target)}
        self.current = str(t.target)
        self.event(ts, actor, t.event, full, internal=internal)

    # --- The story --------------------------------------------------------------------------

    def play(self) -> None:
        if self.status == DRAFT:
            return self._draft()
        s, rng = self.s, self.rng
        legal = dates.draw(rng, s.today, self.status, self.procedure,
                           s.delay_days(self.procedure), s.final_age())  # fmt: skip
        self.version = self.procedure.version_on(legal.received)
        team = self.team
        assignee = None
        if team.kind == "business" and rng.random() < ASSIGNED_SHARE.get(self.status, 0.65):
            assignee = s.worker(team)
        agent = assignee or s.worker(team)
        filed_by = None
        if self.channel in FILED_ON_BEHALF:
            front = self.channel in ("counter", "phone", "sms", "social")
            filed_by = rng.choice(s.front_desk) if rng.random() < (0.7 if front else 0.4) else agent

        created, entry = self._file(legal, filed_by, assignee)
        self._instruct(legal, agent)
        triggered = self._conclude(legal, agent)
        if self.current != self.status:  # the transitions must lead where the draw said
            raise ValueError(f"{self.reference}: story ends {self.current}, not {self.status}")
        if rng.random() < 0.1:
            self.event(self.aside(self.between(legal.received, legal.end), self.office()), agent,
                       "NOTE", {"text": rng.choice(texts.NOTES)}, internal=True)  # fmt: skip
        self._reminders(legal, entry, assignee)
        self._messages(legal, agent)
        self._contacts(legal, filed_by)

        self.events.sort(key=lambda event: event[0])
        self._write_request(legal, triggered, created, assignee, filed_by)
        events, ids, model = self.out["events"], s.ids, s.event_model
        for ts, actor, kind, visibility, payload in self.events:
            events.append((ids.take(model), self.id, actor, kind, visibility, payload,
                           self.clock.datetime(ts)))  # fmt: skip

    def _file(self, legal: LegalDates, filed_by, assignee) -> float:
        """Filed (the filing dates the receipt the day it is entered, a letter included),
        routed to the démarche's team, maybe transferred to another, assigned. Returns when
        the row was created, and the day it was filed."""
        s, rng, team = self.s, self.rng, self.team
        entry = legal.received
        self.filed = self.step(entry, self.office() if filed_by else self.waking())
        actor = filed_by or self.user_id
        submitted = {"channel": self.channel, "form_version": self.version.number,
                     "decision_due_on": _iso(legal.first_due),
                     "filed_on_behalf": filed_by is not None}  # fmt: skip
        self.transition(self.filed, actor, "submit", submitted)
        default = s.teams[self.procedure.team_id]
        self.event(self.step(entry, 0), actor, "ROUTED", _routed(default.id, default.name),
                   internal=True)  # fmt: skip
        manager = rng.choice(team.managers) if team.managers else assignee
        soon = min(legal.end, legal.received + rng.randrange(3))
        if legal.docs:  # taken before pieces are asked
            soon = min(soon, legal.docs[0])
        if team is not default:
            mover = rng.choice(default.workers or default.front_desk or [manager])
            transfer = {"from_team": default.id, "from_team_name": default.name,
                        "team": team.id, "team_name": team.name,
                        "reason": rng.choice(texts.TRANSFER_REASONS)}  # fmt: skip
            self.event(self.step(soon, self.office()), mover, "TRANSFERRED", transfer,
                       internal=True)  # fmt: skip
        if assignee:
            at = self.step(soon, self.office())
            assigned = {"assignee": assignee, "assignee_name": s.authority.agent_names[assignee],
                        "previous": None}  # fmt: skip
            self.event(at, manager, "ASSIGNED", assigned, internal=True)
            if self.current == SUBMITTED:  # taking it starts the instruction
                self.transition(at, manager, "start_review", {})
        created = self.filed - (60 + rng.random() * 2400 if self.channel == "web" else 0)
        return created, entry

    def _instruct(self, legal: LegalDates, agent) -> None:
        """Under review (unless taking it started it), pieces asked and received."""
        rng, status = self.rng, self.status
        if status != SUBMITTED and (
            status in (IN_REVIEW, AWAITING) or legal.docs or rng.random() < 0.55
        ):
            on = min(legal.end, legal.received + 1 + rng.randrange(4))
            if self.current == SUBMITTED:
                at = self.step(min(on, legal.docs[0]) if legal.docs else on, self.office())
                self.transition(at, agent, "start_review", {})
        if legal.docs:
            self._pieces(legal, agent)

    def _pieces(self, legal: LegalDates, agent) -> None:
        """Pieces asked, then received or overdue, as the deadline engine records them: each
        step moves the status and, when the decision date moves, says so to the citizen."""
        rng, s, clock = self.rng, self.s, self.clock
        asked, answered, deadline = legal.docs
        pieces = self.procedure.documents or ["Justificatif de domicile de moins de trois mois"]
        pieces = rng.sample(pieces, min(len(pieces), rng.randint(1, 2)))
        document_request_id = s.ids.take(DocumentRequest)
        asked_at = self.step(asked, self.office())
        asked_payload = {"document_request_id": document_request_id, "documents": pieces,
                         "deadline": day(deadline).isoformat()}  # fmt: skip
        self.transition(asked_at, agent, "ask_documents", asked_payload)
        self._due_moved(agent, legal.first_due, legal.asked_due, "documents_requested")
        alerted = None
        if answered is None and deadline < s.today:  # the night's alert to the agent
            alerted = self.aside(deadline + 1, 7 * 3600)
            self.event(alerted, None, "DOCUMENTS_OVERDUE",
                       {"document_request_id": document_request_id,
                        "deadline": day(deadline).isoformat(), "to": self._agent_email(agent)},
                       internal=True)  # fmt: skip
        self.out["document_requests"].append(
            (document_request_id, self.id, day(asked), day(deadline), day(answered),
             to_json(pieces), agent, alerted and clock.datetime(alerted),
             clock.datetime(asked_at))
        )  # fmt: skip
        if answered is None:
            return
        if rng.random() < COMPLETED_BY_AGENT_SHARE:  # by post or at the counter
            self.completed = answered
            self.transition(self.step(answered, self.office()), agent, "mark_complete",
                            {"completed_on": day(answered).isoformat(),
                             "document_request_id": document_request_id})  # fmt: skip
            self._due_moved(agent, legal.asked_due, legal.due, "completed")
            return
        self.transition(self.step(answered, self.waking()), self.user_id, "receive_documents",
                        {"document_request_id": document_request_id,
                         "answered_on": day(answered).isoformat(),
                         "late": answered > deadline})  # fmt: skip
        self._due_moved(self.user_id, legal.asked_due, legal.due, "documents_received")

    def _due_moved(self, actor, old: int | None, new: int | None, reason: str) -> None:
        if old != new:
            change = {"from": day(old), "to": day(new)}
            change = {key: value and value.isoformat() for key, value in change.items()}
            self.event(self.t, actor, "DUE_DATE_CHANGED", change | {"reason": reason})

    def _agent_email(self, agent) -> str:
        """Where the engine writes about a request: its assignee, else its team."""
        return self.s.authority.agent_emails.get(agent) or self.team.email

    def _reminders(self, legal: LegalDates, entry: int, assignee) -> None:
        """The nightly reminders before the decision date, at each threshold of
        GRU_REMINDER_DAYS the request was still open for, stamped as the engine stamps them."""
        due, s = legal.due, self.s
        if due is None:
            return
        last_open = min(legal.end, s.today)
        lower = 0
        for threshold in s.reminder_days:  # ascending
            night = max(due - threshold, entry + 1)
            if night < due and due - night > lower and night <= last_open:
                at = self.aside(night, 6 * 3600 + self.rng.random() * 600)
                payload = {"days_before": threshold, "due_on": day(due).isoformat(),
                           "to": self._agent_email(assignee)}  # fmt: skip
                self.event(at, None, "REMINDER", payload, internal=True)
                self._stamp("decision_reminder", due, at, threshold)
            lower = threshold

    def _stamp(self, kind: str, due_on: int, at: float, days_before: int = 0) -> None:
        """A notification the engine would not send twice (`NotificationSent`)."""
        s = self.s
        self.out["notifications"].append(
            (s.ids.take(NotificationSent), self.id, kind, day(due_on), days_before,
             self.clock.datetime(at))
        )  # fmt: skip

    def _conclude(self, legal: LegalDates, agent) -> float | None:
        """The decision, closing or withdrawal; returns when an implicit decision was taken."""
        rng, status = self.rng, self.status
        if status in lifecycle.DECISION_TRANSITIONS:  # accepted, in part, rejected
            motives = {ACCEPTED: texts.ACCEPT_MOTIVES, PARTIALLY_ACCEPTED: texts.PARTIAL_MOTIVES,
                       REJECTED: texts.REJECT_MOTIVES}[status]  # fmt: skip
            decision = {"outcome": status, "motive": rng.choice(motives),
                        "letter_document_id": None}  # fmt: skip
            self.transition(self.step(legal.decided, self.office()), agent,
                            lifecycle.DECISION_TRANSITIONS[status], decision)  # fmt: skip
        elif status == CLOSED:
            closure, motive = rng.choice(texts.CLOSINGS)
            self.transition(self.step(legal.decided, self.office()), agent, "close",
                            {"closure": closure, "motive": motive})  # fmt: skip
        elif status in IMPLICIT_STATES:
            triggered = self.step(legal.due, 300 + rng.random() * 3 * 3600)  # the night's sweep
            procedure = self.procedure
            implicit = {"rule": procedure.rule, "delay": procedure.delay,
                        "due_on": day(legal.due).isoformat(), "run": _run(legal.due)}  # fmt: skip
            self.transition(triggered, None, lifecycle.IMPLICIT_TRANSITIONS[procedure.rule],
                            implicit)  # fmt: skip
            # Its notices went out that night: to the citizen when there is an address.
            if self.anonymous or (self.citizen is not None and self.s.people.emailed[self.citizen]):
                self._stamp("implicit_citizen", legal.due, triggered + 60)
            self._stamp("implicit_team", legal.due, triggered + 120)
            return triggered
        elif status == WITHDRAWN:
            # Online by the citizen (through the tracking link when anonymous), or recorded by
            # an agent for a citizen without an account.
            online = self.user_id is not None or self.anonymous
            withdrawal = {"reason": rng.choice(texts.WITHDRAWAL_REASONS),
                          "by": "citizen" if online else "agent"}  # fmt: skip
            at = self.step(legal.end, self.waking() if online else self.office())
            self.transition(at, self.user_id if online else agent, "withdraw", withdrawal)
        return None

    def _messages(self, legal: LegalDates, agent) -> None:
        rng, s, clock = self.rng, self.s, self.clock
        for _ in range(s.message_count()):
            to_citizen = rng.random() < 0.55
            author = agent if to_citizen else self.user_id
            on = self.between(legal.received, legal.end)
            at = self.aside(on, self.office() if to_citizen else self.waking())
            template = rng.choice(texts.TO_CITIZEN if to_citizen else texts.FROM_CITIZEN)
            signature = s.authority.agent_names.get(agent, "Le service")
            body = template.format(name=s.name_of(self.citizen), ref=self.reference,
                                   agent=signature)  # fmt: skip
            read = at + rng.random() * 2 * DAY
            unread = self.status in OPEN and to_citizen and rng.random() < 0.4
            if unread or read > clock.now_ts:  # drawn first: the sequence must not hang on now
                read = None
            message_id = s.ids.take(s.message_model)
            direction = "to_citizen" if to_citizen else "from_citizen"
            self.out["messages"].append(
                (message_id, self.id, author, direction, body,
                 None if read is None else clock.datetime(read), clock.datetime(at))
            )  # fmt: skip
            message = {"message_id": message_id, "direction": direction, "documents": []}
            self.event(at, author, "MESSAGE", message)

    def _contacts(self, legal: LegalDates, filed_by) -> None:
        """At the counter or on the phone when it was filed for the citizen, then calls and
        visits about it. The interactions asked for are a total: these come first."""
        s, rng, clock = self.s, self.rng, self.clock
        citizen_id = s.people.citizen_id(self.citizen)
        contacts = []
        if filed_by is not None and self.channel in FILING_SUMMARY:
            summary = texts.FILING_CONTACTS[FILING_SUMMARY[self.channel]]
            contacts.append(
                (self.filed, self.channel, "inbound", filed_by, summary, "request_filed")
            )
        for _ in range(s.follow_up_count()):
            agent = rng.choice(s.front_desk) if rng.random() < 0.6 else s.worker(self.team)
            at = self.aside(self.between(legal.received, legal.end), self.office())
            direction = "inbound" if rng.random() < 0.75 else "outbound"
            summary = rng.choice(texts.FOLLOW_UP_CONTACTS)
            contacts.append((at, s.contact_channel(), direction, agent, summary, "answered"))
        rows = self.out["interactions"]
        for at, channel, direction, agent, summary, outcome in contacts[
            : max(s.interactions_left, 0)
        ]:
            s.interactions_left -= 1
            entered = clock.datetime(min(at + rng.random() * 600, clock.now_ts))
            rows.append((s.ids.take(s.interaction_model), citizen_id, self.id, channel, direction,
                         agent, s.authority.agent_team.get(agent), clock.datetime(at), summary,
                         entered, *s.contact_details(channel, outcome)))  # fmt: skip

    # --- Rows -------------------------------------------------------------------------------

    def _write_request(self, legal: LegalDates, triggered, created, assignee, filed_by) -> None:
        s, clock, rng = self.s, self.clock, self.rng
        version = self.version
        contact_name = contact_email = contact_phone = ""
        name = s.name_of(self.citizen)
        if self.anonymous:
            contact_name = name = s.filler.person()
            contact_email = s.filler.email(name)
            contact_phone = s.people.phone() if rng.random() < 0.6 else ""
        data = s.filler.data(version, legal.received, draft=False, name=name, email=contact_email)
        moments = (triggered, self.filed, created, self.events[-1][0])
        # A closing is no decision: it leaves no decision day (`request_close`).
        decided = legal.decided if self.current in DECIDED_STATES else None
        self.out["requests"].append(
            (self.id, self.reference, f"{rng.getrandbits(160):040x}", self.procedure.id,
             version.id, data, self.channel, s.people.citizen_id(self.citizen), contact_name,
             contact_email, contact_phone, s.organisation_for(self.citizen, self.procedure),
             self.team.id, assignee, filed_by, self.current, day(legal.received),
             day(self.completed), day(legal.due), day(decided),
             *(None if ts is None else clock.datetime(ts) for ts in moments))
        )  # fmt: skip

    def _draft(self) -> None:
        """Started online, not sent: no receipt, no team, no timeline."""
        s, rng, clock = self.s, self.rng, self.clock
        started = s.today - rng.randrange(60)
        created = clock.at(started, self.waking())
        updated = min(created + rng.random() * 2 * DAY, clock.now_ts)
        version = self.procedure.version_on(started)
        data = s.filler.data(version, started, draft=True, name=s.name_of(self.citizen), email="")
        self.out["requests"].append(
            (self.id, self.reference, f"{rng.getrandbits(160):040x}", self.procedure.id,
             version.id, data, self.channel, s.people.citizen_id(self.citizen), "", "", "", None,
             None, None, None, DRAFT, None, None, None, None, None, None,
             clock.datetime(created), clock.datetime(updated))
        )  # fmt: skip
