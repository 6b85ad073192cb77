"""The database refuses bad requests, keeps the timeline append-only, and the querysets and
public statuses speak the domain's words."""

import contextlib
import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from service_requests.models import (
    DECIDED_STATES,
    OPEN_STATES,
    Event,
    Interaction,
    PublicStatus,
    ServiceRequest,
    Status,
)
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    InteractionFactory,
    MessageFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 14)
CLOSED_STATES = sorted(set(Status) - OPEN_STATES - {Status.DRAFT})


@contextlib.contextmanager
def refused(reason: str):
    """The database refuses what the block writes, giving `reason` (a constraint's name or a
    trigger's message)."""
    with pytest.raises(IntegrityError, match=reason), transaction.atomic():
        yield


class TestServiceRequestConstraints:
    @pytest.mark.parametrize("status", Status.values)
    def test_every_status_is_accepted(self, status):
        decided_on = None if status in OPEN_STATES or status == Status.DRAFT else DAY
        request = ServiceRequestFactory(status=status, received_on=DAY, decided_on=decided_on)
        assert request.status == status

    def test_status_must_be_known(self):
        with refused("request_status_valid"):
            ServiceRequestFactory(status="lost")

    def test_channel_must_be_known(self):
        with refused("request_channel_valid"):
            ServiceRequestFactory(channel="pigeon")

    def test_a_filed_request_may_have_no_citizen_and_no_email(self):
        # An anonymous report (tests/service_requests/test_filing_contacts.py).
        ServiceRequestFactory(citizen=None, contact_email="")
        ServiceRequestFactory(citizen=CitizenFactory(), contact_email="")
        ServiceRequestFactory(citizen=None, contact_email="contact@exemple.fr")

    def test_a_draft_needs_neither_contact_nor_receipt_date(self):
        draft = ServiceRequestFactory(
            status=Status.DRAFT, citizen=None, contact_email="", received_on=None, submitted_at=None
        )
        assert draft.pk

    def test_a_filed_request_has_a_receipt_date(self):
        with refused("request_filed_has_receipt_date"):
            ServiceRequestFactory(received_on=None)

    def test_a_decision_does_not_predate_the_receipt(self):
        with refused("request_decided_after_received"):
            ServiceRequestFactory(
                status=Status.ACCEPTED, received_on=DAY, decided_on=DAY - datetime.timedelta(days=1)
            )
        ServiceRequestFactory(status=Status.ACCEPTED, received_on=DAY, decided_on=DAY)

    def test_a_draft_cannot_carry_a_decision_date(self):
        with refused("request_decided_after_received"):
            ServiceRequestFactory(status=Status.DRAFT, received_on=None, decided_on=DAY)

    @pytest.mark.parametrize("status", sorted(DECIDED_STATES))
    def test_a_decided_request_has_its_decision_date(self, status):
        with refused("request_decision_has_date"):
            ServiceRequestFactory(status=status, received_on=DAY, decided_on=None)

    def test_completeness_does_not_predate_the_receipt(self):
        with refused("request_completed_after_received"):
            ServiceRequestFactory(received_on=DAY, completed_on=DAY - datetime.timedelta(days=1))
        ServiceRequestFactory(received_on=DAY, completed_on=DAY)

    def test_the_form_version_belongs_to_the_request_procedure(self):
        request = ServiceRequestFactory()
        other_version = FormVersionFactory()
        with refused("request_form_version_of_procedure"):
            ServiceRequest.objects.filter(pk=request.pk).update(form_version=other_version)
            # The foreign key is deferred to the end of the transaction: check it now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    @pytest.mark.parametrize("status", sorted(OPEN_STATES))
    def test_an_open_request_is_not_decided(self, status):
        with refused("request_open_not_decided"):
            ServiceRequestFactory(status=status, received_on=DAY, decided_on=DAY)

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "a" * 21,
            "abcdefghijklmnopqrstu+",
            "abcdefghijklmnopqrst/v",
            "abcdefghijklmnopqrstuv==",
            "abcdefghijk lmnopqrstuv",
        ],
    )
    def test_a_weak_tracking_token_is_refused(self, token):
        with refused("request_tracking_token_strong"):
            ServiceRequestFactory(tracking_token=token)

    @pytest.mark.parametrize("token", ["a" * 22, "Ab0_-" * 12 + "Ab0_", "x" * 64])
    def test_a_strong_tracking_token_is_accepted(self, token):
        assert ServiceRequestFactory(tracking_token=token).tracking_token == token

    def test_reference_is_unique(self):
        ServiceRequestFactory(reference="2025-ABCD-1234")
        with refused("reference"):
            ServiceRequestFactory(reference="2025-ABCD-1234")

    def test_tracking_token_is_unique(self):
        request = ServiceRequestFactory()
        with refused("tracking_token"):
            ServiceRequestFactory(tracking_token=request.tracking_token)


class TestServiceRequestQuerySet:
    def test_open_keeps_submitted_in_review_and_awaiting_citizen(self):
        by_status = {
            status: ServiceRequestFactory(
                status=status,
                decided_on=DAY if status in CLOSED_STATES else None,
                received_on=DAY,
            )
            for status in Status.values
        }
        open_requests = set(ServiceRequest.objects.open())
        assert open_requests == {by_status[status] for status in OPEN_STATES}

    def test_due_before_keeps_open_requests_due_that_day_or_earlier(self):
        due_earlier = ServiceRequestFactory(decision_due_on=DAY - datetime.timedelta(days=3))
        due_that_day = ServiceRequestFactory(status=Status.AWAITING_CITIZEN, decision_due_on=DAY)
        ServiceRequestFactory(decision_due_on=DAY + datetime.timedelta(days=1))
        ServiceRequestFactory(decision_due_on=None)
        ServiceRequestFactory(status=Status.DRAFT, decision_due_on=DAY)
        ServiceRequestFactory(
            status=Status.ACCEPTED_IMPLICITLY,
            received_on=DAY - datetime.timedelta(days=60),
            decided_on=DAY - datetime.timedelta(days=1),
            decision_due_on=DAY - datetime.timedelta(days=1),
        )
        assert set(ServiceRequest.objects.due_before(DAY)) == {due_earlier, due_that_day}


# What a citizen reads for each internal status: the whole table, so a new status fails here.
PUBLIC_STATUSES = [
    (Status.DRAFT, None),
    (Status.SUBMITTED, PublicStatus.RECEIVED),
    (Status.IN_REVIEW, PublicStatus.IN_PROGRESS),
    (Status.AWAITING_CITIZEN, PublicStatus.TO_COMPLETE),
    (Status.ACCEPTED, PublicStatus.ACCEPTED),
    (Status.ACCEPTED_IMPLICITLY, PublicStatus.ACCEPTED),
    (Status.REJECTED, PublicStatus.REJECTED),
    (Status.REJECTED_IMPLICITLY, PublicStatus.REJECTED),
    (Status.CLOSED, PublicStatus.FINISHED),
    (Status.WITHDRAWN, PublicStatus.WITHDRAWN),
    (Status.PARTIALLY_ACCEPTED, PublicStatus.PARTIALLY_ACCEPTED),
]


@pytest.mark.parametrize(("status", "public_status"), PUBLIC_STATUSES)
def test_public_status(status, public_status):
    assert ServiceRequest(status=status).public_status == public_status


def test_the_public_status_table_covers_every_status():
    assert sorted(status for status, _ in PUBLIC_STATUSES) == sorted(Status)


class TestEventIsAppendOnly:
    def test_insert_is_accepted(self):
        event = EventFactory(kind=Event.Kind.NOTE, payload={"text": "Dossier complet."})
        assert Event.objects.get(pk=event.pk).payload == {"text": "Dossier complet."}

    def test_save_of_an_existing_event_is_refused(self):
        event = EventFactory()
        event.kind = Event.Kind.NOTE
        with refused("append-only"):
            event.save()

    def test_queryset_update_is_refused(self):
        event = EventFactory()
        with refused(r"append-only \(UPDATE refused\)"):
            Event.objects.filter(pk=event.pk).update(visibility=Event.Visibility.INTERNAL)
        assert Event.objects.get(pk=event.pk).visibility == Event.Visibility.CITIZEN

    def test_delete_is_refused(self):
        event = EventFactory()
        with refused(r"append-only \(DELETE refused\)"):
            event.delete()
        with refused(r"append-only \(DELETE refused\)"):
            Event.objects.filter(pk=event.pk).delete()
        assert Event.objects.filter(pk=event.pk).exists()

    def test_kind_and_visibility_must_be_known(self):
        with refused("event_kind_valid"):
            EventFactory(kind="gossip")
        with refused("event_visibility_valid"):
            EventFactory(visibility="public")


def test_message_body_is_not_empty():
    with refused("message_body_not_empty"):
        MessageFactory(body="")
    assert MessageFactory(body="Merci.").pk


def test_message_direction_must_be_known():
    with refused("message_direction_valid"):
        MessageFactory(direction="sideways")


class TestInteraction:
    def test_summary_is_not_empty(self):
        with refused("interaction_summary_not_empty"):
            InteractionFactory(summary="")

    @pytest.mark.parametrize("channel", ["fax", "WEB", ""])
    def test_channel_must_be_known(self, channel):
        with refused("interaction_channel_valid"):
            InteractionFactory(channel=channel)

    def test_direction_must_be_known(self):
        with refused("interaction_direction_valid"):
            InteractionFactory(direction="both")

    @pytest.mark.parametrize(
        "channel", ["web", "counter", "phone", "email", "mail", "sms", "social"]
    )
    def test_every_channel_is_accepted(self, channel):
        assert InteractionFactory(channel=channel).channel == channel

    def test_an_interaction_needs_no_request_nor_citizen(self):
        interaction = InteractionFactory(citizen=None, request=None)
        assert Interaction.objects.filter(pk=interaction.pk).exists()
