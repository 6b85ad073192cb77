"""The services that move a request's implicit decision date, decide it, or follow a rejection:
each stores the date the pure function computes, writes its events, and refuses what the state
does not allow."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from service_requests.models import (
    Document,
    DocumentRequest,
    Event,
    ServiceRequest,
    Status,
    TeamTask,
)
from service_requests.selectors import delay_label, due_badge
from service_requests.services import (
    TransitionRefused,
    request_ask_documents,
    request_ask_reasons,
    request_decide,
    request_mark_complete,
    request_receive_documents,
    request_recompute_decision_due,
)
from tests.service_requests.deadline_support import filed_request, paris

pytestmark = pytest.mark.django_db

D = datetime.date
RECEIVED = D(2023, 5, 15)
ASKED, DEADLINE = D(2023, 5, 20), D(2023, 5, 31)


def kinds(request: ServiceRequest) -> list[str]:
    return list(request.events.values_list("kind", flat=True))


def due_changes(request: ServiceRequest) -> list[tuple]:
    return [
        (event.payload["from"], event.payload["to"])
        for event in request.events.filter(kind=Event.Kind.DUE_DATE_CHANGED)
    ]


def at(day: D, hour: int = 10):
    return time_machine.travel(paris(day.year, day.month, day.day, hour), tick=False)


class TestRecompute:
    def test_stores_the_date_and_records_the_move_once(self):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        assert request.decision_due_on is None

        request = request_recompute_decision_due(request=request)
        assert request.decision_due_on == D(2023, 7, 16)
        request_recompute_decision_due(request=request)

        assert due_changes(request) == [(None, "2023-07-16")]
        event = request.events.get()
        assert event.visibility == Event.Visibility.CITIZEN
        assert ServiceRequest.objects.get(pk=request.pk).decision_due_on == D(2023, 7, 16)

    def test_a_procedure_without_implicit_decision_has_no_date(self):
        request = filed_request("none", received_on=RECEIVED)
        request = request_recompute_decision_due(request=request)
        assert request.decision_due_on is None
        assert kinds(request) == []

    def test_a_stale_date_is_put_right(self):
        request = filed_request("rejection", "P30D", received_on=RECEIVED, decision_due_on=RECEIVED)
        request = request_recompute_decision_due(request=request)
        assert request.decision_due_on == D(2023, 6, 15)
        assert due_changes(request) == [("2023-05-15", "2023-06-15")]

    def test_a_decided_request_keeps_its_date(self):
        request = filed_request(
            received_on=RECEIVED,
            status=Status.ACCEPTED,
            decided_on=D(2023, 6, 1),
            decision_due_on=D(2023, 7, 1),
        )
        request = request_recompute_decision_due(request=request)
        assert request.decision_due_on == D(2023, 7, 1)
        assert kinds(request) == []


class TestDocuments:
    """LEGAL.md §1's examples, walked through the services."""

    def ask(self, request, agent, day=ASKED, deadline=DEADLINE):
        with at(day):
            return request_ask_documents(
                request=request,
                actor=agent,
                pieces=["Justificatif de domicile", " Plan de situation "],
                answer_deadline=deadline,
            )

    def test_acceptance_waits_for_the_pieces_then_restarts(self, agent):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        with at(RECEIVED):
            request = request_recompute_decision_due(request=request)

        request = self.ask(request, agent)
        assert request.status == Status.AWAITING_CITIZEN
        assert request.decision_due_on is None
        asked = request.events.get(kind=Event.Kind.DOCUMENTS_REQUESTED)
        assert asked.visibility == Event.Visibility.CITIZEN
        assert asked.actor == agent
        assert asked.payload["documents"] == ["Justificatif de domicile", "Plan de situation"]
        assert asked.payload["deadline"] == "2023-05-31"
        assert (asked.payload["from"], asked.payload["to"]) == ("submitted", "awaiting_citizen")

        with at(D(2023, 5, 25)):
            request = request_receive_documents(request=request)
        assert request.status == Status.IN_REVIEW
        assert request.decision_due_on == D(2023, 7, 26)
        document_request = DocumentRequest.objects.get(request=request)
        assert document_request.answered_on == D(2023, 5, 25)
        assert document_request.asked_by == agent
        assert kinds(request) == [
            "due_date_changed",
            "documents_requested",
            "due_date_changed",
            "documents_received",
            "due_date_changed",
        ]
        assert due_changes(request) == [
            (None, "2023-07-16"),
            ("2023-07-16", None),
            (None, "2023-07-26"),
        ]

    def test_rejection_is_suspended_until_the_pieces_arrive(self, agent):
        request = filed_request("rejection", "P2M", received_on=RECEIVED)
        request = self.ask(request, agent)
        # Unanswered, the suspension runs to the deadline: 05-20 to 05-31, 12 days.
        assert request.decision_due_on == D(2023, 7, 28)
        with at(D(2023, 5, 25)):
            request = request_receive_documents(request=request)
        assert request.decision_due_on == D(2023, 7, 22)

    def test_pieces_received_by_post_count_from_their_arrival(self, agent):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        request = self.ask(request, agent)
        with at(D(2023, 6, 2)):
            request = request_receive_documents(
                request=request, actor=agent, answered_on=D(2023, 5, 25)
            )
        assert request.decision_due_on == D(2023, 7, 26)
        received = request.events.get(kind=Event.Kind.DOCUMENTS_RECEIVED)
        assert received.actor == agent
        assert received.payload["late"] is False

    def test_late_pieces_are_taken_and_said_late(self, agent):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        request = self.ask(request, agent)
        with at(D(2023, 6, 10)):
            request = request_receive_documents(request=request)
        assert request.decision_due_on == D(2023, 8, 11)
        assert request.events.get(kind=Event.Kind.DOCUMENTS_RECEIVED).payload["late"] is True

    def test_a_second_request_for_pieces_waits_for_the_first(self, agent):
        request = self.ask(filed_request(received_on=RECEIVED), agent)
        with pytest.raises(TransitionRefused, match="déjà demandées"):
            self.ask(request, agent, day=D(2023, 5, 21))

    def test_pieces_cannot_be_asked_once_the_decision_is_born(self, agent):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        request = request_recompute_decision_due(request=request)
        with pytest.raises(TransitionRefused, match="déjà née"):
            self.ask(request, agent, day=D(2023, 7, 16), deadline=D(2023, 7, 30))
        assert DocumentRequest.objects.count() == 0

    @pytest.mark.parametrize("status", [Status.ACCEPTED, Status.CLOSED, Status.WITHDRAWN])
    def test_pieces_cannot_be_asked_of_a_closed_request(self, agent, status):
        decided_on = D(2023, 5, 16) if status == Status.ACCEPTED else None
        request = filed_request(received_on=RECEIVED, status=status, decided_on=decided_on)
        with pytest.raises(TransitionRefused):
            self.ask(request, agent)

    @pytest.mark.parametrize("pieces", [[], [""], ["  "], "Justificatif"])
    def test_the_pieces_must_be_named(self, agent, pieces):
        request = filed_request(received_on=RECEIVED)
        with at(D(2023, 5, 20)), pytest.raises(ValidationError):
            request_ask_documents(
                request=request, actor=agent, pieces=pieces, answer_deadline=D(2023, 6, 1)
            )

    def test_the_deadline_cannot_be_past(self, agent):
        request = filed_request(received_on=RECEIVED)
        with pytest.raises(ValidationError):
            self.ask(request, agent, deadline=D(2023, 5, 19))
        assert ServiceRequest.objects.get(pk=request.pk).status == Status.SUBMITTED

    def test_nothing_to_receive_when_nothing_was_asked(self):
        request = filed_request(received_on=RECEIVED)
        with pytest.raises(TransitionRefused, match="Aucune pièce"):
            request_receive_documents(request=request)

    @pytest.mark.parametrize("answered_on", [D(2023, 5, 19), D(2023, 5, 26)])
    def test_pieces_arrive_between_the_ask_and_today(self, agent, answered_on):
        request = self.ask(filed_request(received_on=RECEIVED), agent)
        with at(D(2023, 5, 25)), pytest.raises(ValidationError):
            request_receive_documents(request=request, answered_on=answered_on)


class TestMarkComplete:
    def test_closes_the_open_request_for_pieces(self, agent):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        with at(D(2023, 5, 20)):
            request = request_ask_documents(
                request=request, actor=agent, pieces=["Kbis"], answer_deadline=D(2023, 6, 5)
            )
        with at(D(2023, 5, 25)):
            request = request_mark_complete(request=request, actor=agent)
        assert request.completed_on == D(2023, 5, 25)
        assert request.status == Status.IN_REVIEW
        assert request.decision_due_on == D(2023, 7, 26)
        assert DocumentRequest.objects.get(request=request).answered_on == D(2023, 5, 25)
        completed = request.events.get(kind=Event.Kind.COMPLETED)
        assert completed.visibility == Event.Visibility.CITIZEN
        assert completed.payload["completed_on"] == "2023-05-25"

    def test_a_complete_file_at_receipt_keeps_its_date(self, agent):
        request = filed_request("acceptance", "P2M", received_on=RECEIVED)
        request = request_recompute_decision_due(request=request)
        with at(D(2023, 5, 16)):
            request = request_mark_complete(request=request, actor=agent, completed_on=RECEIVED)
        assert request.decision_due_on == D(2023, 7, 16)
        assert due_changes(request) == [(None, "2023-07-16")]

    def test_cannot_be_complete_before_receipt_nor_after_today(self, agent):
        request = filed_request(received_on=RECEIVED)
        with at(D(2023, 5, 20)):
            for day in (D(2023, 5, 14), D(2023, 5, 21)):
                with pytest.raises(ValidationError):
                    request_mark_complete(request=request, actor=agent, completed_on=day)


class TestDecide:
    def test_an_acceptance_is_dated_today(self, agent):
        request = filed_request(received_on=RECEIVED, status=Status.IN_REVIEW)
        with at(D(2023, 6, 1)):
            request = request_decide(request=request, actor=agent, outcome="accepted", motive="")
        assert (request.status, request.decided_on) == (Status.ACCEPTED, D(2023, 6, 1))
        event = request.events.get()
        assert (event.kind, event.actor, event.visibility) == (
            Event.Kind.DECISION,
            agent,
            Event.Visibility.CITIZEN,
        )
        letter = request.documents.get(kind=Document.Kind.DECISION)
        assert event.payload == {
            "from": "in_review",
            "to": "accepted",
            "outcome": "accepted",
            "motive": "",
            "letter_document_id": letter.pk,
        }

    def test_a_rejection_states_its_reasons(self, agent):
        request = filed_request(received_on=RECEIVED)
        with pytest.raises(ValidationError, match="motivé"):
            request_decide(request=request, actor=agent, outcome="rejected", motive="  ")
        request = request_decide(
            request=request, actor=agent, outcome="rejected", motive="Hors de la commune."
        )
        assert request.status == Status.REJECTED

    def test_a_request_awaiting_pieces_may_be_decided(self, agent):
        request = filed_request(received_on=RECEIVED, status=Status.AWAITING_CITIZEN)
        request = request_decide(
            request=request, actor=agent, outcome="rejected", motive="Dossier incomplet."
        )
        assert request.status == Status.REJECTED

    def test_a_decided_request_is_not_decided_again(self, agent):
        request = filed_request(
            received_on=RECEIVED,
            status=Status.ACCEPTED_IMPLICITLY,
            decided_on=D(2023, 7, 16),
        )
        with pytest.raises(TransitionRefused, match="déjà décidée"):
            request_decide(request=request, actor=agent, outcome="rejected", motive="Trop tard.")
        assert kinds(request) == []

    def test_an_unknown_outcome_is_a_bug(self, agent):
        with pytest.raises(ValueError, match="unknown outcome"):
            request_decide(
                request=filed_request(), actor=agent, outcome="maybe", motive="Peut-être."
            )


class TestAskReasons:
    def rejected(self):
        return filed_request(
            "rejection",
            received_on=D(2022, 11, 29),
            status=Status.REJECTED_IMPLICITLY,
            decided_on=D(2023, 1, 31),
        )

    def test_the_team_owes_them_within_one_month(
        self, eager_celery, mailoutbox, django_capture_on_commit_callbacks
    ):
        request = self.rejected()
        with at(D(2023, 1, 31)), django_capture_on_commit_callbacks(execute=True):
            task = request_ask_reasons(request=request)
        # One month from 01-31 ends on the month's last day (quantième à quantième).
        assert (task.opened_on, task.due_on) == (D(2023, 1, 31), D(2023, 2, 28))
        assert task.team == request.team
        assert task.kind == TeamTask.Kind.REASONS_REQUESTED
        event = request.events.get()
        assert event.kind == Event.Kind.REASONS_REQUESTED
        assert event.visibility == Event.Visibility.CITIZEN
        assert event.payload["due_on"] == "2023-02-28"
        [email] = mailoutbox
        assert email.to == [request.team.email]
        assert request.reference in email.subject
        assert "28 février 2023" in email.body
        assert "L232-4" in email.body

    def test_asking_twice_gives_the_same_task(self):
        request = self.rejected()
        first = request_ask_reasons(request=request)
        assert request_ask_reasons(request=request) == first
        assert TeamTask.objects.count() == 1
        assert kinds(request) == ["reasons_requested"]

    @pytest.mark.parametrize(
        ("status", "decided_on"),
        [
            (Status.IN_REVIEW, None),
            (Status.REJECTED, D(2023, 1, 31)),
            (Status.ACCEPTED_IMPLICITLY, D(2023, 1, 31)),
        ],
    )
    def test_only_after_an_implicit_rejection(self, status, decided_on):
        request = filed_request(received_on=D(2022, 11, 29), status=status, decided_on=decided_on)
        with pytest.raises(TransitionRefused, match="rejet implicite"):
            request_ask_reasons(request=request)
        assert TeamTask.objects.count() == 0


@pytest.mark.parametrize(
    ("due", "today", "badge"),
    [
        (D(2023, 7, 16), D(2023, 7, 4), "J-12"),
        (D(2023, 7, 16), D(2023, 7, 15), "J-1"),
        (D(2023, 7, 16), D(2023, 7, 16), "échéance dépassée"),
        (D(2023, 7, 16), D(2023, 9, 1), "échéance dépassée"),
        (D(2024, 3, 1), D(2024, 2, 28), "J-2"),  # 2024 is a leap year
        (None, D(2023, 7, 4), ""),
    ],
)
def test_due_badge(due, today, badge):
    assert due_badge(due, today) == badge


@pytest.mark.parametrize(
    ("delay", "label"),
    [("P2M", "deux mois"), ("P1M", "un mois"), ("P30D", "30 jours"), ("P1W", "une semaine")],
)
def test_delay_label(delay, label):
    assert delay_label(delay) == label
