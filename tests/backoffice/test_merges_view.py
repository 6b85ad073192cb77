"""The duplicates list, the merge screen and the undo, through HTTP as the front desk uses them:
only the front desk (everyone else a 404, the anonymous visitor the login), bad input refused
with a French message and nothing changed, the choices made side by side applied."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from citizens.merging import citizen_merge
from citizens.models import Citizen, CitizenMerge
from citizens.references import citizen_references
from gru.models import AccessLog, Membership
from tests.factories import (
    CitizenFactory,
    InteractionFactory,
    MembershipFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role


def agent(role, team=None):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory()
    MembershipFactory(user=user, team=team or TeamFactory(), role=role)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def front_desk():
    return agent(Role.FRONT_DESK, TeamFactory(name="Accueil", slug="accueil"))


@pytest.fixture
def pair():
    first = CitizenFactory(
        given_names="Hélène",
        family_name="Garnier",
        birth_date=date(1980, 5, 3),
        email="helene@exemple.fr",
        phone="06 12 34 56 78",
    )
    second = CitizenFactory(
        given_names="Helene",
        family_name="Garnier",
        birth_date=date(1980, 5, 3),
        email="h.garnier@exemple.fr",
        phone="",
        usage_name="Roux",
    )
    ServiceRequestFactory(citizen=second)
    InteractionFactory(citizen=second)
    return first, second


def state(*records):
    return [Citizen.objects.filter(pk=c.pk).values().get() for c in records] + [
        CitizenMerge.objects.count()
    ]


def urls(first, second, merge):
    return [
        ("get", reverse("backoffice:duplicates")),
        ("get", reverse("backoffice:citizen_merge", args=[first.pk, second.pk])),
        ("post", reverse("backoffice:citizen_merge", args=[first.pk, second.pk])),
        ("get", reverse("backoffice:merge_undo", args=[merge.pk])),
        ("post", reverse("backoffice:merge_undo", args=[merge.pk])),
    ]


@pytest.mark.parametrize(
    "role",
    [
        Role.INSTRUCTOR,
        Role.TEAM_MANAGER,
        Role.ADMINISTRATOR,
        Role.DATA_PROTECTION_OFFICER,
        Role.OFFICIAL,
    ],
)
def test_only_the_front_desk_merges(client, pair, role):
    first, second = pair
    old = citizen_merge(
        kept=CitizenFactory(), merged=CitizenFactory(), choices={}, actor=UserFactory()
    )
    before = state(first, second)
    client.force_login(agent(role))
    for method, url in urls(first, second, old):
        assert getattr(client, method)(url).status_code == 404, (role, method, url)
    assert state(first, second) == before


def test_citizen_and_anonymous(client, pair):
    first, second = pair
    old = citizen_merge(
        kept=CitizenFactory(), merged=CitizenFactory(), choices={}, actor=UserFactory()
    )
    login = reverse("account_login")
    for method, url in urls(first, second, old):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(login), url
    citizen = UserFactory()
    CitizenFactory(user=citizen)
    client.force_login(citizen)
    for method, url in urls(first, second, old):
        assert getattr(client, method)(url).status_code == 404, url
    old.refresh_from_db()
    assert old.undone_at is None


def test_duplicates_list(client, front_desk, pair, django_assert_max_num_queries):
    first, second = pair
    for _ in range(5):
        CitizenFactory(phone="06 99 99 99 99")
    client.force_login(front_desk)
    with django_assert_max_num_queries(11):  # whatever the number of pairs
        response = client.get(reverse("backoffice:duplicates"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Même date de naissance et nom proche" in html
    assert "Même adresse électronique" not in html
    assert html.count(">Comparer et fusionner</a>") == 1 + 10
    assert reverse("backoffice:citizen_merge", args=[first.pk, second.pk]) in html
    assert AccessLog.objects.filter(user=front_desk, action=AccessLog.Action.SEARCH).exists()


def test_merge_screen_shows_both_records(client, front_desk, pair, django_assert_max_num_queries):
    first, second = pair
    client.force_login(front_desk)
    # One count per kind of row pointing at a citizen, the rest fixed.
    with django_assert_max_num_queries(11 + len(citizen_references())):
        response = client.get(reverse("backoffice:citizen_merge", args=[first.pk, second.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Les deux fiches côte à côte" in html
    assert 'name="field_given_names"' in html and 'name="field_phone"' in html
    assert 'name="field_family_name"' not in html  # the same on both
    assert "Identique" in html
    assert "Demandes" in html and "Contacts" in html
    assert set(
        AccessLog.objects.filter(action=AccessLog.Action.VIEW_CITIZEN).values_list(
            "citizen_id", flat=True
        )
    ) == {first.pk, second.pk}


def test_choices_made_side_by_side_are_applied(client, front_desk, pair):
    first, second = pair
    client.force_login(front_desk)
    url = reverse("backoffice:citizen_merge", args=[first.pk, second.pk])
    data = {
        "kept": second.pk,
        "field_given_names": first.pk,
        "field_email": second.pk,
        "field_phone": first.pk,
        "field_usage_name": second.pk,
        "confirm": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("backoffice:citizen", args=[second.pk])
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.given_names, second.email, second.phone, second.usage_name) == (
        "Hélène",
        "h.garnier@exemple.fr",
        "06 12 34 56 78",
        "Roux",
    )
    assert first.merged_into == second
    merge = CitizenMerge.objects.get()
    undo_url = reverse("backoffice:merge_undo", args=[merge.pk])
    (message,) = get_messages(response.wsgi_request)
    assert "Fiches fusionnées" in str(message) and undo_url in str(message)
    response = client.post(url, data)  # the same merge again: refused, nothing changed
    assert response.status_code == 409
    assert "déjà été fusionnée" in response.content.decode()


def test_undo_link_in_the_message(client, front_desk, pair):
    first, second = pair
    client.force_login(front_desk)
    url = reverse("backoffice:citizen_merge", args=[first.pk, second.pk])
    fields = {f"field_{name}": first.pk for name in ("given_names", "usage_name", "email", "phone")}
    client.post(url, {"kept": first.pk, "confirm": "on", **fields})
    merge = CitizenMerge.objects.get()
    # The message reaches the next page with its link to the undo, as a link.
    page = client.get(reverse("backoffice:duplicates")).content.decode()
    undo_url = reverse("backoffice:merge_undo", args=[merge.pk])
    assert f'<a href="{undo_url}">annuler la fusion</a>' in page


def test_missing_choice_or_confirmation(client, front_desk, pair):
    first, second = pair
    before = state(first, second)
    client.force_login(front_desk)
    url = reverse("backoffice:citizen_merge", args=[first.pk, second.pk])
    response = client.post(url, {"kept": first.pk, "field_email": 999})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cochez la confirmation" in html
    assert "Choisissez la valeur à garder pour « Prénoms »" in html
    assert "Choisissez l&#x27;une des deux fiches pour « Adresse électronique »" in html
    assert 'href="#id_field_given_names_0"' in html and 'id="id_field_given_names_0"' in html
    assert state(first, second) == before


def test_bad_input(client, front_desk, pair):
    first, second = pair
    client.force_login(front_desk)
    tombstone = CitizenFactory()
    citizen_merge(kept=second, merged=tombstone, choices={}, actor=front_desk)
    fc_one = CitizenFactory(identity_assurance="franceconnect", franceconnect_sub="a")
    fc_two = CitizenFactory(identity_assurance="franceconnect", franceconnect_sub="b")
    before = state(first, second, tombstone, fc_one, fc_two)
    cases = [
        ((first.pk, first.pk), 400, "avec elle-même"),
        ((first.pk, tombstone.pk), 409, f"déjà été fusionnée dans la fiche n° {second.pk}"),
        ((tombstone.pk, first.pk), 409, "déjà été fusionnée"),
        ((fc_one.pk, fc_two.pk), 409, "identité FranceConnect"),
        ((first.pk, 999_999), 404, ""),
    ]
    for args, status, text in cases:
        url = reverse("backoffice:citizen_merge", args=args)
        for response in (client.get(url), client.post(url, {"kept": args[0], "confirm": "on"})):
            assert response.status_code == status, args
            assert text in response.content.decode()
            if status != 404:
                assert "Ces fiches ne peuvent pas être fusionnées" in response.content.decode()
                assert 'name="confirm"' not in response.content.decode()
    assert state(first, second, tombstone, fc_one, fc_two) == before
    assert client.get(reverse("backoffice:merge_undo", args=[999_999])).status_code == 404


def test_undo_screen(client, front_desk, pair):
    first, second = pair
    client.force_login(front_desk)
    merge = citizen_merge(kept=first, merged=second, choices={}, actor=front_desk)
    url = reverse("backoffice:merge_undo", args=[merge.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Annuler la fusion" in response.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("backoffice:citizen", args=[second.pk])
    second.refresh_from_db()
    assert second.merged_into is None and second.requests.count() == 1
    response = client.post(url)
    assert response.status_code == 409
    assert "déjà été annulée" in response.content.decode()


def test_undo_after_thirty_days(client, front_desk, pair):
    first, second = pair
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        merge = citizen_merge(kept=first, merged=second, choices={}, actor=front_desk)
    client.force_login(front_desk)
    url = reverse("backoffice:merge_undo", args=[merge.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "30 jours" in response.content.decode()
    assert "<button" not in response.content.decode().split("Se déconnecter")[-1]
    response = client.post(url)
    assert response.status_code == 409
    second.refresh_from_db()
    assert second.merged_into == first


def test_the_kept_record_offers_the_undo_until_the_deadline(client, front_desk, pair):
    """Once the message is gone, the 360° view of the record kept is the way back to the undo:
    for the front desk, within the 30 days, not after it was undone, never for an instructor."""
    first, second = pair
    merge = citizen_merge(kept=first, merged=second, choices={}, actor=front_desk)
    undo_url = reverse("backoffice:merge_undo", args=[merge.pk])
    record_url = reverse("backoffice:citizen", args=[first.pk])
    client.force_login(front_desk)
    html = client.get(record_url).content.decode()
    assert f'<a href="{undo_url}">Annuler la fusion de la fiche n° {second.pk}</a>' in html
    deadline = timezone.localtime(merge.merged_at + timedelta(days=30))
    assert f"possible jusqu'au {deadline.day} " in html
    client.force_login(agent(Role.INSTRUCTOR))
    assert undo_url not in client.get(record_url).content.decode()
    client.force_login(front_desk)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert undo_url not in client.get(record_url).content.decode()
    client.post(undo_url)
    assert undo_url not in client.get(record_url).content.decode()
