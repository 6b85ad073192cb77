"""The tracking page (issue 12, items 1, 2 and 4): what the citizen filed (their answers as the
review page showed them, under the form version they filed under, and their files), how the
request ended (outcome, motive, document, attestation, appeal), and the legal date in plain
French with why it moved; the history says what happened."""

import datetime
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service_requests import tracking
from service_requests.models import Document, Event, Status
from service_requests.services import (
    implicit_decisions_apply_due,
    request_ask_documents,
    request_decide,
    request_receive_documents,
)
from service_requests.services.filing import request_submit
from tests.factories import (
    FormVersionFactory,
    MembershipFactory,
    MessageFactory,
    ProcedureFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)
from tests.service_requests.deadline_support import filed_request, paris
from tests.service_requests.test_submit import stored_photo

pytestmark = pytest.mark.django_db

SCHEMA_V1 = {
    "version": 1,
    "pages": [
        {
            "id": "demande",
            "title": "Votre demande",
            "fields": [
                {"id": "objet", "type": "text", "label": "Objet", "required": True},
                {"id": "details", "type": "textarea", "label": "Précisions", "required": True},
                {"id": "photo", "type": "file", "label": "Photos", "required": False,
                 "accept": ["jpeg"], "max_files": 2},
            ],
        },
    ],
}  # fmt: skip


def granted(client, request):
    session = client.session
    tracking.grant(session, request)
    session.save()


def page_url(request) -> str:
    return reverse("service_requests:tracking", args=[request.reference])


def file_it(rule="acceptance", delay="P2M", answers=None, schema=SCHEMA_V1):
    procedure = ProcedureFactory(silence_rule=rule, silence_delay=delay)
    version = FormVersionFactory(procedure=procedure, number=1, schema=schema)
    return request_submit(
        procedure=procedure,
        version=version,
        answers=answers or {"objet": "Une terrasse", "details": "Du 1er au 30 juin."},
        idempotency_key=uuid.uuid4(),
        contact_email="lea.durand@exemple.fr",
    ).request


# --- 1. What was filed ----------------------------------------------------------------------


def test_the_answers_show_as_reviewed_and_typed_markup_stays_text(client):
    request = file_it(
        answers={
            "objet": "<script>alert('x')</script>",
            "details": "Ligne 1 <b>gras</b>\nLigne 2",
        }
    )
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    assert '<h2 id="answers-title">Votre demande</h2>' in html
    assert '<h3 id="review-demande">Votre demande</h3>' in html
    assert "<dt>Objet</dt>" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html and "<b>gras</b>" not in html
    assert "<dt>Photos</dt>" in html and "Non renseigné" in html
    assert "Modifier" not in html  # nothing to change once filed
    assert "{#" not in html and "landmark-unique" not in html  # no comment shows


def test_the_answers_use_the_form_version_filed_under(client):
    request = file_it()
    # A new version renames the field: the citizen still sees what they answered to.
    renamed = {
        **SCHEMA_V1,
        "pages": [
            {
                **SCHEMA_V1["pages"][0],
                "fields": [
                    {**field, "label": "Intitulé"} if field["id"] == "objet" else field
                    for field in SCHEMA_V1["pages"][0]["fields"]
                ],
            }
        ],
    }
    FormVersionFactory(procedure=request.procedure, number=2, schema=renamed)
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    assert "<dt>Objet</dt>" in html and "Intitulé" not in html


def test_the_files_sent_are_downloadable_only_by_who_may_see_the_request(client):
    request = file_it(
        answers={"objet": "Trou", "details": "Profond.", "photo": [stored_photo("trou.jpg")]}
    )
    upload = request.documents.get(kind=Document.Kind.UPLOAD)
    url = reverse("service_requests:document", args=[request.reference, upload.pk])
    # Without the proof: no link, no file.
    assert client.get(url).status_code == 404

    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    answers = html[html.index('id="answers-title"') : html.index('id="documents-title"')]
    assert f'<a href="{url}">trou.jpg</a>' in answers
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="trou.jpg"'
    # Listed once, with its answer, not again among the documents.
    assert html.count(f'href="{url}"') == 1

    stranger = UserFactory()
    client.logout()
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def page_queries(client, request) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(page_url(request)).status_code == 200
    return [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize("rule", ["acceptance", "rejection", "none"])
def test_the_query_count_does_not_grow_with_the_answers_files_or_legal_dates(client, rule):
    """The answers, the files and the legal date cost no query of their own: a request with
    none of them and one with many answers, two files and pieces asked and received read the
    same number (the request, its events, documents, messages and their files; the pieces when
    some were ever asked)."""
    bare = file_it(rule=rule, delay="P2M" if rule != "none" else "", schema={"pages": []},
                   answers={})  # fmt: skip
    MessageFactory(request=bare)
    granted(client, bare)
    page_queries(client, bare)  # warm what is read once per process
    baseline = page_queries(client, bare)

    full = file_it(
        rule=rule,
        delay="P2M" if rule != "none" else "",
        answers={
            "objet": "Trou",
            "details": "Profond.",
            "photo": [stored_photo("a.jpg"), stored_photo("b.jpg")],
        },
    )
    MessageFactory(request=full)
    granted(client, full)
    assert len(page_queries(client, full)) == len(baseline), "\n".join(baseline)

    # Pieces asked: one query more, whatever their number.
    agent = UserFactory()
    request_ask_documents(
        request=full,
        actor=agent,
        pieces=["Plan", "Photo"],
        answer_deadline=full.received_on + datetime.timedelta(days=20),
    )
    asked = len(page_queries(client, full))
    assert asked == len(baseline) + 1
    request_receive_documents(request=full)
    request_ask_documents(
        request=full,
        actor=agent,
        pieces=["Attestation"],
        answer_deadline=full.received_on + datetime.timedelta(days=20),
    )
    assert len(page_queries(client, full)) == asked


# --- 2. The decision --------------------------------------------------------------------------


def decided_by_an_agent(outcome: str, motive: str):
    team = TeamFactory()
    agent = UserFactory(first_name="Théo", last_name="Marchand", job_title="Instructeur")
    MembershipFactory(user=agent, team=team, role="instructor")
    request = filed_request("acceptance", "P2M", team=team, status=Status.IN_REVIEW)
    request_decide(request=request, actor=agent, outcome=outcome, motive=motive)
    request.refresh_from_db()
    return request


def test_an_explicit_refusal_shows_its_motive_letter_and_appeal(client):
    request = decided_by_an_agent("rejected", "Le trottoir est trop étroit <1,40 m>.")
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    letter = request.documents.get(kind=Document.Kind.DECISION)
    assert "Votre demande a été refusée le" in html
    assert "Motifs : Le trottoir est trop étroit &lt;1,40 m&gt;." in html
    href = reverse("service_requests:document", args=[request.reference, letter.pk])
    assert f'<a href="{href}">Télécharger le courrier de décision</a>' in html
    assert "Voies et délais de recours" in html
    assert "recours contentieux devant" in html and "Télérecours citoyens" in html
    assert "Décision du service : votre demande est refusée." in html  # the history


@pytest.mark.parametrize("later_entries", [0, tracking.HISTORY_PAGE + 5])
def test_the_motive_shows_whatever_came_after_the_decision(client, later_entries):
    """The ending event is read among the page's latest entries, or on its own when more than
    the page's history came after it: the motive shows either way."""
    request = decided_by_an_agent("rejected", "Hors du périmètre de la commune.")
    for _ in range(later_entries):
        Event.objects.create(
            request=request, kind="message", visibility="citizen", payload={"direction": "x"}
        )
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    assert "Motifs : Hors du périmètre de la commune." in html
    assert ("?historique=tout" in html) == bool(later_entries)


def test_an_acceptance_has_no_appeal_mentions(client):
    request = decided_by_an_agent("accepted", "")
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    assert "Votre demande a été acceptée le" in html
    assert "Télécharger le courrier de décision" in html
    assert "Voies et délais de recours" not in html
    assert "Décision du service : votre demande est acceptée." in html


def due_for_silence(rule: str):
    with time_machine.travel(paris(2026, 1, 15)):
        return filed_request(
            rule,
            "P2M",
            received_on=datetime.date(2026, 1, 15),
            decision_due_on=datetime.date(2026, 3, 16),
            contact_email="lea.durand@exemple.fr",
        )


def test_the_attestation_is_made_when_the_acceptance_is_born(client, side_effects):
    request = due_for_silence("acceptance")
    with time_machine.travel(paris(2026, 3, 16, 0, 10)), side_effects():
        assert implicit_decisions_apply_due().decided == 1
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED_IMPLICITLY
    attestation = request.documents.get(kind=Document.Kind.ATTESTATION)  # automatically

    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    assert "réputée acceptée depuis le 16 mars 2026" in html
    href = reverse("service_requests:document", args=[request.reference, attestation.pk])
    assert (
        f'<a href="{href}">Télécharger l&#x27;attestation d&#x27;acceptation implicite</a>' in html
    )
    assert "Voies et délais de recours" not in html
    assert (
        "Sans réponse dans le délai, votre demande est réputée acceptée depuis le 16 mars 2026."
        in html
    )


def test_the_attestation_is_made_on_demand_when_the_worker_has_not_run(client):
    request = due_for_silence("acceptance")
    with time_machine.travel(paris(2026, 3, 16, 0, 10)):
        implicit_decisions_apply_due(notify=False)  # decided, nothing delivered
    request.refresh_from_db()
    assert not request.documents.exists()

    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    url = reverse("service_requests:decision_document", args=[request.reference])
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert request.documents.filter(kind=Document.Kind.ATTESTATION).count() == 1
    client.get(url)
    assert request.documents.filter(kind=Document.Kind.ATTESTATION).count() == 1  # once


def test_an_implicit_rejection_offers_the_reasons_and_the_appeal(client, side_effects, settings):
    settings.GRU_ADMINISTRATIVE_COURT = "le tribunal administratif de Démo"
    request = due_for_silence("rejection")
    with time_machine.travel(paris(2026, 3, 16, 0, 10)), side_effects():
        implicit_decisions_apply_due()
    request.refresh_from_db()
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    assert "réputée rejetée depuis le 16 mars 2026" in html
    assert "Télécharger l&#x27;avis de rejet implicite" in html
    assert "Demander les motifs" in html
    assert "par un recours gracieux auprès de la Ville de Démo, ou" in html
    assert "devant le tribunal administratif de Démo" in html
    assert "dans un délai de deux mois à compter du 16 mars 2026" in html


def test_the_on_demand_document_needs_the_proof_and_an_implicit_decision(client):
    request = ServiceRequestFactory(status=Status.IN_REVIEW)
    url = reverse("service_requests:decision_document", args=[request.reference])
    assert client.get(url).status_code == 404
    granted(client, request)
    assert client.get(url).status_code == 404  # no implicit decision


# --- 4. Legal dates in plain French and what happened ----------------------------------------


def test_the_page_says_when_silence_decides_and_why_the_date_moved(client, agent):
    team = TeamFactory()
    MembershipFactory(user=agent, team=team, role="instructor")
    with time_machine.travel(paris(2023, 5, 15)):
        request = filed_request(
            "rejection",
            "P2M",
            team=team,
            status=Status.IN_REVIEW,
            received_on=datetime.date(2023, 5, 15),
            decision_due_on=datetime.date(2023, 7, 16),
        )
    with time_machine.travel(paris(2023, 5, 20)):
        request_ask_documents(
            request=request,
            actor=agent,
            pieces=["Plan de situation"],
            answer_deadline=datetime.date(2023, 6, 20),
        )
    with time_machine.travel(paris(2023, 5, 25)):
        request_receive_documents(request=request)
        granted(client, request)
        html = client.get(page_url(request)).content.decode()
    assert "Sans réponse de notre part, votre demande sera rejetée le 22 juillet 2023." in html
    assert "Le délai a été suspendu du 20 mai 2023 au 25 mai 2023 en attendant vos pièces." in html
    # The history: the pieces asked, the dates moved, and why.
    assert "Le service vous demande, avant le 20 juin 2023 : « Plan de situation »." in html
    assert (
        "La date à laquelle votre demande sera rejetée sans réponse passe du 16 juillet 2023 au "
        "17 août 2023 : des pièces vous sont demandées." in html
    )
    assert (
        "La date à laquelle votre demande sera rejetée sans réponse passe du 17 août 2023 au "
        "22 juillet 2023 : vos pièces ont été reçues." in html
    )
    assert "Vos pièces ont été reçues le 25 mai 2023." in html


def test_an_acceptance_waiting_for_pieces_says_so(client, agent):
    team = TeamFactory()
    MembershipFactory(user=agent, team=team, role="instructor")
    with time_machine.travel(paris(2023, 5, 15)):
        request = filed_request(
            "acceptance",
            "P2M",
            team=team,
            status=Status.IN_REVIEW,
            received_on=datetime.date(2023, 5, 15),
            decision_due_on=datetime.date(2023, 7, 16),
        )
    with time_machine.travel(paris(2023, 5, 20)):
        request_ask_documents(
            request=request,
            actor=agent,
            pieces=["Livret de famille"],
            answer_deadline=datetime.date(2023, 6, 20),
        )
        granted(client, request)
        html = client.get(page_url(request)).content.decode()
    assert (
        "Sans réponse de notre part, votre demande sera acceptée deux mois après la réception "
        "des pièces demandées." in html
    )
    assert "Le délai ne court pas tant que les pièces demandées le 20 mai 2023" in html
    assert (
        "La date à laquelle votre demande sera acceptée sans réponse n&#x27;est plus le "
        "16 juillet 2023 : des pièces vous sont demandées." in html
    )


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        (
            Event.Kind.MESSAGE,
            {"message_id": 1, "direction": "to_citizen", "documents": []},
            "Le service vous a écrit.",
        ),
        (
            Event.Kind.MESSAGE,
            {"message_id": 1, "direction": "to_citizen", "documents": [4, 5]},
            "Le service vous a écrit (2 fichiers joints).",
        ),
        (
            Event.Kind.MESSAGE,
            {"message_id": 1, "direction": "from_citizen", "documents": [4]},
            "Vous avez écrit au service (1 fichier joint).",
        ),
        (
            Event.Kind.DUE_DATE_CHANGED,
            {"from": "2027-02-07", "to": "2027-02-14", "reason": "documents_received"},
            "La date à laquelle votre demande sera acceptée sans réponse passe du 7 février "
            "2027 au 14 février 2027 : vos pièces ont été reçues.",
        ),
        (
            Event.Kind.DUE_DATE_CHANGED,
            {"from": None, "to": "2027-03-01", "reason": "recomputed"},
            "La date à laquelle votre demande sera acceptée sans réponse est fixée au 1er mars "
            "2027.",
        ),
        (
            Event.Kind.DECISION,
            {"from": "in_review", "to": "partially_accepted", "outcome": "partially_accepted"},
            "Décision du service : votre demande est acceptée en partie.",
        ),
        (
            Event.Kind.IMPLICIT_DECISION,
            {"from": "submitted", "to": "rejected_implicitly", "rule": "rejection",
             "due_on": "2027-02-07"},
            "Sans réponse dans le délai, votre demande est réputée rejetée depuis le 7 février "
            "2027.",
        ),
        (
            Event.Kind.CLOSED,
            {"from": "in_review", "to": "closed", "closure": "no_follow_up"},
            "Le service a classé votre demande sans suite.",
        ),
        (
            Event.Kind.WITHDRAWN,
            {"from": "in_review", "to": "withdrawn", "by": "citizen"},
            "Vous avez retiré votre demande.",
        ),
        (
            Event.Kind.WITHDRAWN,
            {"from": "in_review", "to": "withdrawn", "by": "agent"},
            "Votre demande a été retirée à votre demande, par le service.",
        ),
        (
            Event.Kind.STATUS_CHANGED,
            {"from": "submitted", "to": "in_review"},
            "Statut de votre demande : en cours.",
        ),
    ],
)  # fmt: skip
def test_history_entries_say_what_happened(kind, payload, expected):
    request = filed_request("acceptance", "P2M")
    event = Event(request=request, kind=kind, payload=payload)
    assert tracking.describe_event(event, request) == expected


def test_a_decision_recorded_without_its_letter_gets_one_on_demand(client):
    agent = UserFactory(first_name="Théo", last_name="Marchand", job_title="Instructeur")
    request = filed_request(
        "acceptance",
        "P2M",
        status=Status.REJECTED,
        received_on=datetime.date(2026, 1, 15),
        decided_on=datetime.date(2026, 2, 2),
    )
    Event.objects.create(  # as the scale dataset writes it: no letter
        request=request,
        kind=Event.Kind.DECISION,
        visibility=Event.Visibility.CITIZEN,
        actor=agent,
        payload={
            "from": "in_review",
            "to": "rejected",
            "outcome": "rejected",
            "motive": "Dossier hors délai.",
            "letter_document_id": None,
        },
    )
    granted(client, request)
    html = client.get(page_url(request)).content.decode()
    url = reverse("service_requests:decision_document", args=[request.reference])
    assert f'<a href="{url}">Télécharger le courrier de décision</a>' in html
    assert "Motifs : Dossier hors délai." in html

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.get(url)
    letter = request.documents.get(kind=Document.Kind.DECISION)  # made once
    assert letter.visible_to_citizen
    # Now kept: the page links to it.
    href = reverse("service_requests:document", args=[request.reference, letter.pk])
    assert f'href="{href}"' in client.get(page_url(request)).content.decode()
