"""The agents' emails (issue 10, point 11): who is told of an assignment, of a citizen who writes
or sends the pieces, of an implicit decision born tomorrow; each agent's choice (at once, the
morning digest, never) honoured, except the team manager's legal alert; the digest one email per
agent and nothing twice; a rolled-back action tells nobody."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from gru.models import Membership
from service_requests import tasks
from service_requests.models import (
    AgentNotification,
    AgentNotificationDelivery,
    AgentNotificationKind,
    AgentNotificationPreference,
    Status,
)
from service_requests.services import request_ask_documents, request_assign
from service_requests.services.agent_notifications import (
    agent_digest_send,
    agent_digests_enqueue,
    agent_notification_send,
    implicit_decision_alerts_record,
    preferences_of,
    preferences_save,
)
from service_requests.services.messages import (
    documents_send_from_citizen,
    message_post_from_agent,
    message_post_from_citizen,
)
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    MembershipFactory,
    ProcedureFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
Kind = AgentNotificationKind
Delivery = AgentNotificationDelivery
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def member(team, role=Role.INSTRUCTOR, **fields):
    user = UserFactory(**fields)
    MembershipFactory(user=user, team=team, role=role)
    return user


def choose(user, kind, delivery):
    AgentNotificationPreference.objects.create(user=user, kind=kind, delivery=delivery)


def to(user):
    """The emails an agent received."""
    return [message for message in mail.outbox if message.to == [user.email]]


@pytest.fixture
def team():
    return TeamFactory(name="Voirie", slug="voirie")


@pytest.fixture
def theo(team):
    return member(team, first_name="Théo", last_name="Marchand", email="theo@ville.invalid")


@pytest.fixture
def ines(team):
    return member(team, first_name="Inès", last_name="Da Silva", email="ines@ville.invalid")


@pytest.fixture
def sophie(team):
    return member(team, Role.TEAM_MANAGER, first_name="Sophie", email="sophie@ville.invalid")


@pytest.fixture
def filed(team):
    version = FormVersionFactory(procedure=ProcedureFactory(default_team=team, title="Voirie"))
    citizen = CitizenFactory(email="helene@exemple.fr")
    return ServiceRequestFactory(form_version=version, team=team, citizen=citizen)


def assigned_to(request, user):
    request.assignee = user
    request.status = Status.IN_REVIEW
    request.save(update_fields=["assignee", "status"])
    return request


class TestAssigned:
    def test_the_new_assignee_is_told_at_once_with_the_link(
        self, side_effects, filed, theo, sophie
    ):
        with side_effects():
            request_assign(request=filed, actor=sophie, assignee=theo)

        [email] = to(theo)
        assert email.subject == f"Demande {filed.reference} attribuée : Voirie"
        case_url = f"{settings.SITE_URL}/agents/demandes/{filed.reference}/"
        assert case_url in email.body and "Sophie" in email.body
        assert case_url in email.alternatives[0][0]
        assert to(sophie) == []
        assert AgentNotification.objects.get().state == AgentNotification.State.SENT

    def test_taking_a_request_oneself_tells_nobody(self, side_effects, filed, theo):
        with side_effects():
            request_assign(request=filed, actor=theo, assignee=theo)

        assert to(theo) == []
        assert not AgentNotification.objects.exists()

    def test_never_is_honoured(self, side_effects, filed, theo, sophie):
        choose(theo, Kind.ASSIGNED, Delivery.NEVER)
        with side_effects():
            request_assign(request=filed, actor=sophie, assignee=theo)

        assert to(theo) == []
        assert not AgentNotification.objects.exists()

    def test_a_rolled_back_assignment_sends_nothing(self, side_effects, filed, theo, sophie):
        with side_effects(), pytest.raises(RuntimeError), transaction.atomic():
            request_assign(request=filed, actor=sophie, assignee=theo)
            raise RuntimeError("the action fails after the assignment")

        assert mail.outbox == []
        assert not AgentNotification.objects.exists()


class TestCitizenReplied:
    def test_a_message_tells_the_assignee_only(self, side_effects, filed, theo, ines, sophie):
        assigned_to(filed, theo)
        with side_effects():
            message_post_from_citizen(request=filed, body="Avez-vous reçu ma photo ?")

        [email] = to(theo)
        assert email.subject == f"Message de l'usager : demande {filed.reference}"
        # Personal data stays in the back office.
        assert "Avez-vous reçu ma photo" not in email.body
        assert to(ines) == [] and to(sophie) == []

    def test_unassigned_the_team_case_workers_are_told(self, side_effects, filed, theo, sophie):
        front_desk = member(filed.team, Role.FRONT_DESK)
        gone = member(filed.team, is_active=False)
        elsewhere = member(TeamFactory())
        with side_effects():
            message_post_from_citizen(request=filed, body="Bonjour")

        assert len(to(theo)) == len(to(sophie)) == 1
        assert to(front_desk) == to(gone) == to(elsewhere) == []

    def test_the_pieces_sent_tell_the_assignee(self, side_effects, filed, theo):
        assigned_to(filed, theo)
        request_ask_documents(
            request=filed,
            actor=theo,
            pieces=["RIB"],
            answer_deadline=timezone.localdate() + timedelta(days=15),
        )
        filed.refresh_from_db()
        document_request = filed.document_requests.get()
        with side_effects():
            documents_send_from_citizen(
                request=filed,
                document_request_id=document_request.pk,
                files_by_piece={0: [SimpleUploadedFile("rib.png", PNG, "image/png")]},
            )

        [email] = to(theo)
        assert email.subject == f"Pièces reçues : demande {filed.reference}"

    def test_an_agent_message_tells_no_agent(self, side_effects, filed, theo, sophie):
        assigned_to(filed, theo)
        with side_effects():
            message_post_from_agent(filed, sophie, "Nous instruisons votre demande.")

        assert to(theo) == [] and to(sophie) == []
        assert not AgentNotification.objects.exists()

    def test_never_is_honoured(self, side_effects, filed, theo):
        assigned_to(filed, theo)
        choose(theo, Kind.CITIZEN_REPLIED, Delivery.NEVER)
        with side_effects():
            message_post_from_citizen(request=filed, body="Bonjour")

        assert to(theo) == []

    def test_a_rolled_back_message_sends_nothing(self, side_effects, filed, theo):
        assigned_to(filed, theo)
        with side_effects(), pytest.raises(RuntimeError), transaction.atomic():
            message_post_from_citizen(request=filed, body="Bonjour")
            raise RuntimeError("rolled back")

        assert mail.outbox == []
        assert not AgentNotification.objects.exists()


class TestImplicitDecisionTomorrow:
    @pytest.fixture
    def due_tomorrow(self, filed, theo):
        filed.decision_due_on = timezone.localdate() + timedelta(days=1)
        filed.save(update_fields=["decision_due_on"])
        return assigned_to(filed, theo)

    def test_the_assignee_and_the_team_managers_are_told_once(
        self, side_effects, due_tomorrow, theo, ines, sophie
    ):
        other_manager = member(TeamFactory(), Role.TEAM_MANAGER)
        with side_effects():
            assert implicit_decision_alerts_record() == 2
            assert implicit_decision_alerts_record() == 0

        [email] = to(theo)
        assert email.subject == f"Décision implicite demain : demande {due_tomorrow.reference}"
        assert "réputée acceptée demain" in email.body
        assert len(to(sophie)) == 1
        assert to(ines) == [] and to(other_manager) == []

    def test_nothing_for_a_date_further_away_or_a_closed_request(self, side_effects, filed, theo):
        far = assigned_to(filed, theo)
        far.decision_due_on = timezone.localdate() + timedelta(days=2)
        far.save(update_fields=["decision_due_on"])
        ServiceRequestFactory(
            form_version=filed.form_version,
            assignee=theo,
            status=Status.CLOSED,
            decision_due_on=timezone.localdate() + timedelta(days=1),
        )
        with side_effects():
            assert implicit_decision_alerts_record() == 0

        assert mail.outbox == []

    def test_the_assignee_may_turn_it_off(self, side_effects, due_tomorrow, theo, sophie):
        choose(theo, Kind.IMPLICIT_DECISION_TOMORROW, Delivery.NEVER)
        with side_effects():
            implicit_decision_alerts_record()

        assert to(theo) == []
        assert len(to(sophie)) == 1

    def test_the_team_manager_gets_it_even_after_choosing_never(
        self, side_effects, due_tomorrow, sophie
    ):
        # Stored before the agent became a manager, or forced in the database.
        choose(sophie, Kind.IMPLICIT_DECISION_TOMORROW, Delivery.NEVER)
        with side_effects():
            implicit_decision_alerts_record()

        assert len(to(sophie)) == 1

    def test_the_team_manager_may_take_it_in_the_digest(self, side_effects, due_tomorrow, sophie):
        choose(sophie, Kind.IMPLICIT_DECISION_TOMORROW, Delivery.DIGEST)
        with side_effects():
            implicit_decision_alerts_record()
            assert to(sophie) == []
            agent_digests_enqueue()

        [digest] = to(sophie)
        assert due_tomorrow.reference in digest.body
        assert "Décisions implicites qui naissent demain (1)" in digest.body

    def test_an_alert_whose_date_moved_is_dropped(self, due_tomorrow, theo):
        implicit_decision_alerts_record()
        due_tomorrow.decision_due_on += timedelta(days=30)  # the pieces were asked meanwhile
        due_tomorrow.save(update_fields=["decision_due_on"])

        notification = AgentNotification.objects.get(user=theo)
        assert agent_notification_send(notification_id=notification.pk) is False
        notification.refresh_from_db()
        assert notification.state == AgentNotification.State.DROPPED
        assert mail.outbox == []

    def test_the_beat_task_runs_it(self, eager_celery, due_tomorrow, sophie):
        assert tasks.alert_implicit_decisions_tomorrow.delay().get() == 2
        schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert {
            "service_requests.tasks.alert_implicit_decisions_tomorrow",
            "service_requests.tasks.enqueue_agent_digests",
        } <= schedule


class TestDigest:
    def test_one_email_per_agent_and_nothing_twice(self, side_effects, team, theo, ines, sophie):
        version = FormVersionFactory(procedure=ProcedureFactory(default_team=team))
        first, second = (ServiceRequestFactory(form_version=version) for _ in range(2))
        for kind in (Kind.ASSIGNED, Kind.CITIZEN_REPLIED):
            choose(theo, kind, Delivery.DIGEST)
            choose(ines, kind, Delivery.DIGEST)
        with side_effects():
            request_assign(request=first, actor=sophie, assignee=theo)
            message_post_from_citizen(request=first, body="Bonjour")
            message_post_from_citizen(request=second, body="Bonjour")  # unassigned: the team
            assert to(theo) == to(ines) == []
            assert agent_digests_enqueue() == 2
            assert agent_digests_enqueue() == 0

        [theo_digest] = to(theo)
        assert theo_digest.subject.endswith(": 3 nouvelles")
        assert first.reference in theo_digest.body and second.reference in theo_digest.body
        assert "Demandes qui vous ont été attribuées (1)" in theo_digest.body
        assert re.search(r"message de l'usager le \d+ \w+ à \d+ h \d\d\n", theo_digest.body)
        [ines_digest] = to(ines)
        assert second.reference in ines_digest.body and first.reference not in ines_digest.body
        assert agent_digest_send(user_id=theo.pk) is False
        # Sophie chose nothing: the unassigned request's message reached her at once.
        assert len(to(sophie)) == 1

    def test_an_assignment_taken_back_is_left_out(self, side_effects, filed, theo, ines, sophie):
        choose(theo, Kind.ASSIGNED, Delivery.DIGEST)
        with side_effects():
            request_assign(request=filed, actor=sophie, assignee=theo)
            request_assign(request=filed, actor=sophie, assignee=ines)
            agent_digests_enqueue()

        assert to(theo) == []
        assert AgentNotification.objects.get(user=theo).state == AgentNotification.State.DROPPED

    def test_an_immediate_email_whose_task_was_lost_goes_in_the_digest(self, filed, theo, sophie):
        # No side effects run: the broker was down when the assignment committed.
        request_assign(request=filed, actor=sophie, assignee=theo)
        assert agent_digests_enqueue() == 0  # the task may still be on its way

        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            assert agent_digest_send(user_id=theo.pk) is True

        [digest] = to(theo)
        assert filed.reference in digest.body

    def test_news_older_than_two_days_is_dropped(self, eager_celery, filed, theo, sophie):
        request_assign(request=filed, actor=sophie, assignee=theo)  # its task lost

        with time_machine.travel(timezone.now() + timedelta(days=3)):
            assert agent_digests_enqueue() == 0

        assert to(theo) == []
        assert AgentNotification.objects.get().state == AgentNotification.State.DROPPED

    def test_an_immediate_email_goes_once(self, filed, theo, sophie):
        request_assign(request=filed, actor=sophie, assignee=theo)
        notification = AgentNotification.objects.get()

        assert agent_notification_send(notification_id=notification.pk) is True
        assert agent_notification_send(notification_id=notification.pk) is False
        assert len(to(theo)) == 1


class TestPreferences:
    def test_default_is_at_once(self, theo):
        assert preferences_of(theo) == dict.fromkeys(Kind.values, Delivery.IMMEDIATE)

    def test_an_instructor_may_turn_everything_off(self, theo):
        saved = preferences_save(user=theo, choices=dict.fromkeys(Kind.values, Delivery.NEVER))
        assert saved == dict.fromkeys(Kind.values, Delivery.NEVER)

    def test_a_team_manager_may_not_turn_the_legal_alert_off(self, sophie):
        with pytest.raises(ValidationError) as refused:
            preferences_save(user=sophie, choices={Kind.IMPLICIT_DECISION_TOMORROW: Delivery.NEVER})

        assert Kind.IMPLICIT_DECISION_TOMORROW in refused.value.message_dict
        assert not AgentNotificationPreference.objects.exists()
        preferences_save(user=sophie, choices={Kind.ASSIGNED: Delivery.NEVER})
        assert preferences_of(sophie)[Kind.ASSIGNED] == Delivery.NEVER
