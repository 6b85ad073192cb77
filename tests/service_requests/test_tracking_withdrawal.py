"""Withdrawing from the tracking page (issue 12, item 3): a confirmation step with an optional
reason, « Retirée » (never « Terminée ») wherever the citizen sees it (the page, the email
that confirms it), and the team told by its own email."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from service_requests import tracking
from service_requests.models import Status
from service_requests.services import request_withdraw
from tests.factories import CitizenFactory, ServiceRequestFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def granted(client, request):
    session = client.session
    tracking.grant(session, request)
    session.save()


def test_the_confirmation_step_asks_an_optional_reason_and_changes_nothing(client):
    request = ServiceRequestFactory(status=Status.IN_REVIEW)
    granted(client, request)
    html = client.get(reverse("service_requests:withdraw", args=[request.reference])).content
    html = html.decode()
    assert "Pourquoi la retirez-vous ?" in html
    assert "(facultatif)" in html
    assert "Confirmer le retrait" in html and "Garder ma demande" in html
    request.refresh_from_db()
    assert request.status == Status.IN_REVIEW


def test_a_withdrawal_without_a_reason_is_retiree_everywhere_the_citizen_looks(
    client, side_effects
):
    team = TeamFactory(email="voirie@ville-demo.invalid")
    request = ServiceRequestFactory(
        team=team, status=Status.IN_REVIEW, contact_email="lea.durand@exemple.fr"
    )
    granted(client, request)
    with side_effects():
        response = client.post(
            reverse("service_requests:withdraw", args=[request.reference]), {"reason": ""}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN

    html = client.get(reverse("service_requests:tracking", args=[request.reference]))
    html = html.content.decode()
    assert '<span class="badge badge--neutral">Retirée</span>' in html
    assert "Terminée" not in html
    assert "Vous avez retiré votre demande." in html  # the history
    assert "Sans réponse de notre part" not in html  # no legal date any more
    assert 'id="id_body"' not in html  # nothing to write about any more

    (to_citizen,) = [m for m in mail.outbox if m.to == ["lea.durand@exemple.fr"]]
    (to_team,) = [m for m in mail.outbox if m.to == ["voirie@ville-demo.invalid"]]
    assert to_citizen.subject.endswith(f"Votre demande {request.reference} : retirée")
    html_body = re.sub(r"<[^>]+>", "", unescape(to_citizen.alternatives[0][0]))
    for body in (to_citizen.body, html_body):
        assert "est maintenant « retirée »" in body
        assert "aucune décision, même implicite, n'en naîtra" in body
        assert "terminée" not in body.lower()
    assert request.reference in to_team.subject
    assert "Ce qu'il a indiqué" not in to_team.body  # no reason given


def test_a_withdrawal_an_agent_records_is_confirmed_to_the_citizen(side_effects):
    citizen = CitizenFactory(email="bruno@exemple.fr", email_updates=True)
    request = ServiceRequestFactory(citizen=citizen, status=Status.IN_REVIEW, contact_email="")
    with side_effects():
        request_withdraw(request=request, actor=UserFactory(), reason="Au téléphone.", by="agent")
    (email,) = mail.outbox  # the agent knows already: the team is not emailed
    assert email.to == ["bruno@exemple.fr"]
    assert "Comme vous l'avez demandé au service, votre demande" in email.body
    assert "est maintenant « retirée »" in email.body


def test_the_day_of_a_withdrawal_is_the_authority_s_day(client):
    request = ServiceRequestFactory(status=Status.IN_REVIEW, received_on=datetime.date(2026, 12, 1))
    # 23:30 in UTC on the 31st of December is already the 1st of January in Paris.
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)):
        request_withdraw(request=request, actor=None, reason="", by="citizen")
    granted(client, request)
    html = client.get(reverse("service_requests:tracking", args=[request.reference]))
    assert "Vous avez retiré votre demande le 1er janvier 2027." in html.content.decode()
