"""The satisfaction question on a closed request: optional, 1 to 5 with a comment, once."""

import datetime

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from service_requests.models import SatisfactionAnswer, Status
from service_requests.services.errors import TransitionRefused
from service_requests.services.messages import satisfaction_record
from tests.factories import CitizenFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("service_requests:lookup")
EMAIL = "lea.durand@exemple.fr"
QUESTION = "Êtes-vous satisfait·e du traitement de votre demande ?"
D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def closed_request(status=Status.ACCEPTED, **fields):
    decided = {"decided_on": D(2025, 3, 1)} if status != Status.CLOSED else {}
    fields = {"contact_email": EMAIL, **decided, **fields}
    return ServiceRequestFactory(status=status, received_on=D(2025, 1, 10), **fields)


@pytest.fixture
def closed():
    return closed_request()


def prove(client, request):
    client.post(LOOKUP, {"reference": request.reference, "email": EMAIL})


def page_url(request):
    return reverse("service_requests:tracking", args=[request.reference])


def answer_url(request):
    return reverse("service_requests:satisfaction", args=[request.reference])


@pytest.mark.parametrize(
    "status",
    [
        Status.ACCEPTED,
        Status.REJECTED,
        Status.ACCEPTED_IMPLICITLY,
        Status.REJECTED_IMPLICITLY,
        Status.CLOSED,
    ],
)
def test_the_question_is_asked_once_the_request_is_closed(client, status):
    request = closed_request(status)
    prove(client, request)
    html = client.get(page_url(request)).content.decode()
    assert QUESTION in html
    # A radio group in a fieldset whose legend is the question, each mark labelled.
    assert '<fieldset class="field"' in html
    assert f'<legend class="field__label">{QUESTION}</legend>' in html
    for mark in range(1, 6):
        assert f'value="{mark}"' in html
        assert f"{mark} sur 5 :" in html
    assert 'name="comment"' in html and 'maxlength="1000"' in html


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_CITIZEN, Status.WITHDRAWN]
)
def test_not_while_the_request_is_open_nor_after_a_withdrawal(client, status):
    request = ServiceRequestFactory(status=status, contact_email=EMAIL)
    prove(client, request)
    assert QUESTION not in client.get(page_url(request)).content.decode()
    response = client.post(answer_url(request), {"rating": "5"}, follow=True)
    assert "une fois votre demande terminée" in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_an_answer_is_recorded_thanked_and_not_asked_again(client, closed):
    prove(client, closed)
    response = client.post(
        answer_url(closed), {"rating": "4", "comment": "  Rapide et clair.  "}, follow=True
    )
    answer = SatisfactionAnswer.objects.get()
    assert (answer.request, answer.rating, answer.comment) == (closed, 4, "Rapide et clair.")
    html = response.content.decode()
    assert "Merci pour votre avis" in html
    assert QUESTION not in html
    html = client.get(page_url(closed)).content.decode()
    assert QUESTION not in html
    assert "Vous avez donné votre avis sur le traitement de cette demande. Merci !" in html


def test_the_comment_is_optional(client, closed):
    prove(client, closed)
    client.post(answer_url(closed), {"rating": "1"})
    assert SatisfactionAnswer.objects.get().comment == ""


def test_a_second_answer_is_refused_with_a_clear_message(client, closed):
    prove(client, closed)
    client.post(answer_url(closed), {"rating": "2"})
    response = client.post(answer_url(closed), {"rating": "5"}, follow=True)
    assert "Vous avez déjà donné votre avis sur cette demande." in response.content.decode()
    assert SatisfactionAnswer.objects.get().rating == 2


@pytest.mark.parametrize("rating", ["0", "6", "-1", "trois", ""])
def test_marks_outside_1_to_5_are_refused_next_to_the_field(client, closed, rating):
    prove(client, closed)
    response = client.post(answer_url(closed), {"rating": rating})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="field__errors" id="id_rating_error">' in html
    assert 'aria-describedby="id_rating_error"' in html  # on the fieldset
    assert 'href="#id_rating_0"' in html  # the error summary, to the first mark
    assert not SatisfactionAnswer.objects.exists()


def test_a_comment_too_long_is_refused(client, closed):
    prove(client, closed)
    response = client.post(answer_url(closed), {"rating": "3", "comment": "x" * 1001})
    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_another_request_is_404(client, closed):
    other = closed_request(contact_email="autre@exemple.fr")
    prove(client, closed)
    assert client.post(answer_url(other), {"rating": "5"}).status_code == 404
    user = UserFactory()
    client.force_login(user)
    assert client.post(answer_url(other), {"rating": "5"}).status_code == 404
    assert not SatisfactionAnswer.objects.exists()


def test_without_proof_it_is_404(client, closed):
    assert client.post(answer_url(closed), {"rating": "5"}).status_code == 404
    assert not SatisfactionAnswer.objects.exists()


def test_a_signed_in_owner_answers(client):
    user = UserFactory()
    mine = closed_request(citizen=CitizenFactory(user=user))
    client.force_login(user)
    assert QUESTION in client.get(page_url(mine)).content.decode()
    client.post(answer_url(mine), {"rating": "5"})
    assert SatisfactionAnswer.objects.get().request == mine


def test_the_service_checks_the_bounds_and_the_state(closed):
    with pytest.raises(Exception, match="de 1 à 5"):
        satisfaction_record(request=closed, rating=6)
    open_request = ServiceRequestFactory()
    with pytest.raises(TransitionRefused):
        satisfaction_record(request=open_request, rating=3)
    satisfaction_record(request=closed, rating=3)
    with pytest.raises(TransitionRefused, match="déjà donné votre avis"):
        satisfaction_record(request=closed, rating=4)


@pytest.mark.parametrize("rating", [0, 6])
def test_the_database_refuses_a_mark_out_of_bounds(closed, rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionAnswer.objects.create(request=closed, rating=rating)


def test_the_database_refuses_a_second_answer(closed):
    SatisfactionAnswer.objects.create(request=closed, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionAnswer.objects.create(request=closed, rating=4)


def test_the_page_query_count_of_a_closed_request(client, closed, django_assert_num_queries):
    prove(client, closed)
    # The session, the request (with whether it was answered), events (among them the entry
    # that ended it: how it ended), documents, messages.
    with django_assert_num_queries(5):
        client.get(page_url(closed))
    SatisfactionAnswer.objects.create(request=closed, rating=3)
    with django_assert_num_queries(5):
        client.get(page_url(closed))


def test_the_admin_shows_answers_read_only(admin_client, closed):
    answer = SatisfactionAnswer.objects.create(request=closed, rating=5, comment="Parfait")
    listing = admin_client.get(reverse("admin:service_requests_satisfactionanswer_changelist"))
    assert listing.status_code == 200 and "Parfait" in listing.content.decode()
    add = admin_client.get(reverse("admin:service_requests_satisfactionanswer_add"))
    assert add.status_code == 403
    change = reverse("admin:service_requests_satisfactionanswer_change", args=[answer.pk])
    response = admin_client.post(change, {"rating": "1", "comment": "modifié"})
    assert response.status_code == 403
    answer.refresh_from_db()
    assert answer.rating == 5
