"""A new secret link on request (issue 13, item 13): emailed to the address given at filing,
the old link opens nothing from then on; the page answers the same whether a request matched or
not; a request joined to an account gets none."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import CitizenFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db

SENT = "un nouveau lien personnel vient d'y être envoyé"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(eager_celery):
    cache.clear()


def secret_url(request):
    return reverse("service_requests:secret_link", args=[request.reference, request.tracking_token])


def ask(client, reference, email):
    return client.post(
        reverse("service_requests:new_link"), {"reference": reference, "email": email}
    )


def test_a_new_link_is_emailed_and_the_old_one_dies(client, django_capture_on_commit_callbacks):
    filed = ServiceRequestFactory(contact_email="lea@exemple.fr")
    old = secret_url(filed)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, filed.reference.lower().replace("-", ""), "LEA@exemple.fr")
    assert response.status_code == 200
    assert SENT in response.content.decode()
    filed.refresh_from_db()
    new = secret_url(filed)
    assert new != old
    (email,) = mail.outbox
    assert email.to == ["lea@exemple.fr"]
    assert filed.reference in email.subject
    assert new in email.body and old not in email.body
    assert "L'ancien lien ne fonctionne plus" in email.body
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 302


@pytest.mark.parametrize("case", ["wrong email", "unknown reference", "joined to an account"])
def test_nothing_is_sent_otherwise_and_the_page_says_the_same(
    client, case, django_capture_on_commit_callbacks
):
    filed = ServiceRequestFactory(contact_email="lea@exemple.fr")
    reference, email = filed.reference, "lea@exemple.fr"
    if case == "wrong email":
        email = "intrus@exemple.fr"
    elif case == "unknown reference":
        reference = "ZZZZ-9999"
    else:
        filed.citizen = CitizenFactory(email="lea@exemple.fr")
        filed.save(update_fields=["citizen"])
    before = filed.tracking_token
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, reference, email)
    assert response.status_code == 200
    assert SENT in response.content.decode()
    filed.refresh_from_db()
    assert filed.tracking_token == before
    assert mail.outbox == []


def test_bad_input_is_told_next_to_the_field(client):
    response = ask(client, "", "pas-une-adresse")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Saisissez une adresse électronique valide" in html


def test_asking_is_rate_limited_with_the_lookup(client):
    statuses = [ask(client, "ZZZZ-9999", "a@exemple.fr").status_code for _ in range(11)]
    assert statuses[-1] == 429


def test_the_lookup_page_offers_it(client):
    html = client.get(reverse("service_requests:lookup")).content.decode()
    assert reverse("service_requests:new_link") in html
