"""The acknowledgment of receipt, read back from the PDF as a citizen's reader would: every
mention of LEGAL.md §2 for an acceptance (SVA), a rejection (SVR) and a démarche without
implicit decision; the email that carries it, with the secret tracking link; the worker that
makes it after the submission, and the download that makes it if the worker has not.

Celery runs eagerly here: `filed` commits the submission, then runs what it enqueued (the
receipt task) as the worker would."""

import datetime
import io
import re
import threading
import time
import uuid
from html import unescape

import pypdf
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from service_requests import tasks
from service_requests.models import (
    Document,
    DocumentRequest,
    Event,
    OutboxMessage,
    ServiceRequest,
    Status,
)
from service_requests.outbox import outbox_catch_up
from service_requests.services import receipts
from service_requests.services.receipts import (
    implicit_decision_sentence,
    request_issue_receipt,
    request_send_receipt,
)
from service_requests.tasks import send_receipt
from tests.factories import CitizenFactory, UserFactory
from tests.service_requests.test_submit import (
    ACTE,
    SIGNALEMENT,
    _files_under,
    demo_version,
    stored_photo,
    submit,
    under_rejection,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the secret link counts against the tracking rate limit


FILED_AT = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)
QUESTION = {
    "sujet": "urbanisme",
    "objet": "Clôture",
    "question": "Faut-il une autorisation pour une clôture ?",
    "nom": "Léa Durand",
    "canal_reponse": "email",
    "email": "lea.durand@exemple.fr",
}


def text_of(document: Document) -> str:
    with document.file.open("rb") as pdf:
        reader = pypdf.PdfReader(io.BytesIO(pdf.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)  # lines break where the layout wants


def filed(slug: str, answers: dict, *, worker: bool = True, **kwargs):
    """Filed at FILED_AT; with `worker`, what the submission enqueued on commit then runs (the
    receipt task: it makes the receipt and emails it). Without, the worker has not run yet."""
    with time_machine.travel(FILED_AT), TestCase.captureOnCommitCallbacks(execute=worker):
        return submit(demo_version(slug), answers, **kwargs).request


def receipt_of(request) -> Document:
    return request.documents.get(kind=Document.Kind.RECEIPT)


def receipts_of(request) -> list[Document]:
    return list(request.documents.filter(kind=Document.Kind.RECEIPT))


def receipt_url(request) -> str:
    return reverse("service_requests:receipt", args=[request.reference])


def with_proof(client, request) -> Client:
    """The client once it has opened the request's secret link (as from the email)."""
    secret = reverse(
        "service_requests:secret_link", args=[request.reference, request.tracking_token]
    )
    assert client.get(secret).status_code == 302
    return client


def count_renders(monkeypatch) -> list:
    """Each receipt rendered from now on, by the real renderer."""
    renders, real = [], receipts.render_pdf

    def render_pdf(*args, **kwargs):
        renders.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(receipts, "render_pdf", render_pdf)
    return renders


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def common_mentions(request) -> list[str]:
    team = request.team
    return [
        "Accusé de réception",
        "Ville de Démo",  # the authority
        request.procedure.title,
        request.reference,
        # 1. the date of receipt
        "Date de réception 15 janvier 2026",
        # 2. the service in charge: name, postal address, email, telephone
        team.name,
        *team.postal_address.split("\n"),
        team.email,
        team.phone,
        # 5. missing pieces: none at filing, what the service will do, the effect on the delay
        "Aucune pièce manquante",
        "le service vous indiquera la liste des pièces manquantes et le délai",
        "L114-5",
        # the tracking link
        "http://127.0.0.1:8000" + reverse("service_requests:tracking", args=[request.reference]),
    ]


def assert_mentions(text: str, mentions: list[str]) -> None:
    missing = [mention for mention in mentions if mention not in text]
    assert not missing, f"missing {missing} in:\n{text}"


def test_receipt_of_a_request_that_silence_accepts():
    request = filed("acte-etat-civil", ACTE)
    text = text_of(receipt_of(request))
    assert_mentions(
        text,
        [
            *common_mentions(request),
            # 3. implicit acceptance and its date (one month, received 15 January)
            "décision implicite d'acceptation",
            "un mois",
            "L231-1",
            "réputée acceptée le 16 février 2026",
            # 4. the attestation of L232-3
            "attestation de cette acceptation implicite",
            "L232-3",
            # 5. the effect of missing pieces on an acceptance delay
            "ne court qu'à compter de la réception des pièces manquantes",
        ],
    )
    assert "Télérecours" not in text
    assert request.decision_due_on == datetime.date(2026, 2, 16)


def test_receipt_of_a_request_that_silence_rejects(settings):
    settings.GRU_ADMINISTRATIVE_COURT = "le tribunal administratif de Démo-sur-Loire"
    # The question's form under a rejection rule (a question itself has none, LEGAL.md §1).
    with time_machine.travel(FILED_AT), TestCase.captureOnCommitCallbacks(execute=True):
        request = submit(under_rejection("demande-information"), QUESTION).request
    text = text_of(receipt_of(request))
    assert_mentions(
        text,
        [
            *common_mentions(request),
            # 3. implicit rejection and its date (two months)
            "décision implicite de rejet",
            "deux mois",
            "L231-4",
            "réputée rejetée le 16 mars 2026",
            # 4. the means and delays of appeal
            "recours gracieux auprès de la Ville de Démo",
            "recours contentieux devant le tribunal administratif de Démo-sur-Loire",
            "délai de deux mois",
            "Télérecours citoyens",
            # 5. the effect of missing pieces on a rejection delay
            "est suspendu pendant le délai imparti pour fournir les pièces",
        ],
    )
    assert "L232-3" not in text


def test_receipt_of_a_request_without_implicit_decision():
    request = filed("signalement-voirie", SIGNALEMENT)
    text = text_of(receipt_of(request))
    assert_mentions(
        text,
        [
            *common_mentions(request),
            # 3. that no implicit decision can arise
            "ne peut donner lieu à aucune décision implicite, ni d'acceptation ni de rejet",
            "le traitement de votre demande attend la réception des pièces manquantes",
        ],
    )
    assert "réputée" not in text and "Télérecours" not in text
    assert request.decision_due_on is None


def test_a_receipt_issued_while_pieces_are_missing_lists_them_and_gives_no_date():
    """An acceptance clock waiting for pieces has no date yet (a receipt made again later, or
    for a request entered at the counter)."""
    request = filed("acte-etat-civil", ACTE)
    receipt_of(request).delete()
    DocumentRequest.objects.create(
        request=request,
        asked_on=datetime.date(2026, 1, 20),
        answer_deadline=datetime.date(2026, 2, 20),
        pieces=["Livret de famille"],
        asked_by=UserFactory(),
    )
    request.status = Status.AWAITING_CITIZEN
    request.save()

    text = text_of(request_issue_receipt(request=request))

    assert_mentions(
        text,
        [
            "aucune date ne peut encore être indiquée",
            "Livret de famille",
            "au plus tard le 20 février 2026",
        ],
    )


def test_the_requester_is_named_when_known():
    citizen = CitizenFactory(given_names="Hélène", family_name="Garnier")
    request = filed("acte-etat-civil", ACTE, citizen=citizen, contact_email="")
    assert "Demandeur Hélène Garnier" in text_of(receipt_of(request))


def test_a_receipt_is_issued_once():
    request = filed("signalement-voirie", SIGNALEMENT)
    assert request_issue_receipt(request=request) == receipt_of(request)
    assert request.documents.filter(kind=Document.Kind.RECEIPT).count() == 1


@pytest.mark.parametrize(
    ("rule", "day", "expected"),
    [
        ("acceptance", datetime.date(2026, 2, 16), "sera acceptée le 16 février 2026"),
        ("acceptance", None, "un mois après la réception des pièces demandées"),
        ("rejection", datetime.date(2026, 3, 16), "sera rejetée le 16 mars 2026"),
        ("none", None, "n'appelle pas de décision implicite"),
    ],
)
def test_the_plain_sentence_of_the_confirmation_and_the_email(rule, day, expected):
    delay = "P1M" if rule != "none" else ""
    assert expected in implicit_decision_sentence(rule, day, delay, today=datetime.date(2026, 1, 1))


# --- The email --------------------------------------------------------------------------------


def test_the_receipt_email_carries_the_pdf_and_the_secret_link(mailoutbox, settings):
    settings.SITE_URL = "https://demarches.ville-demo.fr"
    request = filed("acte-etat-civil", ACTE, contact_email="lea.durand@exemple.fr")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["lea.durand@exemple.fr"]
    assert message.subject == f"Accusé de réception de votre demande {request.reference}"
    link = "https://demarches.ville-demo.fr" + reverse(
        "service_requests:secret_link",
        kwargs={"reference": request.reference, "token": request.tracking_token},
    )
    html = unescape(message.alternatives[0][0])
    for body in (message.body, html):
        assert request.reference in body
        assert link in body
        assert "Demander un acte d'état civil" in body
        assert "sera acceptée le 16 février 2026" in body
        assert "01 00 00 00 30" in body  # the team's telephone
    assert message.alternatives[0][1] == "text/html"
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (f"accuse-reception-{request.reference}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    assert content == receipt_of(request).file.open("rb").read()


def test_the_email_goes_to_the_citizen_when_no_contact_address_was_given(mailoutbox):
    citizen = CitizenFactory(email="helene@exemple.fr")
    request = filed(
        "signalement-voirie", SIGNALEMENT, citizen=citizen, contact_email="", worker=False
    )

    assert send_receipt(request.pk) is True
    assert mailoutbox[0].to == ["helene@exemple.fr"]


def test_nobody_to_write_to_sends_nothing(mailoutbox):
    citizen = CitizenFactory(email="")
    request = filed(
        "signalement-voirie", SIGNALEMENT, citizen=citizen, contact_email="", worker=False
    )

    assert request_send_receipt(request_id=request.pk) is False
    assert request_send_receipt(request_id=0) is False
    assert mailoutbox == []


def test_a_broker_away_does_not_fail_the_submission(monkeypatch, mailoutbox, caplog, client):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Redis is away")

    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", broker_down)
    request = filed("signalement-voirie", SIGNALEMENT)

    assert ServiceRequest.objects.get(pk=request.pk).status == Status.SUBMITTED  # filed
    assert "left to the catch-up" in caplog.text  # the hand-over failed, logged, after commit
    assert receipts_of(request) == [] and mailoutbox == []
    [row] = OutboxMessage.objects.filter(request=request)  # the email waits for the catch-up
    assert (row.task, row.state) == (send_receipt.name, "pending")
    # The confirmation page's link makes the receipt on the citizen's click.
    response = with_proof(client, request).get(receipt_url(request))
    assert response.status_code == 200
    assert downloaded(response) == receipt_of(request).file.open("rb").read()


# --- Made by the worker, after the submission -------------------------------------------------


def test_a_receipt_that_fails_to_render_in_the_worker_does_not_undo_the_submission(
    monkeypatch, mailoutbox, caplog, client
):
    """The submission committed before the worker ran: a render that fails there leaves the
    request as filed; the task raises, the outbox records the failure and tries again later,
    and the citizen's download makes the receipt meanwhile. The PDF made by the click does not
    stand for the email: the outbox's next attempt sends it, with that same receipt."""

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint is down")

    monkeypatch.setattr(receipts, "render_pdf", broken)
    photo = stored_photo()
    request = filed("signalement-voirie", {**SIGNALEMENT, "photo": [photo]})

    assert "WeasyPrint is down" in caplog.text  # raised by the task, logged by the outbox
    [row] = OutboxMessage.objects.filter(request=request)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: WeasyPrint is down"
    wait = row.next_attempt_at - FILED_AT
    assert datetime.timedelta(minutes=1) <= wait < datetime.timedelta(minutes=1, seconds=5)
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.status == Status.SUBMITTED
    assert set(request.events.values_list("kind", flat=True)) == {
        Event.Kind.SUBMITTED,
        Event.Kind.ROUTED,
    }
    assert request.documents.get(kind=Document.Kind.UPLOAD).file.name == photo["key"]
    assert receipts_of(request) == [] and _files_under("documents") == []
    assert mailoutbox == []
    with pytest.raises(RuntimeError, match="WeasyPrint is down"):
        send_receipt(request.pk)  # the task itself raises: it does not report success
    assert receipts_of(request) == [] and mailoutbox == []

    monkeypatch.undo()  # WeasyPrint is back
    response = with_proof(client, request).get(receipt_url(request))
    assert response.status_code == 200
    assert downloaded(response).startswith(b"%PDF-")
    (receipt,) = receipts_of(request)
    renders = count_renders(monkeypatch)
    with time_machine.travel(FILED_AT + datetime.timedelta(minutes=1, seconds=5)):
        assert outbox_catch_up().handed_over == 1  # the next attempt sends that same receipt
    assert renders == []
    assert mailoutbox[0].attachments[0][1] == receipt.file.open("rb").read()
    assert receipts_of(request) == [receipt]
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("done", 2)


def test_the_worker_makes_the_receipt_once(monkeypatch, mailoutbox):
    request = filed("signalement-voirie", SIGNALEMENT)
    (receipt,) = receipts_of(request)
    assert receipt.visible_to_citizen and receipt.content_type == "application/pdf"
    assert receipt.original_name == f"accuse-reception-{request.reference}.pdf"
    renders = count_renders(monkeypatch)

    assert send_receipt(request.pk) is True  # a retry after a send that succeeded

    assert renders == []
    assert receipts_of(request) == [receipt]
    assert mailoutbox[0].attachments[0][1] == mailoutbox[1].attachments[0][1]


# --- Downloaded from the confirmation page ----------------------------------------------------


def test_the_receipt_download_needs_a_proof(client):
    request = filed("signalement-voirie", SIGNALEMENT, worker=False)
    other = filed("signalement-voirie", SIGNALEMENT, worker=False)
    assert client.get(receipt_url(request)).status_code == 404
    with_proof(client, other)
    assert client.get(receipt_url(request)).status_code == 404
    assert not Document.objects.filter(kind=Document.Kind.RECEIPT).exists()  # nothing made


def test_the_download_makes_the_receipt_the_worker_has_not_made_yet(monkeypatch, client):
    request = filed("acte-etat-civil", ACTE, worker=False)
    assert receipts_of(request) == []
    renders = count_renders(monkeypatch)
    with_proof(client, request)

    response = client.get(receipt_url(request))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="accuse-reception-{request.reference}.pdf"'
    )
    body = downloaded(response)
    assert body.startswith(b"%PDF-")
    (receipt,) = receipts_of(request)
    assert receipt.visible_to_citizen and receipt.size == len(body)
    assert body == receipt.file.open("rb").read()
    assert renders == [receipts.RECEIPT_TEMPLATE]
    assert "réputée acceptée le 16 février 2026" in text_of(receipt)  # the real receipt

    again = client.get(receipt_url(request))  # a second click

    assert again.status_code == 200
    assert downloaded(again) == body
    assert receipts_of(request) == [receipt]
    assert len(renders) == 1


def test_the_download_serves_the_receipt_the_worker_made(monkeypatch, client, mailoutbox):
    request = filed("signalement-voirie", SIGNALEMENT)
    (receipt,) = receipts_of(request)
    renders = count_renders(monkeypatch)

    response = with_proof(client, request).get(receipt_url(request))

    assert response.status_code == 200
    body = downloaded(response)
    assert body.startswith(b"%PDF-") and body == receipt.file.open("rb").read()
    assert renders == []
    assert receipts_of(request) == [receipt]
    assert mailoutbox[0].attachments[0][1] == body  # the one the email carried


def test_a_signed_in_citizen_downloads_the_receipt_of_their_own_request(client):
    user = UserFactory()
    citizen = CitizenFactory(user=user, email="helene@exemple.fr")
    request = filed("acte-etat-civil", ACTE, citizen=citizen, contact_email="", worker=False)
    client.force_login(user)

    response = client.get(receipt_url(request))

    assert response.status_code == 200
    assert downloaded(response) == receipt_of(request).file.open("rb").read()


@pytest.mark.django_db(transaction=True)
def test_the_worker_and_a_click_at_once_make_one_receipt(monkeypatch, mailoutbox):
    """The worker and the citizen's download ask for the receipt at the same moment: the
    request's row lock makes one of them wait, then find the receipt the other made."""
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", lambda *args: None)  # late
    request = filed("signalement-voirie", SIGNALEMENT, worker=False)
    client = with_proof(Client(), request)
    renders, barrier = [], threading.Barrier(2)

    def slow_render(*args, **kwargs):
        renders.append(args[0])
        time.sleep(0.5)  # long enough for the other one to get there meanwhile
        return b"%PDF-1.7 " + uuid.uuid4().hex.encode()

    monkeypatch.setattr(receipts, "render_pdf", slow_render)
    outcomes, errors = {}, []

    def worker():
        try:
            barrier.wait(timeout=10)
            assert send_receipt(request.pk) is True
            outcomes["worker"] = mailoutbox[-1].attachments[0][1]
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def click():
        try:
            barrier.wait(timeout=10)
            outcomes["click"] = downloaded(client.get(receipt_url(request)))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker), threading.Thread(target=click)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(renders) == 1
    (receipt,) = receipts_of(request)
    assert outcomes["worker"] == outcomes["click"] == receipt.file.open("rb").read()


def test_the_catch_up_sends_the_receipts_a_broker_outage_kept_back(monkeypatch, mailoutbox):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Redis is away")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_outbox_message, "delay", broker_down)
        lost = filed("signalement-voirie", SIGNALEMENT)
    sent = filed("signalement-voirie", SIGNALEMENT)
    assert receipts_of(lost) == []
    assert len(mailoutbox) == 1

    # Too recent: the first hand-over may still be on its way.
    with time_machine.travel(FILED_AT + datetime.timedelta(seconds=30)):
        assert outbox_catch_up().handed_over == 0
    with time_machine.travel(FILED_AT + datetime.timedelta(minutes=2)):
        assert outbox_catch_up().handed_over == 1

    assert len(receipts_of(lost)) == 1
    assert len(receipts_of(sent)) == 1
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [lost.contact_email]
    with time_machine.travel(FILED_AT + datetime.timedelta(minutes=40)):
        assert outbox_catch_up().handed_over == 0  # done: never twice
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"done"}


def test_a_receipt_downloaded_while_the_broker_was_away_is_still_emailed(
    monkeypatch, mailoutbox, client
):
    """Issue 13, item 5: the old catch-up looked for requests without a receipt PDF, so a
    citizen who downloaded it while Redis was down never got the email (the only durable copy
    of an anonymous citizen's secret link). The outbox row is what was not sent."""
    with monkeypatch.context() as patched:
        patched.setattr(tasks.deliver_outbox_message, "delay", lambda *args: None)
        request = filed("signalement-voirie", SIGNALEMENT)
    assert downloaded(with_proof(client, request).get(receipt_url(request))).startswith(b"%PDF")
    assert mailoutbox == []
    with time_machine.travel(FILED_AT + datetime.timedelta(minutes=2)):
        assert outbox_catch_up().handed_over == 1
    [email] = mailoutbox
    assert email.to == [request.contact_email]
    assert email.attachments[0][1] == receipt_of(request).file.open("rb").read()
    assert request.tracking_token in email.body


def test_a_citizen_without_email_nor_account_is_told_how_to_follow_the_request():
    """A request filed for someone with neither an email address nor an account (a letter, the
    counter): the tracking page would ask for an address the request does not know."""
    citizen = CitizenFactory(given_names="Germaine", family_name="Roux", email="", user=None)
    text = text_of(receipt_of(filed("acte-etat-civil", ACTE, citizen=citizen, contact_email="")))
    assert "l'adresse électronique donnée lors du dépôt" not in text
    assert "Le lien personnel envoyé par courriel" not in text
    assert_mentions(text, ["Rappelez-la pour suivre votre demande auprès du service"])
    # With an address on the record, the page opens with it: the online way is given.
    citizen = CitizenFactory(email="germaine@exemple.fr", user=None)
    text = text_of(receipt_of(filed("acte-etat-civil", ACTE, citizen=citizen, contact_email="")))
    assert "l'adresse électronique donnée lors du dépôt" in text
