"""The database refuses bad citizens, organisations and household links."""

import contextlib

import pytest
from django.db import IntegrityError, transaction

from citizens.models import Organisation, Relationship
from tests.factories import CitizenFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def refused(constraint: str):
    """The database refuses what the block writes, naming `constraint`."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        yield


@pytest.mark.parametrize("postcode", ["", "75011", "01000", "20000", "20200", "97411"])
def test_french_postcodes_are_accepted(postcode):
    assert CitizenFactory(postcode=postcode).postcode == postcode


# Corsica's 2A/2B are département codes, not postcodes (Ajaccio is 20000).
@pytest.mark.parametrize("postcode", ["7501", "ABCDE", "75 01", "2A004", "2B033", "7501A"])
def test_malformed_postcodes_are_refused(postcode):
    with refused("citizen_postcode_format"):
        CitizenFactory(postcode=postcode)


def test_franceconnect_sub_is_null_or_not_empty():
    CitizenFactory(franceconnect_sub=None)
    CitizenFactory(franceconnect_sub=None)
    with refused("citizen_fc_sub_not_empty"):
        CitizenFactory(franceconnect_sub="")


def test_franceconnect_sub_links_one_citizen():
    CitizenFactory(
        franceconnect_sub="b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1"
    )
    with refused("franceconnect_sub"):
        CitizenFactory(
            franceconnect_sub="b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1"
        )


def test_identity_assurance_must_be_known():
    with refused("citizen_identity_assurance_valid"):
        CitizenFactory(identity_assurance="trusted_friend")


def test_company_with_a_siret_is_accepted():
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY, siret="73282932000074", rna=None)
    assert company.siret == "73282932000074"


@pytest.mark.parametrize("siret", ["123", "7328293200007A", "732 829 320 00"])
def test_malformed_sirets_are_refused(siret):
    with refused("organisation_siret_format"):
        OrganisationFactory(kind=Organisation.Kind.COMPANY, siret=siret, rna=None)


def test_a_company_needs_a_siret():
    with refused("organisation_company_has_siret"):
        OrganisationFactory(kind=Organisation.Kind.COMPANY, siret=None, rna=None)


def test_an_association_needs_no_siret():
    assert OrganisationFactory(kind=Organisation.Kind.ASSOCIATION, siret=None).siret is None


def test_siret_is_unique():
    OrganisationFactory(kind=Organisation.Kind.COMPANY, siret="73282932000074", rna=None)
    with refused("siret"):
        OrganisationFactory(kind=Organisation.Kind.COMPANY, siret="73282932000074", rna=None)


@pytest.mark.parametrize("rna", ["W123456789", "W75A000001"])
def test_rna_numbers_are_accepted(rna):
    assert OrganisationFactory(rna=rna).rna == rna


@pytest.mark.parametrize("rna", ["W12345678", "X123456789", "w123456789", "123456789W"])
def test_malformed_rna_numbers_are_refused(rna):
    with refused("organisation_rna_format"):
        OrganisationFactory(rna=rna)


def test_a_citizen_is_not_their_own_parent():
    parent, child = CitizenFactory(), CitizenFactory()
    Relationship.objects.create(from_citizen=parent, to_citizen=child, kind="parent")
    with refused("relationship_not_self"):
        Relationship.objects.create(from_citizen=parent, to_citizen=parent, kind="parent")


def test_a_household_link_is_recorded_once():
    parent, child = CitizenFactory(), CitizenFactory()
    Relationship.objects.create(from_citizen=parent, to_citizen=child, kind="parent")
    with refused("relationship_unique"):
        Relationship.objects.create(from_citizen=parent, to_citizen=child, kind="parent")
    Relationship.objects.create(from_citizen=parent, to_citizen=child, kind="guardian")
