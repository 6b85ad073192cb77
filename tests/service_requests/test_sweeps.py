"""The timers, called in-process: the implicit decisions sweep (once, and only when due), what it
sends, the reminders, the overdue pieces, the drafts' purge, and two requests walked through time
from filing to their implicit decision."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from gru.celery import app
from service_requests import tasks
from service_requests.models import (
    Document,
    DocumentRequest,
    Event,
    NotificationSent,
    OutboxMessage,
    ServiceRequest,
    Status,
    TeamTask,
)
from service_requests.outbox import outbox_catch_up
from service_requests.services import (
    documents_overdue_enqueue,
    drafts_purge_expired,
    implicit_decisions_apply_due,
    reminders_enqueue_due,
    request_apply_implicit_decision,
    request_ask_documents,
    request_ask_reasons,
    request_decide,
    request_receive_documents,
    request_recompute_decision_due,
    request_send_decision_reminder,
)
from service_requests.services.sweeps import implicit_decisions_batch
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.service_requests.deadline_support import filed_request, paris

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 3, 16)


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def due_today(rule="acceptance", **fields):
    """Received 2025-01-15 under a two-month delay: the decision holds from 2025-03-16."""
    fields = {"received_on": D(2025, 1, 15), "decision_due_on": TODAY, **fields}
    return filed_request(rule, "P2M", **fields)


def implicit_events(request=None):
    events = Event.objects.filter(kind=Event.Kind.IMPLICIT_DECISION)
    return events.filter(request=request) if request else events


class TestImplicitDecisionSweep:
    def test_decides_a_due_request_once(self):
        accepted, rejected = due_today("acceptance"), due_today("rejection")
        not_yet = due_today(decision_due_on=TODAY + datetime.timedelta(days=1))

        with at(paris(2025, 3, 16, 0, 5)):
            result = implicit_decisions_apply_due(notify=False)
            again = implicit_decisions_apply_due(notify=False)

        assert (result.decided, again.decided) == (2, 0)
        accepted.refresh_from_db()
        rejected.refresh_from_db()
        assert accepted.status == Status.ACCEPTED_IMPLICITLY
        assert rejected.status == Status.REJECTED_IMPLICITLY
        assert accepted.decided_on == rejected.decided_on == TODAY
        assert accepted.implicit_decision_triggered_at == paris(2025, 3, 16, 0, 5)
        event = implicit_events(accepted).get()
        assert event.visibility == Event.Visibility.CITIZEN
        assert event.actor is None
        assert event.payload == {
            "from": "submitted",
            "to": "accepted_implicitly",
            "rule": "acceptance",
            "delay": "P2M",
            "due_on": "2025-03-16",
            "run": result.run,
        }
        assert implicit_events().count() == 2
        assert ServiceRequest.objects.get(pk=not_yet.pk).status == Status.SUBMITTED

    def test_a_late_sweep_dates_the_decision_on_its_birth(self):
        request = due_today()
        with at(paris(2025, 3, 19, 8)):
            implicit_decisions_apply_due(notify=False)
        request.refresh_from_db()
        assert request.decided_on == TODAY

    def test_works_through_batches(self):
        requests = [due_today() for _ in range(5)]
        with at(paris(2025, 3, 16, 0, 5)):
            result = implicit_decisions_apply_due(batch_size=2, notify=False)
        assert (result.decided, result.examined, result.batches) == (5, 5, 3)
        assert {
            r.status for r in ServiceRequest.objects.filter(pk__in=[r.pk for r in requests])
        } == {Status.ACCEPTED_IMPLICITLY}

    def test_stops_on_its_time_budget_and_the_next_run_goes_on(self):
        due_today()
        with at(paris(2025, 3, 16, 0, 5)):
            stopped = implicit_decisions_apply_due(max_seconds=-1, notify=False)
            finished = implicit_decisions_apply_due(notify=False)
        assert (stopped.complete, stopped.decided) == (False, 0)
        assert (finished.complete, finished.decided) == (True, 1)

    def test_a_request_decided_a_minute_before_is_left_alone(self, agent):
        request = due_today(status=Status.IN_REVIEW)
        with at(paris(2025, 3, 16, 0, 4)):
            request_decide(
                request=request, actor=agent, outcome="rejected", motive="Emprise trop large."
            )
        with at(paris(2025, 3, 16, 0, 5)):
            assert implicit_decisions_apply_due(notify=False).decided == 0
        request.refresh_from_db()
        assert (request.status, request.implicit_decision_triggered_at) == (Status.REJECTED, None)
        assert not implicit_events(request).exists()

    def test_a_rejection_comes_while_pieces_are_still_awaited(self, agent):
        request = filed_request("rejection", "P2M", received_on=D(2025, 1, 15))
        with at(paris(2025, 1, 20)):
            request = request_ask_documents(
                request=request, actor=agent, pieces=["RIB"], answer_deadline=D(2025, 1, 31)
            )
        assert request.decision_due_on == D(2025, 3, 28)
        with at(paris(2025, 3, 27, 23, 55)):
            assert implicit_decisions_apply_due(notify=False).decided == 0
        with at(paris(2025, 3, 28, 0, 5)):
            assert implicit_decisions_apply_due(notify=False).decided == 1
        request.refresh_from_db()
        assert request.status == Status.REJECTED_IMPLICITLY
        assert implicit_events(request).get().payload["from"] == "awaiting_citizen"

    def test_an_acceptance_waiting_for_pieces_is_not_decided_even_with_a_stale_date(self, agent):
        request = due_today(decision_due_on=None)
        with at(paris(2025, 1, 20)):
            request_ask_documents(
                request=request, actor=agent, pieces=["Plan"], answer_deadline=D(2025, 2, 1)
            )
        ServiceRequest.objects.filter(pk=request.pk).update(decision_due_on=TODAY)  # stale
        with at(paris(2025, 3, 16, 0, 5)):
            assert implicit_decisions_apply_due(notify=False).decided == 0
        request.refresh_from_db()
        assert (request.status, request.decision_due_on) == (Status.AWAITING_CITIZEN, None)
        last = request.events.filter(kind=Event.Kind.DUE_DATE_CHANGED).last()
        assert (last.payload["from"], last.payload["to"]) == ("2025-03-16", None)

    def test_the_pure_function_has_the_last_word_over_the_stored_date(self, agent):
        request = due_today("rejection")
        # Pieces recorded behind the services' back: the stored date was not moved.
        DocumentRequest.objects.create(
            request=request,
            asked_on=D(2025, 2, 1),
            answered_on=D(2025, 2, 10),
            answer_deadline=D(2025, 2, 15),
            asked_by=agent,
        )
        with at(paris(2025, 3, 16, 0, 5)):
            assert implicit_decisions_apply_due(notify=False).decided == 0
        request.refresh_from_db()
        assert (request.status, request.decision_due_on) == (Status.SUBMITTED, D(2025, 3, 26))

    def test_one_request_by_itself(self):
        request = due_today()
        with at(paris(2025, 3, 16, 9)):
            assert request_apply_implicit_decision(request=request, notify=False) is True
            assert request_apply_implicit_decision(request=request, notify=False) is False
        assert implicit_events(request).count() == 1

    def test_a_request_the_law_cannot_read_does_not_stop_the_others(self, agent, caplog):
        broken, fine = due_today(), due_today()
        # Pieces "asked" before the request was received: a receipt date corrected by hand.
        DocumentRequest.objects.create(
            request=broken,
            asked_on=D(2025, 1, 10),
            answered_on=D(2025, 1, 12),
            answer_deadline=D(2025, 1, 20),
            asked_by=agent,
        )
        with at(paris(2025, 3, 16, 0, 5)):
            result = implicit_decisions_apply_due(notify=False)
        assert (result.decided, result.failed) == (1, [broken.pk])
        assert ServiceRequest.objects.get(pk=fine.pk).status == Status.ACCEPTED_IMPLICITLY
        assert ServiceRequest.objects.get(pk=broken.pk).status == Status.SUBMITTED
        assert f"request {broken.pk} not computable" in caplog.text

    def test_the_selection_uses_the_partial_index(self):
        due_today()
        with transaction.atomic(), connection.cursor() as cursor:
            query = implicit_decisions_batch(TODAY, size=200)
            sql, params = query.query.sql_with_params()
            cursor.execute("SET LOCAL enable_seqscan = off")  # a table of a few rows
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "request_open_due_idx" in plan
        assert "SKIP LOCKED" in sql


class TestWhatAnImplicitDecisionSends:
    def test_acceptance_attestation_and_both_emails(self, side_effects, mailoutbox):
        citizen = CitizenFactory(email="helene.garnier@exemple.fr")
        request = due_today(citizen=citizen, contact_email="")
        with at(paris(2025, 3, 16, 0, 5)), side_effects():
            implicit_decisions_apply_due()

        document = Document.objects.get(request=request)
        assert document.kind == Document.Kind.ATTESTATION
        assert document.content_type == "application/pdf"
        assert (
            document.original_name == f"attestation-acceptation-implicite-{request.reference}.pdf"
        )
        assert document.file.read().startswith(b"%PDF")
        to_citizen, to_team = mailoutbox
        assert to_citizen.to == ["helene.garnier@exemple.fr"]
        assert request.reference in to_citizen.subject and "acceptée" in to_citizen.subject
        assert "16 mars 2025" in to_citizen.body
        assert "L232-3" in to_citizen.body
        html = to_citizen.alternatives[0]
        assert html[1] == "text/html" and "16 mars 2025" in html[0]
        [(name, content, mimetype)] = to_citizen.attachments
        assert (name, mimetype) == (document.original_name, "application/pdf")
        assert content.startswith(b"%PDF")
        assert to_team.to == [request.team.email]
        assert "Acceptation implicite" in to_team.subject
        assert "helene.garnier@exemple.fr" in to_team.body
        assert set(NotificationSent.objects.values_list("kind", flat=True)) == {
            "implicit_citizen",
            "implicit_team",
        }

    def test_rejection_notice_goes_to_the_contact_address(self, side_effects, mailoutbox):
        request = due_today("rejection", contact_email="anonyme@exemple.fr")
        with at(paris(2025, 3, 16, 0, 5)), side_effects():
            implicit_decisions_apply_due()
        assert Document.objects.get(request=request).kind == Document.Kind.REJECTION_NOTICE
        to_citizen, to_team = mailoutbox
        assert to_citizen.to == ["anonyme@exemple.fr"]
        assert "rejet" in to_citizen.subject
        assert "Télérecours citoyens" in to_citizen.body
        assert "deux mois" in to_citizen.body
        assert "Rejet implicite" in to_team.subject

    def test_without_an_address_the_team_is_told_to_post_it(self, side_effects, mailoutbox):
        request = due_today(citizen=CitizenFactory(email=""), contact_email="")
        with at(paris(2025, 3, 16, 0, 5)), side_effects():
            implicit_decisions_apply_due()
        [to_team] = mailoutbox
        assert "par courrier" in to_team.body
        assert Document.objects.filter(request=request).count() == 1

    def test_delivering_again_sends_nothing_twice(self, side_effects, mailoutbox):
        request = due_today()
        with at(paris(2025, 3, 16, 0, 5)), side_effects():
            implicit_decisions_apply_due()
            tasks.deliver_implicit_decision.delay(request.pk)
            tasks.deliver_implicit_decision.delay(request.pk)
        assert len(mailoutbox) == 2
        assert Document.objects.filter(request=request).count() == 1

    def test_notices_lost_with_the_broker_are_caught_up_by_the_outbox(
        self, side_effects, mailoutbox, monkeypatch
    ):
        request = due_today()
        with monkeypatch.context() as broker:
            broker.setattr(tasks.deliver_outbox_message, "delay", refuse)
            with at(paris(2025, 3, 16, 0, 5)), side_effects():
                implicit_decisions_apply_due()
        assert mailoutbox == []
        [row] = OutboxMessage.objects.filter(task=tasks.deliver_implicit_decision.name)
        assert (row.args, row.request_id, row.state) == ([request.pk], request.pk, "pending")
        with at(paris(2025, 3, 16, 0, 6)), side_effects():
            assert outbox_catch_up().handed_over == 1
        assert len(mailoutbox) == 2
        with at(paris(2025, 3, 16, 0, 30)), side_effects():
            assert outbox_catch_up().handed_over == 0
        assert len(mailoutbox) == 2
        assert Document.objects.filter(request=request).count() == 1
        row.refresh_from_db()
        assert (row.state, row.attempts) == ("done", 1)


def refuse(*args, **kwargs):
    raise ConnectionRefusedError("the broker is down")


class TestReminders:
    def run(self, day: D):
        with at(paris(day.year, day.month, day.day, 2, 10)):
            return reminders_enqueue_due()

    def test_at_j15_and_j3_once_each(self, eager_celery, mailoutbox):
        assignee = UserFactory(email="theo.marchand@ville-demo.invalid")
        request = due_today(assignee=assignee)
        days = [D(2025, 2, 28), D(2025, 3, 1), D(2025, 3, 1), D(2025, 3, 10)]
        days += [D(2025, 3, 13), D(2025, 3, 14), D(2025, 3, 15), D(2025, 3, 16)]
        assert [self.run(day) for day in days] == [
            0,  # J-16
            1,  # J-15
            0,  # the same night again
            0,
            1,  # J-3
            0,
            0,
            0,  # the decision is born: the sweep's business now
        ]
        first, second = mailoutbox
        assert first.to == second.to == ["theo.marchand@ville-demo.invalid"]
        assert "15 jours" in first.subject and "3 jours" in second.subject
        assert "16 mars 2025" in first.body and "acceptée" in first.body
        reminders = request.events.filter(kind=Event.Kind.REMINDER)
        assert [event.payload["days_before"] for event in reminders] == [15, 3]
        assert {event.visibility for event in reminders} == {Event.Visibility.INTERNAL}

    def test_to_the_team_when_nobody_is_assigned(self, eager_celery, mailoutbox):
        request = due_today("rejection")
        self.run(D(2025, 3, 13))
        [email] = mailoutbox
        assert email.to == [request.team.email]
        assert "rejetée" in email.body

    def test_a_missed_night_sends_the_nearest_reminder_only(self, eager_celery, mailoutbox):
        due_today()
        assert self.run(D(2025, 3, 14)) == 1
        [email] = mailoutbox
        assert "2 jours" in email.subject
        assert NotificationSent.objects.get().days_before == 3

    def test_a_moved_date_is_a_new_reminder(self, eager_celery, mailoutbox):
        request = due_today()
        self.run(D(2025, 3, 1))
        ServiceRequest.objects.filter(pk=request.pk).update(decision_due_on=D(2025, 4, 20))
        self.run(D(2025, 4, 5))
        assert len(mailoutbox) == 2

    def test_a_reminder_whose_date_moved_meanwhile_is_dropped(self, mailoutbox):
        request = due_today()
        with at(paris(2025, 3, 1, 2, 10)):
            sent = request_send_decision_reminder(
                request_id=request.pk, days_before=15, due_on=D(2025, 3, 20)
            )
        assert sent is False and mailoutbox == []

    def test_the_days_are_a_setting(self, eager_celery, mailoutbox, settings):
        settings.GRU_REMINDER_DAYS = [7]
        due_today()
        assert self.run(D(2025, 3, 1)) == 0
        assert self.run(D(2025, 3, 9)) == 1


class TestOverduePieces:
    def ask(self, agent, **fields):
        request = due_today("rejection", decision_due_on=None, **fields)
        with at(paris(2025, 1, 20)):
            return request_ask_documents(
                request=request, actor=agent, pieces=["RIB"], answer_deadline=D(2025, 1, 31)
            )

    def run(self, day: D):
        with at(paris(day.year, day.month, day.day, 2, 25)):
            return documents_overdue_enqueue()

    def test_the_agent_is_alerted_once_the_day_after_the_deadline(
        self, agent, eager_celery, mailoutbox
    ):
        request = self.ask(agent, assignee=agent)
        assert [self.run(day) for day in (D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 2))] == [
            0,
            1,
            0,
        ]
        [email] = mailoutbox
        assert email.to == [agent.email]
        assert "RIB" in email.body and "31 janvier 2025" in email.body
        assert "28 mars 2025" in email.body  # when the rejection will be born
        event = request.events.get(kind=Event.Kind.DOCUMENTS_OVERDUE)
        assert event.visibility == Event.Visibility.INTERNAL
        assert DocumentRequest.objects.get().overdue_alerted_at is not None

    def test_pieces_received_are_not_overdue(self, agent, eager_celery, mailoutbox):
        request = self.ask(agent)
        with at(paris(2025, 1, 25)):
            request_receive_documents(request=request)
        assert self.run(D(2025, 2, 1)) == 0
        assert mailoutbox == []


class TestDrafts:
    def draft(self, days_ago: int, today: D, **fields):
        draft = ServiceRequestFactory(
            status=Status.DRAFT, received_on=None, submitted_at=None, team=None, **fields
        )
        moment = paris(today.year, today.month, today.day, 15) - datetime.timedelta(days=days_ago)
        ServiceRequest.objects.filter(pk=draft.pk).update(updated_at=moment)
        return draft

    def run(self, day: D):
        with at(paris(day.year, day.month, day.day, 3, 40)):
            return drafts_purge_expired()

    def test_warned_a_week_before_then_deleted(self, eager_celery, mailoutbox):
        today = D(2025, 6, 1)
        draft = self.draft(83, today, contact_email="brouillon@exemple.fr")
        kept = ServiceRequestFactory(received_on=D(2024, 1, 2))  # filed long ago: not a draft

        assert self.run(today - datetime.timedelta(days=1)).warned == 0
        assert (self.run(today).warned, self.run(today).warned) == (1, 0)
        [email] = mailoutbox
        assert email.to == ["brouillon@exemple.fr"]
        assert "8 juin 2025" in email.subject

        assert self.run(D(2025, 6, 7)).deleted == 0
        assert self.run(D(2025, 6, 8)).deleted == 1
        assert not ServiceRequest.objects.filter(pk=draft.pk).exists()
        assert not ServiceRequest.history.filter(id=draft.pk).exists()
        assert not NotificationSent.objects.exists()
        assert ServiceRequest.objects.filter(pk=kept.pk).exists()

    def test_without_an_address_deleted_on_the_day(self):
        draft = self.draft(90, D(2025, 6, 8), contact_email="")
        assert self.run(D(2025, 6, 8)).deleted == 1
        assert not ServiceRequest.objects.filter(pk=draft.pk).exists()

    def test_a_late_warning_still_gives_a_week(self, eager_celery, mailoutbox):
        draft = self.draft(95, D(2025, 6, 8), contact_email="brouillon@exemple.fr")
        result = self.run(D(2025, 6, 8))
        assert (result.warned, result.deleted) == (1, 0)
        assert "15 juin 2025" in mailoutbox[0].subject
        assert self.run(D(2025, 6, 14)).deleted == 0
        assert self.run(D(2025, 6, 15)).deleted == 1
        assert not ServiceRequest.objects.filter(pk=draft.pk).exists()

    def test_its_uploads_go_with_it(self, django_capture_on_commit_callbacks):
        draft = self.draft(90, D(2025, 6, 8), contact_email="")
        document = Document(
            request=draft,
            original_name="plan.pdf",
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
        )
        document.file.save("plan.pdf", ContentFile(b"%PDF"), save=True)
        storage, name = document.file.storage, document.file.name
        assert storage.exists(name)
        with django_capture_on_commit_callbacks(execute=True):
            self.run(D(2025, 6, 8))
        assert not Document.objects.filter(pk=document.pk).exists()
        assert not storage.exists(name)

    def test_the_files_its_answers_hold_go_with_it(self, django_capture_on_commit_callbacks):
        schema = {
            "version": 1,
            "pages": [
                {
                    "id": "photos",
                    "title": "Photos",
                    "fields": [{"id": "photo", "type": "file", "label": "Photo"}],
                }
            ],
        }
        key = default_storage.save("uploads/2025/06/abc123", ContentFile(b"\xff\xd8\xff"))
        draft = self.draft(
            90,
            D(2025, 6, 8),
            contact_email="",
            form_version=FormVersionFactory(schema=schema, published_at=None),
            data={"photo": [{"key": key, "name": "trottoir.jpg", "size": 3}]},
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert self.run(D(2025, 6, 8)).deleted == 1
        assert not ServiceRequest.objects.filter(pk=draft.pk).exists()
        assert not default_storage.exists(key)

    def test_a_draft_with_a_timeline_is_kept(self, caplog):
        draft = self.draft(90, D(2025, 6, 8), contact_email="")
        EventFactory(request=draft)
        result = self.run(D(2025, 6, 8))
        assert (result.deleted, result.kept) == (0, [draft.pk])
        assert "has a timeline" in caplog.text

    def test_a_draft_something_protected_refers_to_is_kept(self, agent, caplog):
        draft = self.draft(90, D(2025, 6, 8), contact_email="")
        TeamTask.objects.create(
            request=draft,
            team=draft.procedure.default_team,
            kind=TeamTask.Kind.REASONS_REQUESTED,
            opened_on=D(2025, 6, 1),
            due_on=D(2025, 7, 1),
        )
        assert self.run(D(2025, 6, 8)).kept == [draft.pk]
        assert "is referred to: kept" in caplog.text

    def test_the_lifespan_is_a_setting(self, settings):
        settings.GRU_DRAFT_LIFESPAN_DAYS = 30
        self.draft(30, D(2025, 6, 8), contact_email="")
        assert self.run(D(2025, 6, 8)).deleted == 1


class TestWalksThroughTime:
    """From filing to the implicit decision, with the beat tasks run as they would be."""

    def sweep(self, moment):
        with at(moment):
            tasks.apply_implicit_decisions.delay()

    def test_acceptance_through_a_documents_request(self, agent, side_effects, mailoutbox):
        citizen = CitizenFactory(email="jb.morin@exemple.fr")
        with at(paris(2025, 1, 15, 9, 30)):
            request = filed_request(
                "acceptance", "P2M", citizen=citizen, contact_email="", assignee=agent
            )
            request = request_recompute_decision_due(request=request)
        assert request.decision_due_on == D(2025, 3, 16)

        with at(paris(2025, 1, 20, 11)):
            request = request_ask_documents(
                request=request, actor=agent, pieces=["Kbis"], answer_deadline=D(2025, 2, 5)
            )
        assert request.decision_due_on is None
        with side_effects():
            self.sweep(paris(2025, 3, 16, 0, 5))  # the first date passes: nothing
        with at(paris(2025, 2, 3, 18)):
            request = request_receive_documents(request=request)
        assert request.decision_due_on == D(2025, 4, 4)

        with side_effects():
            for day in (D(2025, 3, 20), D(2025, 4, 1)):
                with at(paris(day.year, day.month, day.day, 2, 10)):
                    tasks.enqueue_decision_reminders.delay()
            self.sweep(paris(2025, 4, 3, 23, 55))
        assert [email.to for email in mailoutbox] == [[agent.email]] * 2
        assert ServiceRequest.objects.get(pk=request.pk).status == Status.IN_REVIEW

        with side_effects():
            self.sweep(paris(2025, 4, 4, 0, 5))
            self.sweep(paris(2025, 4, 4, 0, 10))
        request.refresh_from_db()
        assert (request.status, request.decided_on) == (Status.ACCEPTED_IMPLICITLY, D(2025, 4, 4))
        assert implicit_events(request).count() == 1
        assert request.documents.get().kind == Document.Kind.ATTESTATION
        assert [email.to for email in mailoutbox[2:]] == [
            ["jb.morin@exemple.fr"],
            [request.team.email],
        ]

    def test_rejection_through_unanswered_pieces(self, agent, side_effects, mailoutbox):
        with at(paris(2025, 1, 15, 9, 30)):
            request = filed_request(
                "rejection", "P2M", contact_email="y.haddad@exemple.fr", assignee=agent
            )
            request = request_recompute_decision_due(request=request)
        with at(paris(2025, 1, 20, 11)):
            request = request_ask_documents(
                request=request, actor=agent, pieces=["Statuts"], answer_deadline=D(2025, 1, 31)
            )
        assert request.decision_due_on == D(2025, 3, 28)

        with side_effects():
            for day in (D(2025, 1, 31), D(2025, 2, 1), D(2025, 2, 2)):
                with at(paris(day.year, day.month, day.day, 2, 25)):
                    tasks.enqueue_documents_overdue_alerts.delay()
        [alert] = mailoutbox
        assert alert.to == [agent.email]

        with side_effects():
            self.sweep(paris(2025, 3, 27, 23, 55))
            self.sweep(paris(2025, 3, 28, 0, 5))
        request.refresh_from_db()
        assert (request.status, request.decided_on) == (Status.REJECTED_IMPLICITLY, D(2025, 3, 28))
        assert request.documents.get().kind == Document.Kind.REJECTION_NOTICE
        assert [email.to for email in mailoutbox[1:]] == [
            ["y.haddad@exemple.fr"],
            [request.team.email],
        ]

        with at(paris(2025, 3, 30, 14)), side_effects():
            task = request_ask_reasons(request=request)
        assert task.due_on == D(2025, 4, 30)
        assert mailoutbox[-1].to == [request.team.email]


def test_the_beat_runs_the_sweeps_and_never_waits_on_eta():
    schedule = app.conf.beat_schedule
    sweep = schedule["apply-implicit-decisions"]
    assert sweep["task"] == "service_requests.tasks.apply_implicit_decisions"
    assert sweep["schedule"].minute == set(range(0, 60, 5))
    for name in (
        "apply-implicit-decisions",
        "catch-up-outbox",
        "enqueue-decision-reminders",
        "enqueue-documents-overdue-alerts",
        "purge-expired-drafts",
    ):
        task = app.tasks[schedule[name]["task"]]
        assert task.soft_time_limit < task.time_limit
        assert "countdown" not in schedule[name].get("options", {})
        assert "eta" not in schedule[name].get("options", {})


def test_each_beat_task_runs_with_nothing_to_do():
    for entry in app.conf.beat_schedule.values():
        if entry["task"].startswith("service_requests."):
            assert app.tasks[entry["task"]].apply().get() == 0
