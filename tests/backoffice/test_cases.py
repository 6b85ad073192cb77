"""The case screen and the queue, through HTTP as an agent uses them: each action, its refusals
(French message, 4xx, nothing written), two agents at once, the access log, query counts."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from citizens.models import Citizen
from gru.models import AccessLog, Membership
from service_requests.models import Document, DocumentRequest, Event, Status
from service_requests.services.messages import documents_send_from_citizen
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
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def agent(team, role=Role.INSTRUCTOR, **names):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(**names)
    MembershipFactory(user=user, team=team, role=role)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def team():
    return TeamFactory(name="Voirie", slug="voirie")


@pytest.fixture
def theo(team):
    return agent(team, first_name="Théo", last_name="Marchand", job_title="Instructeur voirie")


@pytest.fixture
def filed(team):
    citizen = CitizenFactory(given_names="Hélène", family_name="Garnier", email="h@exemple.fr")
    version = FormVersionFactory(procedure=ProcedureFactory(default_team=team))
    return ServiceRequestFactory(form_version=version, team=team, citizen=citizen)


def act(client, request, action, data=None, **extra):
    """POST an action as the case screen does: with the last timeline entry it showed."""
    data = {"seen_event_id": last_event_id(request) or 0, **(data or {})}
    url = reverse("backoffice:case_action", args=[request.reference, action])
    return client.post(url, {f"{action}-{k}": v for k, v in data.items()}, **extra)


def last_event_id(request):
    return request.events.order_by("-id").values_list("id", flat=True).first()


def test_take_assigns_and_starts_instruction(client, theo, filed):
    client.force_login(theo)
    assert act(client, filed, "take", {"seen_event_id": ""}).status_code == 400  # forged
    response = act(client, filed, "take")
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.assignee, filed.status) == (theo, Status.IN_REVIEW)
    assert list(filed.events.values_list("kind", flat=True)) == ["assigned", "status_changed"]


def test_asking_documents_refuses_bad_input_with_a_french_message_and_writes_nothing(
    client, theo, filed
):
    client.force_login(theo)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = act(client, filed, "ask_documents", {"pieces": "", "answer_deadline": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Indiquez au moins une pièce." in page
    assert "Saisissez une date valide" in page
    response = act(
        client,
        filed,
        "ask_documents",
        {"pieces": "RIB", "answer_deadline": f"{yesterday:%Y-%m-%d}"},
    )
    assert response.status_code == 400
    assert "La date limite d&#x27;envoi des pièces est déjà passée." in response.content.decode()
    assert not DocumentRequest.objects.exists()
    assert not filed.events.exists()


def test_reject_without_motive_is_refused_then_a_motivated_decision_sends_its_letter(
    client, theo, filed, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(theo)
    response = act(client, filed, "decide", {"outcome": "reject", "motive": "  "})
    assert response.status_code == 400
    assert "Un refus, même partiel, doit être motivé" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED and not Document.objects.exists()

    motive = "Le stationnement demandé gêne l'accès des secours."
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, filed, "decide", {"outcome": "reject", "motive": motive})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.decided_on) == (Status.REJECTED, timezone.localdate())
    letter = Document.objects.get(request=filed, kind=Document.Kind.DECISION)
    event = filed.events.get(kind=Event.Kind.DECISION)
    assert event.payload["letter_document_id"] == letter.pk
    with letter.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    text = re.sub(r"\s+", " ", text)
    for needle in ("Théo Marchand", "Instructeur voirie", "recours gracieux", "Télérecours"):
        assert needle in text
    assert "gêne l'accès des secours" in text
    (email,) = mail.outbox
    assert email.to == ["h@exemple.fr"]
    assert [name for name, _content, _type in email.attachments] == [letter.original_name]


def test_a_report_is_closed_not_decided(client, team, theo):
    procedure = ProcedureFactory(
        default_team=team, kind="report", silence_rule="none", silence_delay=""
    )
    report = ServiceRequestFactory(form_version=FormVersionFactory(procedure=procedure), team=team)
    client.force_login(theo)
    assert act(client, report, "decide", {"outcome": "accept"}).status_code == 403
    response = act(client, report, "close", {"closure": "answered", "motive": "Rebouché."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.events.get(kind="closed").payload["closure"] == "answered"


def test_two_agents_at_once_the_second_is_shown_what_changed(client, team, theo, filed):
    """Two real sessions open the same case; the first decides, the second, who saw the case
    before, asks for documents: refused (409) with the change listed, nothing of theirs written,
    the decision intact."""
    other = agent(team, first_name="Sophie", last_name="Lemaître")
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(theo)
    second.force_login(other)
    seen = last_event_id(filed) or 0
    assert first.get(reverse("backoffice:case", args=[filed.reference])).status_code == 200
    assert second.get(reverse("backoffice:case", args=[filed.reference])).status_code == 200
    decided = act(first, filed, "decide", {"outcome": "accept", "seen_event_id": seen})
    assert decided.status_code == 302
    deadline = timezone.localdate() + timedelta(days=15)
    late = act(
        second,
        filed,
        "ask_documents",
        {"pieces": "RIB", "answer_deadline": f"{deadline:%Y-%m-%d}", "seen_event_id": seen},
    )
    assert late.status_code in (403, 409)
    filed.refresh_from_db()
    assert filed.status == Status.ACCEPTED
    assert not DocumentRequest.objects.filter(request=filed).exists()


def test_a_stale_screen_is_refused_with_the_changes(client, team, theo, filed):
    other = agent(team, first_name="Sophie", last_name="Lemaître")
    seen = last_event_id(filed) or 0
    client.force_login(other)
    act(client, filed, "note", {"text": "Appel de l'usager."})
    client.force_login(theo)
    response = act(client, filed, "take", {"seen_event_id": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Cette demande a changé depuis que vous l&#x27;avez ouverte" in page
    assert "Note interne" in page
    filed.refresh_from_db()
    assert filed.assignee is None


def test_opening_a_case_and_a_document_is_logged_and_the_log_is_append_only(client, theo, filed):
    client.force_login(theo)
    client.get(reverse("backoffice:case", args=[filed.reference]))
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.request_reference, entry.citizen_id) == (
        theo,
        AccessLog.Action.VIEW_REQUEST,
        filed.reference,
        filed.citizen_id,
    )
    entry.request_reference = "XXXX-XXXX"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()


def test_the_citizen_answers_then_the_instructor_marks_complete(client, theo, filed):
    client.force_login(theo)
    deadline = timezone.localdate() + timedelta(days=15)
    act(
        client, filed, "ask_documents", {"pieces": "RIB", "answer_deadline": f"{deadline:%Y-%m-%d}"}
    )
    filed.refresh_from_db()
    assert filed.status == Status.AWAITING_CITIZEN
    from django.core.files.uploadedfile import SimpleUploadedFile

    document_request = DocumentRequest.objects.get(request=filed)
    documents_send_from_citizen(
        request=filed,
        document_request_id=document_request.pk,
        files_by_piece={0: [SimpleUploadedFile("rib.png", PNG, "image/png")]},
    )
    filed.refresh_from_db()
    assert filed.status == Status.IN_REVIEW
    page = client.get(reverse("backoffice:case", args=[filed.reference])).content.decode()
    assert "rib.png" in page and "Pièces reçues" in page


def test_bulk_take_says_which_rows_failed_and_why(client, team, theo):
    version = FormVersionFactory(procedure=ProcedureFactory(default_team=team))
    open_ones = [ServiceRequestFactory(form_version=version, team=team) for _ in range(2)]
    closed = ServiceRequestFactory(
        form_version=version,
        team=team,
        status=Status.ACCEPTED,
        decided_on=timezone.localdate(),
    )
    client.force_login(theo)
    references = [r.reference for r in [*open_ones, closed]]
    response = client.post(
        reverse("backoffice:queue_bulk", args=["voirie"]),
        {"references": references, "action": "take"},
        follow=True,
    )
    page = response.content.decode()
    assert "2 demandes traitées" in page
    assert f"1 demande non traitée : {closed.reference} (" in page
    assert {
        r.assignee_id for r in type(closed).objects.filter(pk__in=[r.pk for r in open_ones])
    } == {theo.pk}


def test_saved_views_are_the_agents_own(client, team, theo):
    client.force_login(theo)
    url = reverse("backoffice:queue_save_view", args=["voirie"])
    client.post(url, {"name": "À moi", "query": "assignee=me"})
    client.post(url, {"name": "À moi", "query": "assignee=me"})  # the same name: refused
    page = client.get(reverse("backoffice:queue", args=["voirie"])).content.decode()
    assert page.count('href="?assignee=me"') == 1
    other = agent(team)
    client.force_login(other)
    assert "À moi" not in client.get(reverse("backoffice:queue", args=["voirie"])).content.decode()


def test_an_agent_opening_the_citizens_space_gets_no_citizen_record(client, theo):
    client.force_login(theo)
    client.get(reverse("account_home"))
    assert not Citizen.objects.filter(user=theo).exists()


def _requests(team, count):
    version = FormVersionFactory(procedure=ProcedureFactory(default_team=team))
    citizen = CitizenFactory()
    for _ in range(count):
        ServiceRequestFactory(form_version=version, team=team, citizen=citizen)
    return version


@pytest.mark.parametrize("count", [3, 40])
def test_the_queue_costs_the_same_queries_whatever_its_size(
    client, team, theo, count, django_assert_max_num_queries
):
    _requests(team, count)
    client.force_login(theo)
    client.get(reverse("backoffice:queue", args=["voirie"]))  # session warm-up
    with django_assert_max_num_queries(16):
        response = client.get(reverse("backoffice:queue", args=["voirie"]) + "?order=due")
    assert response.status_code == 200
    assert response.content.decode().count('name="references"') == count


@pytest.mark.parametrize("events", [2, 40])
def test_the_case_screen_costs_the_same_queries_whatever_its_history(
    client, team, theo, filed, events, django_assert_max_num_queries
):
    from service_requests.services import request_add_note

    for index in range(events):
        request_add_note(request=filed, actor=theo, text=f"Note {index}")
    client.force_login(theo)
    client.get(reverse("backoffice:home"))
    with django_assert_max_num_queries(24):
        response = client.get(reverse("backoffice:case", args=[filed.reference]))
    assert response.status_code == 200


def test_the_citizen_reads_the_decision_its_motive_and_downloads_its_letter(client, theo, filed):
    from service_requests import tracking
    from service_requests.services import request_decide

    request_decide(
        request=filed, actor=theo, outcome="partially_accepted", motive="Un seul exemplaire."
    )
    session = client.session
    tracking.grant(session, filed)
    session.save()
    page = client.get(reverse("service_requests:tracking", args=[filed.reference]))
    text = page.content.decode()
    assert "Votre demande a été acceptée en partie le" in text
    assert "Un seul exemplaire." in text
    letter = Document.objects.get(request=filed, kind=Document.Kind.DECISION)
    link = reverse("service_requests:document", args=[filed.reference, letter.pk])
    assert f'href="{link}"' in text
    assert client.get(link)["Content-Type"] == "application/pdf"


def test_every_showing_of_the_case_is_logged_even_a_refused_action(client, theo, filed):
    client.force_login(theo)
    act(client, filed, "reopen", {"reason": "x"})  # not offered to an instructor: 403
    act(client, filed, "note", {"text": ""})  # invalid: 400
    assert AccessLog.objects.filter(user=theo, request_reference=filed.reference).count() == 2


def test_a_forged_last_event_is_refused(client, theo, filed, team):
    other = ServiceRequestFactory(form_version=filed.form_version, team=team)
    from service_requests.services import request_add_note

    foreign = request_add_note(request=other, actor=theo, text="Autre dossier.")
    client.force_login(theo)
    response = act(client, filed, "take", {"seen_event_id": foreign.pk})
    assert response.status_code == 409
    assert "Rechargez la page de la demande avant d&#x27;agir." in response.content.decode()
    filed.refresh_from_db()
    assert filed.assignee is None


def test_a_stale_screen_keeps_what_the_agent_typed(client, team, theo, filed):
    seen = last_event_id(filed) or 0
    other = agent(team, first_name="Sophie", last_name="Lemaître")
    from service_requests.services import request_add_note

    request_add_note(request=filed, actor=other, text="Je l'ai eue au téléphone.")
    client.force_login(theo)
    response = act(
        client,
        filed,
        "decide",
        {"outcome": "reject", "motive": "Hors délai.", "seen_event_id": seen},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Hors délai." in page  # the motive is still in its field
    assert f'value="{last_event_id(filed)}"' in page  # marked as having seen the note


def test_reopening_leaves_no_past_implicit_decision_date(client, team, filed):
    from service_requests.services import request_decide

    manager = agent(team, role=Role.TEAM_MANAGER)
    request_decide(request=filed, actor=manager, outcome="rejected", motive="Incomplet.")
    client.force_login(manager)
    assert act(client, filed, "reopen", {"reason": "Recours gracieux."}).status_code == 302
    filed.refresh_from_db()
    assert (filed.status, filed.decided_on, filed.decision_due_on) == (
        Status.IN_REVIEW,
        None,
        None,
    )
    page = client.get(reverse("backoffice:case", args=[filed.reference])).content.decode()
    assert "pas de nouvelle décision implicite" in page


def test_the_front_desk_takes_a_question_of_its_own_team(client):
    desk = TeamFactory(name="Accueil", slug="accueil")
    amelie = agent(desk, role=Role.FRONT_DESK)
    question = ProcedureFactory(
        default_team=desk, kind="information", silence_rule="none", silence_delay=""
    )
    request = ServiceRequestFactory(form_version=FormVersionFactory(procedure=question), team=desk)
    client.force_login(amelie)
    assert act(client, request, "take").status_code == 302
    request.refresh_from_db()
    assert request.assignee == amelie
    response = act(client, request, "close", {"closure": "answered", "motive": "Répondu."})
    assert response.status_code == 302


def test_a_search_by_name_in_a_queue_is_logged(client, theo, filed):
    client.force_login(theo)
    client.get(reverse("backoffice:queue", args=["voirie"]) + "?q=Garnier")
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (entry.user, entry.detail) == (theo, "Garnier")
