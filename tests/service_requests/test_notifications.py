"""The citizen's emails as their request moves: a status change, an agent's message, a
documents request, an explicit decision. Each once, after commit, with the link to the request's
page (never the secret link), honouring `Citizen.email_updates` except where the law needs it."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from service_requests import tasks
from service_requests.models import Event, NotificationSent, Status
from service_requests.services import (
    request_apply_implicit_decision,
    request_ask_documents,
    request_decide,
    request_mark_complete,
    request_receive_documents,
)
from service_requests.services.messages import message_post_from_agent, message_post_from_citizen
from service_requests.services.notifications import event_notify_citizen
from tests.factories import CitizenFactory, EventFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(first_name="Théo", last_name="Marchand", job_title="Instructeur voirie")


def citizen_request(*, email_updates=True, **fields):
    citizen = CitizenFactory(email="helene.garnier@exemple.fr", email_updates=email_updates)
    return ServiceRequestFactory(citizen=citizen, contact_email="", **fields)


def tracking_url(request) -> str:
    return settings.SITE_URL + reverse("service_requests:tracking", args=[request.reference])


def check_email(email, request, *, template_words: str):
    """Sent to the citizen, French text and HTML, with the page's link and never the secret."""
    assert email.to == ["helene.garnier@exemple.fr"]
    assert request.reference in email.subject
    assert template_words in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert template_words.split(" ")[0] in html
    assert tracking_url(request) in email.body
    assert f'href="{tracking_url(request)}"' in html
    for part in (email.subject, email.body, html):
        assert request.tracking_token not in part


def ask_documents(request, agent):
    return request_ask_documents(
        request=request,
        actor=agent,
        pieces=["Justificatif de domicile"],
        answer_deadline=timezone.localdate() + datetime.timedelta(days=15),
    )


# --- Documents request: always --------------------------------------------------------------


@pytest.mark.parametrize("email_updates", [True, False])
def test_a_documents_request_is_always_emailed(side_effects, mailoutbox, agent, email_updates):
    request = citizen_request(email_updates=email_updates)
    with side_effects():
        ask_documents(request, agent)
    [email] = mailoutbox
    check_email(email, request, template_words="Justificatif de domicile")
    deadline = request.document_requests.get().answer_deadline
    assert f"avant le {deadline:%-d}" in email.body
    assert "Pièces à fournir" in email.subject
    assert "L114-5" in email.body
    assert NotificationSent.objects.get().kind == NotificationSent.Kind.DOCUMENTS_REQUESTED


# --- Decision: always -----------------------------------------------------------------------


@pytest.mark.parametrize("email_updates", [True, False])
def test_a_rejection_is_always_emailed_with_the_appeal_routes(
    side_effects, mailoutbox, agent, email_updates
):
    request = citizen_request(email_updates=email_updates)
    with side_effects():
        request_decide(request=request, actor=agent, outcome="rejected", motive="Hors secteur.")
    [email] = mailoutbox
    check_email(email, request, template_words="a refusé votre demande")
    assert "refusée" in email.subject
    assert "Motifs : Hors secteur." in email.body
    assert "Télérecours citoyens" in email.body and "deux mois" in email.body
    assert "Théo Marchand, Instructeur voirie" in email.body
    assert NotificationSent.objects.get().kind == NotificationSent.Kind.DECISION


def test_an_acceptance_is_emailed(side_effects, mailoutbox, agent):
    request = citizen_request()
    with side_effects():
        request_decide(request=request, actor=agent, outcome="accepted", motive="")
    [email] = mailoutbox
    check_email(email, request, template_words="a accepté votre demande")
    assert "acceptée" in email.subject
    assert "Télérecours" not in email.body


def test_an_anonymous_requester_is_emailed_at_the_contact_address(side_effects, mailoutbox, agent):
    request = ServiceRequestFactory(contact_email="anonyme@exemple.fr")
    with side_effects():
        request_decide(request=request, actor=agent, outcome="accepted", motive="")
    [email] = mailoutbox
    assert email.to == ["anonyme@exemple.fr"]
    assert request.tracking_token not in email.body
    assert "votre profil" not in email.body  # no account to change a choice in


# --- Status changes and messages: as the citizen chose ----------------------------------------


def test_a_citizen_visible_status_change_is_emailed(side_effects, mailoutbox, agent):
    request = citizen_request()
    ask_documents(request, agent)  # outside side_effects: its email is not this test's
    with side_effects():
        request_receive_documents(request=request, actor=agent)
    [email] = mailoutbox
    check_email(email, request, template_words="a changé d'étape")
    assert "« en cours »" in email.body
    assert "en cours" in email.subject
    assert NotificationSent.objects.get().kind == NotificationSent.Kind.STATUS_CHANGED


def test_no_status_email_when_the_citizen_chose_not_to_be_told(side_effects, mailoutbox, agent):
    request = citizen_request(email_updates=False)
    ask_documents(request, agent)
    with side_effects():
        request_receive_documents(request=request, actor=agent)
    assert mailoutbox == []
    assert not NotificationSent.objects.exists()


def test_a_change_the_citizen_does_not_see_is_not_emailed(side_effects, mailoutbox, agent):
    request = citizen_request(status=Status.IN_REVIEW)
    with side_effects():
        request_mark_complete(request=request, actor=agent)  # en cours → en cours
    assert mailoutbox == []


def test_a_status_change_event_of_the_back_office_is_emailed(mailoutbox):
    request = citizen_request()
    event = EventFactory(
        request=request,
        kind=Event.Kind.STATUS_CHANGED,
        visibility=Event.Visibility.CITIZEN,
        payload={"from": Status.SUBMITTED, "to": Status.IN_REVIEW},
    )
    internal = EventFactory(
        request=request,
        kind=Event.Kind.STATUS_CHANGED,
        visibility=Event.Visibility.INTERNAL,
        payload={"from": Status.SUBMITTED, "to": Status.IN_REVIEW},
    )
    assert event_notify_citizen(event_id=internal.pk) is False
    assert event_notify_citizen(event_id=event.pk) is True
    [email] = mailoutbox
    assert "« en cours »" in email.body


def test_an_agent_message_is_emailed_without_its_text(side_effects, mailoutbox, agent):
    request = citizen_request()
    pdf = SimpleUploadedFile("devis.pdf", b"%PDF-1.7\n%%EOF\n")
    with side_effects():
        message_post_from_agent(request, agent, "Votre dossier contient une erreur.", [pdf])
    [email] = mailoutbox
    check_email(email, request, template_words="vous a écrit")
    assert "Nouveau message" in email.subject
    assert "avec 1 fichier joint" in email.body
    assert "Votre dossier contient une erreur." not in email.body
    assert NotificationSent.objects.get().kind == NotificationSent.Kind.AGENT_MESSAGE


def test_no_message_email_when_the_citizen_chose_not_to_be_told(side_effects, mailoutbox, agent):
    request = citizen_request(email_updates=False)
    with side_effects():
        message_post_from_agent(request, agent, "Bonjour")
    assert mailoutbox == []


def test_the_citizen_is_not_emailed_about_their_own_message(
    django_capture_on_commit_callbacks, mailoutbox
):
    request = citizen_request()
    with django_capture_on_commit_callbacks() as callbacks:
        message_post_from_citizen(request=request, body="Bonjour")
    assert callbacks == []  # nothing enqueued


# --- Once, after commit -----------------------------------------------------------------------


def test_each_email_goes_once_however_often_the_task_runs(side_effects, mailoutbox, agent):
    request = citizen_request()
    with side_effects():
        request_decide(request=request, actor=agent, outcome="accepted", motive="")
    event = request.events.get(kind=Event.Kind.DECISION)
    assert tasks.notify_citizen.apply(args=[event.pk]).get() is False
    assert event_notify_citizen(event_id=event.pk) is False
    assert len(mailoutbox) == 1
    assert NotificationSent.objects.filter(event=event).count() == 1


def test_two_status_changes_the_same_day_are_two_emails(mailoutbox):
    request = citizen_request()
    for before, after in [(Status.SUBMITTED, Status.IN_REVIEW), (Status.IN_REVIEW, Status.CLOSED)]:
        event = EventFactory(
            request=request,
            kind=Event.Kind.STATUS_CHANGED,
            payload={"from": before, "to": after},
        )
        assert event_notify_citizen(event_id=event.pk) is True
    assert len(mailoutbox) == 2
    assert "« terminée »" in mailoutbox[1].body


def test_the_email_is_enqueued_on_commit_only(django_capture_on_commit_callbacks, agent):
    request = citizen_request()
    with django_capture_on_commit_callbacks() as callbacks:
        request_decide(request=request, actor=agent, outcome="accepted", motive="")
    assert len(callbacks) == 1
    request = citizen_request()
    with (
        django_capture_on_commit_callbacks() as rolled_back,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        request_decide(request=request, actor=agent, outcome="accepted", motive="")
        raise RuntimeError("rolled back")
    assert rolled_back == []


def test_a_failed_send_is_not_stamped_so_that_the_retry_sends(mailoutbox, monkeypatch, agent):
    from django.core.mail import EmailMultiAlternatives

    request = citizen_request()
    request_decide(request=request, actor=agent, outcome="accepted", motive="")
    event = request.events.get(kind=Event.Kind.DECISION)

    def refused(self, fail_silently=False):
        raise ConnectionError("SMTP down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", refused)
        with pytest.raises(ConnectionError):
            event_notify_citizen(event_id=event.pk)
    assert not NotificationSent.objects.exists()
    assert event_notify_citizen(event_id=event.pk) is True
    assert len(mailoutbox) == 1


# --- What is not duplicated -------------------------------------------------------------------


def test_an_implicit_decision_sends_its_own_emails_only(side_effects, mailoutbox):
    request = citizen_request(
        received_on=datetime.date(2025, 1, 15), decision_due_on=datetime.date(2025, 3, 16)
    )
    with side_effects():
        request_apply_implicit_decision(request=request, today=datetime.date(2025, 3, 16))
    kinds = set(NotificationSent.objects.values_list("kind", flat=True))
    assert kinds == {"implicit_citizen", "implicit_team"}
    assert len(mailoutbox) == 2
