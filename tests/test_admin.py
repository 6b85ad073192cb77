"""The administrators' admin: every page opens, what must not change is read-only, and the
list pages of the large tables issue a fixed number of queries."""

import datetime
import json

import factory
import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from api.models import ApiCall
from citizens.models import Relationship
from forms_builder.models import FormVersion
from gru.models import AccessLog, SitePage
from service_requests.models import (
    Document,
    DocumentRequest,
    Event,
    Interaction,
    Message,
    NotificationSent,
    OutboxMessage,
    RoutingRule,
    SatisfactionAnswer,
    ServiceRequest,
    TeamTask,
)
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    InteractionFactory,
    MembershipFactory,
    MessageFactory,
    ProcedureFactory,
    RepresentationFactory,
    ServiceRequestFactory,
)
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

# Written only through the services (filing, messaging, uploads) or never (the timeline).
# Written only through the services, which keep the timeline and the legal dates in step.
NO_ADD_ON_PURPOSE = {
    Event,
    Message,
    Document,
    ServiceRequest,
    DocumentRequest,
    NotificationSent,
    TeamTask,
    SatisfactionAnswer,  # the citizens' own words, given on the tracking page
    AccessLog,  # written by the back office as agents read, never by hand
    Delivery,  # the webhooks outbox, written with the events
    ApiCall,  # the API's call log, written by the API as it answers
    OutboxMessage,  # written with the change whose side effect it is
}
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_document(request: ServiceRequest, **fields) -> Document:
    return Document.objects.create(
        request=request,
        file="documents/2025/03/justificatif-de-domicile.pdf",
        original_name="justificatif-de-domicile.pdf",
        content_type="application/pdf",
        size=123_456,
        sha256="0" * 64,
        **fields,
    )


@pytest.fixture
def world():
    """One row of every model the admin shows."""
    citizen = CitizenFactory()
    request = ServiceRequestFactory(citizen=citizen)
    EventFactory(request=request)
    message = MessageFactory(request=request)
    make_document(request, message=message)
    InteractionFactory(citizen=citizen, request=request)
    RepresentationFactory(citizen=citizen)
    Relationship.objects.create(from_citizen=citizen, to_citizen=CitizenFactory(), kind="parent")
    RoutingRule.objects.create(
        name="Voirie du centre", procedure=request.procedure, team=request.team
    )
    MembershipFactory()
    OutboxMessage.objects.create(
        task="service_requests.tasks.send_receipt",
        args=[request.pk],
        request=request,
        next_attempt_at=request.created_at,
        state="failed",
        attempts=30,
        last_error="SMTPConnectError: (421, 'Service not available')",
    )
    SitePage.objects.get_or_create(
        slug="accessibilite", defaults={"title": "Accessibilité", "body": "Conforme."}
    )
    return request


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_every_admin_page_opens(admin_client, world, model, model_admin):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    expected_add = 403 if model in NO_ADD_ON_PURPOSE else 200
    assert admin_client.get(admin_url(model, "add")).status_code == expected_add

    obj = model._default_manager.first()
    if obj is None:
        return
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_the_apps_models_are_registered():
    labels = {model._meta.label for model in admin.site._registry}
    assert {
        "citizens.Citizen",
        "citizens.Organisation",
        "forms_builder.Procedure",
        "forms_builder.FormVersion",
        "service_requests.ServiceRequest",
        "service_requests.Event",
        "service_requests.Message",
        "service_requests.Document",
        "service_requests.Interaction",
        "service_requests.RoutingRule",
    } <= labels


class TestEventIsReadOnly:
    def test_change_page_has_no_save_nor_delete(self, admin_client):
        event = EventFactory()
        response = admin_client.get(admin_url(Event, "change", event.pk))
        content = response.content.decode()
        assert response.status_code == 200
        assert 'name="_save"' not in content
        assert 'name="_continue"' not in content
        assert admin_url(Event, "delete", event.pk) not in content

    def test_writes_are_forbidden(self, admin_client):
        event = EventFactory()
        assert admin_client.post(admin_url(Event, "change", event.pk), {}).status_code == 403
        assert admin_client.get(admin_url(Event, "delete", event.pk)).status_code == 403
        assert (
            admin_client.post(admin_url(Event, "delete", event.pk), {"post": "yes"}).status_code
            == 403
        )
        response = admin_client.post(
            admin_url(Event, "changelist"),
            {"action": "delete_selected", "_selected_action": [event.pk]},
        )
        assert response.status_code == 200  # the list again: the action does not exist
        assert Event.objects.filter(pk=event.pk).exists()

    def test_request_page_shows_the_timeline_in_time_order(self, admin_client):
        request = ServiceRequestFactory()
        # Inserted first but happened later: the inline orders by time, not by id.
        with time_machine.travel(datetime.datetime(2025, 3, 14, 11, 0, tzinfo=datetime.UTC)):
            EventFactory(request=request, kind=Event.Kind.NOTE)
        with time_machine.travel(datetime.datetime(2025, 3, 14, 9, 0, tzinfo=datetime.UTC)):
            EventFactory(request=request, kind=Event.Kind.SUBMITTED)
        with time_machine.travel(datetime.datetime(2025, 3, 14, 10, 0, tzinfo=datetime.UTC)):
            EventFactory(request=request, kind=Event.Kind.ROUTED)

        content = admin_client.get(admin_url(ServiceRequest, "change", request.pk)).content.decode()

        positions = [
            content.index(label)
            for label in ("Demande déposée", "Demande orientée", "Note interne")
        ]
        assert positions == sorted(positions)
        assert 'name="events-0-kind"' not in content
        assert 'name="events-0-DELETE"' not in content


class TestServiceRequestAdmin:
    def test_workflow_fields_are_read_only(self, admin_client):
        request = ServiceRequestFactory()
        content = admin_client.get(admin_url(ServiceRequest, "change", request.pk)).content.decode()
        for field in ("status", "team", "assignee", "received_on", "decided_on", "decision_due_on"):
            assert f'name="{field}"' not in content
        assert 'name="contact_email"' in content
        assert request.tracking_token not in content

    def test_a_filed_request_keeps_a_citizen_or_a_contact(self, admin_client):
        request = ServiceRequestFactory(citizen=None, contact_email="contact@exemple.fr")
        response = admin_client.post(
            admin_url(ServiceRequest, "change", request.pk),
            {
                "contact_email": "",
                "contact_name": "",
                "contact_phone": "",
                "citizen": "",
                "organisation": "",
                **inline_management_forms("events", "messages", "documents"),
            },
        )
        assert response.status_code == 200
        assert "doit avoir un usager ou un courriel de contact" in response.content.decode()
        request.refresh_from_db()
        assert request.contact_email == "contact@exemple.fr"

    @pytest.mark.parametrize("typed", ["K7QM-2X4P", "k7qm 2x4p", " K7QM2X4P "])
    def test_search_finds_the_reference_as_people_type_it(self, admin_client, typed):
        wanted = ServiceRequestFactory(reference="K7QM-2X4P")
        ServiceRequestFactory(reference="K7QM-2X4Q")
        response = admin_client.get(admin_url(ServiceRequest, "changelist"), {"q": typed})
        assert list(response.context["cl"].result_list) == [wanted]

    def test_event_search_goes_through_the_request_reference(self, admin_client):
        wanted = EventFactory(request=ServiceRequestFactory(reference="K7QM-2X4P"))
        EventFactory()
        response = admin_client.get(admin_url(Event, "changelist"), {"q": "k7qm-2x4p"})
        assert list(response.context["cl"].result_list) == [wanted]

    def test_documents_show_name_type_and_size_but_no_link(self, admin_client):
        request = ServiceRequestFactory()
        document = make_document(request)
        pages = [
            admin_url(ServiceRequest, "change", request.pk),
            admin_url(Document, "changelist"),
            admin_url(Document, "change", document.pk),
        ]
        for page in pages:
            content = admin_client.get(page).content.decode()
            assert "justificatif-de-domicile.pdf" in content
            assert "application/pdf" in content
            assert "121\xa0Ko" in content, page
            assert document.file.name not in content
            assert "/media/" not in content


def inline_management_forms(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


class TestFormVersionAdmin:
    def form_data(self, version: FormVersion, **changes) -> dict[str, str]:
        data = {
            "procedure": str(version.procedure_id),
            "number": str(version.number),
            "schema": json.dumps(version.schema),
            "silence_rule": version.silence_rule,
            "silence_delay": version.silence_delay,
        }
        data.update(changes)
        return data

    def test_a_published_version_is_read_only(self, admin_client):
        version = FormVersionFactory(schema={"pages": [{"title": "Publiée"}]})
        url = admin_url(FormVersion, "change", version.pk)

        content = admin_client.get(url).content.decode()
        for field in ("schema", "silence_rule", "silence_delay", "number", "published_at_0"):
            assert f'name="{field}"' not in content
        assert admin_url(FormVersion, "delete", version.pk) not in content

        response = admin_client.post(
            url, self.form_data(version, schema='{"pages": []}', silence_delay="P9M")
        )
        assert response.status_code == 302
        version.refresh_from_db()
        assert version.schema == {"pages": [{"title": "Publiée"}]}
        assert version.silence_delay == "P2M"

    def test_a_published_version_cannot_be_deleted(self, admin_client):
        version = FormVersionFactory()
        assert admin_client.get(admin_url(FormVersion, "delete", version.pk)).status_code == 403
        response = admin_client.post(
            admin_url(FormVersion, "changelist"),
            {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"},
        )
        assert response.status_code == 403
        assert FormVersion.objects.filter(pk=version.pk).exists()

    def test_a_draft_is_edited_then_published_through_the_action(self, admin_client):
        draft = FormVersionFactory(published_at=None)
        url = admin_url(FormVersion, "change", draft.pk)
        page = admin_client.get(url).content.decode()
        assert 'name="schema"' in page
        assert 'name="published_at' not in page  # never typed: the action publishes

        field = {"id": "nom", "type": "text", "label": "Nom", "required": True}
        schema = {"version": 1, "pages": [{"id": "a", "title": "A", "fields": [field]}]}
        # A publication date slipped into the POST is ignored.
        response = admin_client.post(
            url,
            self.form_data(draft, schema=json.dumps(schema), published_at_0="14/03/2025"),
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.schema == schema
        assert not draft.is_published

        response = admin_client.post(
            admin_url(FormVersion, "changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
            follow=True,
        )
        assert "1 version publiée." in response.content.decode()
        draft.refresh_from_db()
        assert draft.is_published
        assert draft.published_by.is_superuser
        assert admin_client.get(admin_url(FormVersion, "delete", draft.pk)).status_code == 403

    def test_an_invalid_schema_is_not_published_and_the_admin_says_why(self, admin_client):
        draft = FormVersionFactory(published_at=None, schema={"pages": [{"title": "A"}]})
        page = admin_client.get(admin_url(FormVersion, "change", draft.pk)).content.decode()
        assert "Version de schéma inconnue" in page  # shown before trying

        response = admin_client.post(
            admin_url(FormVersion, "changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
            follow=True,
        )
        content = response.content.decode()
        assert "n&#x27;est pas publiée" in content
        assert "Version de schéma inconnue" in content
        draft.refresh_from_db()
        assert not draft.is_published


def test_procedure_silence_is_read_only_once_a_request_exists(admin_client):
    procedure = ProcedureFactory()
    url = admin_url(type(procedure), "change", procedure.pk)
    content = admin_client.get(url).content.decode()
    assert 'name="silence_rule"' in content
    assert 'name="silence_delay"' in content

    ServiceRequestFactory(form_version=FormVersionFactory(procedure=procedure))

    content = admin_client.get(url).content.decode()
    assert 'name="silence_rule"' not in content
    assert 'name="silence_delay"' not in content
    assert 'name="title"' in content


def make_rows(model, count: int) -> None:
    requests = ServiceRequestFactory.create_batch(count, citizen=factory.SubFactory(CitizenFactory))
    for request in requests:
        if model is Event:
            EventFactory(request=request)
        elif model is Message:
            MessageFactory(request=request)
        elif model is Document:
            make_document(request)
        elif model is Interaction:
            InteractionFactory(request=request, citizen=request.citizen)


# Session, user, the filters' choices (team, procedure), the count, the rows with their joins.
# Plus, in the back office, gru.middleware's TOTP check (staff: no membership query).
PER_REQUEST_ACCOUNT_QUERIES = 1
MAX_QUERIES = {
    ServiceRequest: 6 + PER_REQUEST_ACCOUNT_QUERIES,
    Event: 4 + PER_REQUEST_ACCOUNT_QUERIES,
    Message: 4 + PER_REQUEST_ACCOUNT_QUERIES,
    Document: 4 + PER_REQUEST_ACCOUNT_QUERIES,
    Interaction: 5 + PER_REQUEST_ACCOUNT_QUERIES,
}
LARGE_TABLES = list(MAX_QUERIES)


@pytest.mark.parametrize("model", LARGE_TABLES, ids=[m._meta.label for m in LARGE_TABLES])
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, model
):
    url = admin_url(model, "changelist")
    make_rows(model, 5)
    admin_client.get(url)  # warm the caches (content types, session)

    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 5

    make_rows(model, 25)
    with (
        django_assert_max_num_queries(MAX_QUERIES[model]),
        CaptureQueriesContext(connection) as thirty,
    ):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 30

    assert len(thirty.captured_queries) == len(five.captured_queries)
