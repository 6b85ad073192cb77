"""Organisations a citizen acts for: the numbers that name them, read as people type them, and
the service that records a representation (creating the organisation once), then the agents'
page that calls it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citizens.models import Organisation, Representation
from citizens.organisations import clean_rna, clean_siret, representation_add
from gru.models import Membership
from tests.backoffice.test_citizen_record import agent
from tests.factories import CitizenFactory, OrganisationFactory, TeamFactory, UserFactory

Kind, Role = Organisation.Kind, Representation.Role


@pytest.mark.parametrize(
    ("typed", "siret"),
    [
        ("73282932000074", "73282932000074"),
        ("732 829 320 00074", "73282932000074"),
        ("732.829.320.00074", "73282932000074"),
        ("356 000 000 00048", "35600000000048"),  # La Poste's head office: the usual key
        ("35600000012341", "35600000012341"),  # a post office: digits summing to a multiple of 5
    ],
)
def test_a_siret_is_read_as_typed(typed, siret):
    assert clean_siret(typed) == siret


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "14 chiffres"),
        ("7328293200007", "14 chiffres"),
        ("7328293200007A", "14 chiffres"),
        ("73282932000075", "clé de contrôle"),
        ("73282932100074", "clé de contrôle"),
    ],
)
def test_a_wrong_siret_says_why(typed, message):
    with pytest.raises(ValidationError, match=message):
        clean_siret(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("W751234567", "W751234567"), ("w75 1234567", "W751234567"), ("W12345678A", "W12345678A")],
)
def test_an_rna_is_read_as_typed(typed, expected):
    assert clean_rna(typed) == expected


@pytest.mark.parametrize("typed", ["", "751234567", "W7512345", "X751234567", "W75123456789"])
def test_a_wrong_rna_is_refused(typed):
    with pytest.raises(ValidationError, match="commence par W"):
        clean_rna(typed)


@pytest.mark.django_db
def test_the_organisation_is_created_once_then_found_by_its_number():
    actor, lucas, associate = UserFactory(), CitizenFactory(), CitizenFactory()
    first = representation_add(
        citizen=lucas, actor=actor, kind=Kind.COMPANY, number="732 829 320 00074",
        name="  Menuiserie   Perrin ", role=Role.LEGAL_REPRESENTATIVE,
    )  # fmt: skip
    assert first.organisation.name == "Menuiserie Perrin"
    assert first.organisation.history.get().history_user == actor
    second = representation_add(
        citizen=associate, actor=actor, kind=Kind.COMPANY, number="73282932000074",
        name="Un autre nom", role=Role.EMPLOYEE,
    )  # fmt: skip
    assert second.organisation == first.organisation
    assert second.organisation.name == "Menuiserie Perrin"  # a known organisation keeps its name
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": Kind.COMPANY, "number": "73282932000074", "name": ""}, "name"),
        ({"kind": Kind.OTHER, "number": "73282932000074", "name": "X"}, "kind"),
        ({"kind": Kind.ASSOCIATION, "number": "W7512", "name": "X"}, None),
        ({"kind": Kind.ASSOCIATION, "number": "W751234567", "name": "X", "role": "boss"}, "role"),
    ],
)
def test_refusals_write_nothing(kwargs, field):
    citizen = CitizenFactory()
    arguments = {"role": Role.OFFICER, **kwargs}
    with pytest.raises(ValidationError) as refused:
        representation_add(citizen=citizen, actor=UserFactory(), **arguments)
    if field:
        assert field in refused.value.message_dict
    assert not Organisation.objects.exists() and not Representation.objects.exists()


@pytest.mark.django_db
def test_representing_twice_or_a_merged_record_is_refused():
    citizen, organisation = CitizenFactory(), OrganisationFactory(rna="W751234567", siret=None)
    add = {"kind": Kind.ASSOCIATION, "number": "W751234567", "name": "", "role": Role.OFFICER}
    representation_add(citizen=citizen, actor=UserFactory(), **add)
    with pytest.raises(ValidationError, match="représente déjà"):
        representation_add(citizen=citizen, actor=UserFactory(), **add)
    tombstone = CitizenFactory(merged_into=citizen)
    with pytest.raises(ValidationError, match="fusionnée"):
        representation_add(citizen=tombstone, actor=UserFactory(), **add)
    assert Representation.objects.filter(organisation=organisation).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Membership.Role.FRONT_DESK, 200),
        (Membership.Role.INSTRUCTOR, 200),
        (Membership.Role.TEAM_MANAGER, 200),
        (Membership.Role.ADMINISTRATOR, 404),
        (Membership.Role.DATA_PROTECTION_OFFICER, 404),
        (Membership.Role.OFFICIAL, 404),
    ],
)
def test_who_may_add_an_organisation(client, role, status):
    citizen = CitizenFactory()
    client.force_login(agent(TeamFactory(), role))
    url = reverse("backoffice:citizen_representation", args=[citizen.pk])
    assert client.get(url).status_code == status


@pytest.mark.django_db
def test_the_page_adds_it_or_says_what_is_wrong_next_to_the_field(client):
    citizen = CitizenFactory(given_names="Lucas", family_name="Perrin")
    client.force_login(agent(TeamFactory(), Membership.Role.FRONT_DESK))
    url = reverse("backoffice:citizen_representation", args=[citizen.pk])
    data = {"kind": Kind.COMPANY, "number": "73282932000075", "name": "Menuiserie Perrin",
            "role": Role.LEGAL_REPRESENTATIVE}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    assert "la clé de contrôle ne correspond pas" in response.content.decode()
    assert not Organisation.objects.exists()

    response = client.post(url, {**data, "number": "73282932000074"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:citizen", args=[citizen.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Menuiserie Perrin" in page and "SIRET 73282932000074" in page
    again = client.post(url, {**data, "number": "73282932000074"})
    assert again.status_code == 400  # a refusal keyed by field, next to it
    assert "L&#x27;usager représente déjà Menuiserie Perrin." in again.content.decode()
