"""Household links recorded by agents: the service's refusals and the page that calls it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citizens.household import relationship_add
from citizens.models import Relationship
from gru.models import Membership
from tests.backoffice.test_citizen_record import agent
from tests.factories import CitizenFactory, TeamFactory

pytestmark = pytest.mark.django_db
Kind = Relationship.Kind


@pytest.mark.parametrize(
    ("kind", "citizen_is_first"),
    [(Kind.PARENT, True), (Kind.PARENT, False), (Kind.GUARDIAN, True), (Kind.GUARDIAN, False)],
)
def test_a_link_reads_from_the_open_record(kind, citizen_is_first):
    helene, leo = CitizenFactory(), CitizenFactory()
    link = relationship_add(
        citizen=helene, other_id=leo.pk, kind=kind, citizen_is_first=citizen_is_first
    )
    first, second = (helene, leo) if citizen_is_first else (leo, helene)
    assert (link.from_citizen, link.to_citizen, link.kind) == (first, second, kind)


def test_refusals_say_why_and_write_nothing():
    helene, leo = CitizenFactory(), CitizenFactory()
    merged = CitizenFactory(merged_into=leo)
    cases = [
        ({"other_id": helene.pk}, "elle-même"),
        ({"other_id": 987654}, "Aucune fiche ne porte le numéro 987654"),
        ({"other_id": merged.pk}, f"fusionnée dans la fiche n° {leo.pk}"),
        ({"other_id": leo.pk, "kind": "cousin"}, "Choisissez le lien"),
    ]
    for overrides, message in cases:
        arguments = {"other_id": leo.pk, "kind": Kind.PARENT, "citizen_is_first": True}
        with pytest.raises(ValidationError, match=message):
            relationship_add(citizen=helene, **{**arguments, **overrides})
    assert not Relationship.objects.exists()
    relationship_add(citizen=helene, other_id=leo.pk, kind=Kind.PARENT, citizen_is_first=True)
    with pytest.raises(ValidationError, match="déjà enregistré entre ces deux personnes : le même"):
        relationship_add(citizen=leo, other_id=helene.pk, kind=Kind.PARENT, citizen_is_first=False)
    # A contradicting link (Hélène « enfant de » Léo, or also his guardian) is refused too.
    for kind, first in ((Kind.PARENT, False), (Kind.GUARDIAN, True)):
        with pytest.raises(ValidationError, match="il faut d'abord le retirer"):
            relationship_add(citizen=helene, other_id=leo.pk, kind=kind, citizen_is_first=first)
    assert Relationship.objects.count() == 1


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
def test_who_may_add_a_household_link(client, role, status):
    citizen = CitizenFactory()
    client.force_login(agent(TeamFactory(), role))
    url = reverse("backoffice:citizen_relationship", args=[citizen.pk])
    assert client.get(url).status_code == status


def test_the_page_links_them_or_says_what_is_wrong_next_to_the_field(client):
    helene = CitizenFactory(given_names="Hélène", family_name="Garnier")
    leo = CitizenFactory(given_names="Léo", family_name="Garnier")
    client.force_login(agent(TeamFactory(), Membership.Role.FRONT_DESK))
    url = reverse("backoffice:citizen_relationship", args=[helene.pk])
    response = client.post(url, {"link": "parent_of", "other": "999999"})
    assert response.status_code == 400
    assert "Aucune fiche ne porte le numéro 999999" in response.content.decode()
    response = client.post(url, {"link": "parent_of", "other": str(leo.pk)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Parent de" in page and "Léo Garnier" in page
    assert Relationship.objects.get().to_citizen == leo
