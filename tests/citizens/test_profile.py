"""The citizen's profile at /compte/profil/: contacts and preferences edited with French
validation (400, errors next to the fields, nothing saved), the identity FranceConnect
certified shown read-only and never changed, even by a forged POST; the record made on the
first visit of an account without one; the links to the account's pages."""

import datetime

import pytest
from django.urls import reverse

from citizens.models import Citizen
from citizens.services import citizen_update_profile
from tests.factories import (
    CitizenFactory,
    MembershipFactory,
    RepresentationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROFILE = reverse("citizens:profile")


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def citizen(client):
    user = UserFactory(email="helene@exemple.fr")
    citizen = CitizenFactory(
        user=user,
        given_names="Hélène",
        family_name="Garnier",
        email="helene@exemple.fr",
        street="3 rue des Lilas",
        postcode="75011",
        city="Paris",
    )
    client.force_login(user)
    return citizen


@pytest.fixture
def certified(client):
    user = UserFactory(email="jb@exemple.fr")
    citizen = CitizenFactory(
        user=user,
        given_names="Jean-Baptiste",
        family_name="Morin",
        birth_date=datetime.date(1980, 6, 15),
        birth_place="75056",
        birth_country="99100",
        sex=Citizen.Sex.MALE,
        identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT,
        franceconnect_sub="b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
    )
    client.force_login(user)
    return citizen


def valid_post(**changes) -> dict:
    data = {
        "given_names": "Hélène",
        "family_name": "Garnier",
        "usage_name": "",
        "birth_date": "",
        "birth_place": "",
        "birth_country": "",
        "sex": "",
        "phone": "",
        "street": "3 rue des Lilas",
        "postcode": "75011",
        "city": "Paris",
        "preferred_channel": "email",
        "email_updates": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_profile_shows_the_citizens_record_and_the_account_links(client, citizen):
    RepresentationFactory(citizen=citizen, organisation__name="Les Amis du Parc")
    page = html_of(client.get(PROFILE))
    assert 'value="Garnier"' in page
    assert "helene@exemple.fr" in page
    assert reverse("account_email") in page
    assert reverse("account_change_password") in page
    assert reverse("usersessions_list") in page
    assert "Se déconnecter de tous les appareils" in page
    assert reverse("mfa_index") not in page  # for agents only
    assert "Les Amis du Parc" in page
    assert "ne peut pas encore être modifiée en ligne" in page
    assert "Certifié par FranceConnect" not in page


def test_an_agent_sees_the_two_factor_link(client, citizen):
    MembershipFactory(user=citizen.user)
    assert reverse("mfa_index") in html_of(client.get(PROFILE))


def test_a_citizen_updates_contacts_preferences_and_declared_identity(client, citizen):
    response = client.post(
        PROFILE,
        valid_post(
            phone="+33 6 12 34 56 78",
            postcode="13 001",
            city="Marseille",
            usage_name="Dupont",
            given_names="Hélène Marie",
            birth_date="1985-07-14",
            sex="female",
            preferred_channel="mail",
            email_updates=None,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    citizen.refresh_from_db()
    assert citizen.phone == "06 12 34 56 78"
    assert citizen.postcode == "13001" and citizen.city == "Marseille"
    assert citizen.usage_name == "Dupont"
    assert citizen.given_names == "Hélène Marie"
    assert citizen.birth_date == datetime.date(1985, 7, 14)
    assert citizen.sex == "female"
    assert citizen.preferred_channel == "mail"
    assert citizen.email_updates is False
    latest = citizen.history.latest()
    assert latest.history_user == citizen.user
    assert "Votre profil a été enregistré." in html_of(client.get(PROFILE))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "phone",
            "12345",
            "Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78.",
        ),
        ("phone", "+44 20 7946 0958", "Saisissez un numéro de téléphone français"),
        ("postcode", "7501", "Saisissez un code postal à 5 chiffres, par exemple 75001."),
        ("postcode", "2A004", "Saisissez un code postal à 5 chiffres"),
        ("city", "", "Indiquez la commune de votre adresse."),
        ("family_name", "", "Indiquez votre nom de naissance."),
        ("birth_date", "2999-01-01", "La date de naissance ne peut pas être dans le futur."),
        ("birth_date", "1899-12-31", "Vérifiez l&#x27;année de naissance."),
        ("birth_date", "31/02/1990", "Saisissez une date valide"),
        ("preferred_channel", "social", "Sélectionnez un choix valide."),
    ],
)
def test_invalid_input_is_refused_in_french_and_nothing_is_saved(
    client, citizen, field, value, message
):
    before = Citizen.objects.values().get(pk=citizen.pk)
    history = citizen.history.count()
    response = client.post(PROFILE, valid_post(**{"phone": "06 00 00 00 00", field: value}))
    assert response.status_code == 400
    page = html_of(response)
    assert message in page
    assert "error-summary" in page
    assert f'href="#id_{field}' in page  # the summary links to the field
    assert f'id="id_{field}_error"' in page  # the error next to it, named by aria-describedby
    assert "Erreur :" in page
    assert Citizen.objects.values().get(pk=citizen.pk) == before
    assert citizen.history.count() == history


def test_the_certified_identity_is_shown_read_only(client, certified):
    page = html_of(client.get(PROFILE))
    assert "Certifié par FranceConnect" in page
    assert "Jean-Baptiste" in page and "15 juin 1980" in page
    for name in ("given_names", "family_name", "birth_date", "birth_place", "birth_country"):
        assert f'name="{name}"' not in page
    assert 'name="sex"' not in page
    assert 'name="usage_name"' in page  # the usage name is the citizen's to give


def test_a_forged_post_cannot_change_the_certified_identity(client, certified):
    response = client.post(
        PROFILE,
        valid_post(
            given_names="Usurpateur",
            family_name="Faux",
            birth_date="1999-01-01",
            birth_place="13055",
            birth_country="99134",
            sex="female",
            usage_name="Morin-Leclerc",
            phone="06 11 22 33 44",
        ),
    )
    assert response.status_code == 302
    certified.refresh_from_db()
    assert certified.given_names == "Jean-Baptiste"
    assert certified.family_name == "Morin"
    assert certified.birth_date == datetime.date(1980, 6, 15)
    assert certified.birth_place == "75056"
    assert certified.birth_country == "99100"
    assert certified.sex == Citizen.Sex.MALE
    assert certified.usage_name == "Morin-Leclerc"
    assert certified.phone == "06 11 22 33 44"


def test_the_service_never_writes_a_certified_field(certified):
    changed = citizen_update_profile(
        citizen=certified,
        actor=certified.user,
        changes={"family_name": "Faux", "identity_assurance": "declared", "city": "Lyon"},
    )
    assert changed == ["city"]
    certified.refresh_from_db()
    assert certified.family_name == "Morin"
    assert certified.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT


def test_an_account_without_a_citizen_record_gets_one_on_its_first_visit(client):
    user = UserFactory(first_name="Céline", last_name="Morel", email="celine@exemple.fr")
    client.force_login(user)
    response = client.get(PROFILE)
    assert response.status_code == 200
    citizen = Citizen.objects.get(user=user)
    assert (citizen.given_names, citizen.family_name, citizen.email) == (
        "Céline",
        "Morel",
        "celine@exemple.fr",
    )
    client.get(PROFILE)
    assert Citizen.objects.filter(user=user).count() == 1


def test_the_franceconnect_button_needs_franceconnect_enabled_and_no_link_yet(
    client, citizen, certified, settings
):
    settings.FRANCECONNECT_ISSUER = ""
    client.force_login(citizen.user)
    assert "Relier FranceConnect" not in html_of(client.get(PROFILE))
    settings.FRANCECONNECT_ISSUER = "https://fcp-low.sbx.dev-franceconnect.fr/api/v2"
    settings.FRANCECONNECT_CLIENT_ID = "client-du-portail"
    page = html_of(client.get(PROFILE))
    link = reverse("franceconnect:link")
    assert "Relier FranceConnect" in page
    assert f'action="{link}"' in page and 'method="post"' in page
    client.force_login(certified.user)  # already linked: no button
    assert "Relier FranceConnect" not in html_of(client.get(PROFILE))


def test_the_profile_reads_four_rows_whatever_the_organisations(
    client, citizen, django_assert_num_queries
):
    """The session, the account, the record and the organisations represented: whether the
    account is an agent's comes from the session (gru.middleware), not a query of its own."""
    client.get(PROFILE)  # the session learns whether the account is an agent's
    with django_assert_num_queries(4):
        assert client.get(PROFILE).status_code == 200
    for _ in range(5):
        RepresentationFactory(citizen=citizen)
    with django_assert_num_queries(4):
        assert client.get(PROFILE).status_code == 200
