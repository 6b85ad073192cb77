"""The one-stop shop's search (citizens.search): each demo citizen is found from degraded input
of every kind an agent is given, namesakes are both listed, merged records never are."""

from datetime import date

import pytest

from citizens.models import Citizen, Organisation
from citizens.search import MAX_QUERY_LENGTH, read_query, search_citizens
from service_requests.citizen_search import citizens_by_reference, last_contact
from service_requests.models import Status
from tests.factories import (
    CitizenFactory,
    InteractionFactory,
    OrganisationFactory,
    RepresentationFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db

REFERENCE = "K7QM-2X4P"
SIRET = "12345678900012"
RNA = "W001000042"


TOWN = {"postcode": "00000", "city": "Démo"}
# The demo's citizens (demo/demo_data.py), written out: the search is checked on them.
CITIZENS = {
    "helene": dict(
        given_names="Hélène", family_name="Garnier", birth_date=date(1978, 4, 12),
        email="helene.garnier@exemple.invalid", phone="06 12 34 56 78",
        street="12 rue des Tilleuls", **TOWN,
    ),
    "jean-baptiste": dict(
        given_names="Jean-Baptiste", family_name="Morin", birth_date=date(1985, 9, 23),
        email="jb.morin@exemple.invalid", phone="06 98 76 54 32", street="5 rue du Moulin",
        identity_assurance="franceconnect", franceconnect_sub="b6048e95bb134ec5", **TOWN,
    ),
    "germaine": dict(  # widowed, known under her late husband's name, no email
        given_names="Germaine", family_name="Roux", usage_name="Besson",
        birth_date=date(1939, 2, 3), email="", phone="01 00 11 22 33",
        street="3 impasse des Glycines", **TOWN,
    ),
    "yasmine": dict(
        given_names="Yasmine", family_name="Haddad", birth_date=date(1990, 6, 30),
        email="yasmine.haddad@exemple.invalid", phone="07 11 22 33 44",
        street="8 allée des Jardins", **TOWN,
    ),
    "chloe": dict(
        given_names="Chloé", family_name="Nguyen", birth_date=date(1995, 11, 2),
        email="chloe.nguyen@exemple.invalid", street="14 rue Victor-Hugo", **TOWN,
    ),
    "lucas": dict(
        given_names="Lucas", family_name="Perrin", birth_date=date(1962, 1, 17),
        email="lucas.perrin@exemple.invalid", phone="06 55 44 33 22",
        street="40 chemin des Vignes", **TOWN,
    ),
}  # fmt: skip


@pytest.fixture
def people():
    """The demo's citizens, and what they stand for."""
    people = {key: CitizenFactory(**values) for key, values in CITIZENS.items()}
    association = OrganisationFactory(name="Les Jardins partagés de Démo", rna=RNA)
    RepresentationFactory(citizen=people["yasmine"], organisation=association)
    bakery = OrganisationFactory(
        kind=Organisation.Kind.COMPANY, name="Boulangerie Perrin", siret=SIRET, rna=None
    )
    RepresentationFactory(citizen=people["lucas"], organisation=bakery)
    ServiceRequestFactory(reference=REFERENCE, citizen=people["chloe"])
    return people


def search(query, **kwargs):
    return search_citizens(query, by_reference=citizens_by_reference, **kwargs)


def found(query) -> list[int]:
    return [hit.pk for hit in search(query).citizens]


# (what the agent types, whom they mean): each must come first.
DEGRADED = [
    # Names: accents dropped or added, any case, one or two typos, given or usage name only.
    ("Hélène Garnier", "helene"),
    ("helene garnier", "helene"),
    ("HELENE GARNIER", "helene"),
    ("Garniér", "helene"),
    ("garnier hélène", "helene"),
    ("garnyer", "helene"),  # one typo
    ("granier", "helene"),  # two: letters swapped
    ("Hélène", "helene"),  # given name only
    ("jean baptiste morin", "jean-baptiste"),
    ("Jean-Baptiste", "jean-baptiste"),
    ("mourin", "jean-baptiste"),
    ("Besson", "germaine"),  # usage name
    ("Mme Besson", "germaine"),  # as announced on the phone
    ("Monsieur Perrin", "lucas"),
    ("Roux", "germaine"),  # birth name
    ("germaine beson", "germaine"),
    ("Nguyem", "chloe"),
    ("ngyen", "chloe"),
    ("chlo nguyem", "chloe"),  # two typos
    ("jean-batiste morrin", "jean-baptiste"),  # two typos
    ("chloe", "chloe"),
    ("hadad", "yasmine"),
    ("YASMINE HADAD", "yasmine"),
    ("pérrin", "lucas"),
    ("perin lucas", "lucas"),
    # A phone number, five ways and more.
    ("06 12 34 56 78", "helene"),
    ("0612345678", "helene"),
    ("+33 6 12 34 56 78", "helene"),
    ("+33612345678", "helene"),
    ("0033 6 12 34 56 78", "helene"),
    ("06.12.34.56.78", "helene"),
    ("06-12-34-56-78", "helene"),
    ("+33 (0)6 12 34 56 78", "helene"),
    ("01 00 11 22 33", "germaine"),
    # An email, any case.
    ("HELENE.GARNIER@EXEMPLE.INVALID", "helene"),
    ("Lucas.Perrin@exemple.invalid", "lucas"),
    # A birth date as people type it.
    ("12/04/1978", "helene"),
    ("12041978", "helene"),
    ("12-04-1978", "helene"),
    ("12.04.1978", "helene"),
    ("12 04 1978", "helene"),
    ("3/2/1939", "germaine"),
    # A request reference, with or without the dash, any case.
    ("K7QM-2X4P", "chloe"),
    ("k7qm2x4p", "chloe"),
    ("k7qm 2x4p", "chloe"),
    # An organisation they represent.
    (SIRET, "lucas"),
    ("123 456 789 00012", "lucas"),
    ("123456789", "lucas"),  # SIREN
    (RNA, "yasmine"),
    (RNA.lower(), "yasmine"),
    # A street address.
    ("12 rue des Tilleuls", "helene"),
    ("tilleuls", "helene"),
    ("40 chemin des vignes", "lucas"),
    ("impasse des glycines", "germaine"),
    # Mixed: the date (or phone) selects, the name ranks.
    ("garnier 12/04/1978", "helene"),
    ("granier 12041978", "helene"),
    ("ngyuen 02111995", "chloe"),  # too far for the index alone (0.29): the date selects
    ("Morin 06 98 76 54 32", "jean-baptiste"),
]


@pytest.mark.parametrize(("query", "key"), DEGRADED)
def test_each_citizen_is_found_first_from_degraded_input(people, query, key):
    hits = found(query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0] == people[key].pk, f"{query!r}: {hits}"


def test_a_phone_typed_five_ways_gives_the_same_person(people):
    ways = ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78"]
    assert {tuple(found(way)) for way in ways} == {(people["helene"].pk,)}


def test_namesakes_are_both_listed_with_what_tells_them_apart(people):
    older = CitizenFactory(
        given_names="Marie", family_name="Dupont", birth_date=date(1950, 5, 1), city="Lyon"
    )
    younger = CitizenFactory(
        given_names="Marie", family_name="Dupont", birth_date=date(1992, 8, 9), city="Nantes"
    )
    InteractionFactory(citizen=younger)
    results = search("marie dupont", annotations={"last_contact": last_contact()})
    hits = {hit.pk: hit for hit in results.citizens}
    assert set(hits) == {older.pk, younger.pk}
    assert (hits[older.pk].birth_date, hits[older.pk].city) == (date(1950, 5, 1), "Lyon")
    assert hits[older.pk].last_contact is None
    assert hits[younger.pk].last_contact is not None
    assert hits[older.pk].display_name == hits[younger.pk].display_name == "Marie Dupont"
    # The date tells them apart when the agent has it.
    assert found("dupont 09/08/1992") == [younger.pk]


def test_the_last_contact_is_the_latest_of_contacts_and_filed_requests(people):
    helene = people["helene"]
    contact = InteractionFactory(citizen=helene)
    request = ServiceRequestFactory(citizen=helene)
    ServiceRequestFactory(citizen=helene, status=Status.DRAFT)  # not a contact yet
    (hit,) = search("0612345678", annotations={"last_contact": last_contact()}).citizens
    assert hit.last_contact == max(contact.occurred_at, request.created_at)


def test_merged_records_never_show(people):
    helene = people["helene"]
    tombstone = CitizenFactory(
        given_names="Hélène", family_name="Garnier", birth_date=helene.birth_date,
        phone=helene.phone, email=helene.email, merged_into=helene,
    )  # fmt: skip
    RepresentationFactory(citizen=tombstone, organisation=OrganisationFactory(rna="W999999999"))
    for query in ("helene garnier", "06 12 34 56 78", helene.email, "12/04/1978", "W999999999"):
        assert tombstone.pk not in found(query), query
    assert found("helene garnier")[0] == helene.pk


def test_usage_name_and_birth_name_both_shown(people):
    (hit,) = search("besson").citizens
    assert (hit.display_name, hit.birth_name) == ("Germaine Besson", "Roux")


def test_an_organisation_number_also_finds_the_organisation(people):
    for query in (SIRET, "123456789"):
        (organisation,) = search(query).organisations
        assert (organisation.name, organisation.number) == ("Boulangerie Perrin", SIRET)
    (organisation,) = search(RNA.lower()).organisations
    assert (organisation.name, organisation.kind) == ("Les Jardins partagés de Démo", "Association")


def test_an_all_letter_term_shaped_like_a_reference_is_still_a_name(people):
    martinez = CitizenFactory(given_names="Paul", family_name="Martinez")
    # « MARTINEZ » reads as the reference MART-1NEZ (I for 1): it is searched as a name too.
    assert found("martinez") == [martinez.pk]
    assert read_query("martinez", citizens_by_reference).references == ["MART-1NEZ"]


def test_an_unknown_reference_anonymous_request_or_draft_finds_nobody(people):
    ServiceRequestFactory(reference="AAAA-BBBB", citizen=None)
    ServiceRequestFactory(reference="CCCC-DDDD", citizen=people["helene"], status=Status.DRAFT)
    for query in ("ZZZZ-ZZZZ", "AAAA-BBBB", "CCCCDDDD"):
        assert found(query) == [], query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dupont 06 12 34 56 78 12/03/1980", {"words": ["dupont"], "phones": ["06 12 34 56 78"],
                                              "birth_dates": [date(1980, 3, 12)]}),
        ("12 rue de la Paix 75011", {"words": ["12", "Paix", "75011"]}),
        ("Le", {"words": ["Le"]}),  # nothing but a common word: kept
        ("jean.dupont@exemple.fr", {"emails": ["jean.dupont@exemple.fr"]}),
        ("31/02/1980", {"words": ["31/02/1980"]}),  # no such day
        ("123 456 789", {"sirens": ["123456789"]}),
        ("w12345678a", {"rnas": ["W12345678A"]}),
        ("k7qm-2x4p martin", {"references": ["K7QM-2X4P"], "words": ["martin"]}),
    ],
)  # fmt: skip
def test_how_a_query_is_read(query, expected):
    read = read_query(query, citizens_by_reference)
    for name in ("words", "emails", "phones", "birth_dates", "sirets", "sirens", "rnas"):
        assert getattr(read, name) == expected.get(name, []), name
    assert read.references == expected.get("references", [])


def test_bad_input_is_harmless(people):
    assert search("").citizens == [] and search("   ").citizens == []
    assert search("!! ? -").citizens == []
    assert search("'; DROP TABLE citizens_citizen; --").citizens == []
    assert search("garnier' OR '1'='1").citizens == []  # every word must match
    assert search("garnier'--").citizens[0].pk == people["helene"].pk
    assert search("<script>alert(1)</script>").citizens == []
    long = "garnier " + "x" * 1000
    assert search(long).query.words[-1] == "x" * (MAX_QUERY_LENGTH - len("garnier "))
    assert Citizen.objects.count() == len(CITIZENS)


def test_the_search_reads_the_citizens_in_one_query(people, django_assert_num_queries):
    last = {"last_contact": last_contact()}
    # Exact criteria: one query, the last contact and the reference subqueries in it.
    with django_assert_num_queries(1):
        search("0612345678", annotations=last)
    with django_assert_num_queries(1):
        search("garnier 12/04/1978 K7QM-2X4P", annotations=last)
    with django_assert_num_queries(2):  # and the organisations
        search(SIRET, annotations=last)
    # Words: the threshold, then the citizens, in a transaction (here a savepoint and its
    # release); a tolerant pass when the strict one found too few and none as typed.
    with django_assert_num_queries(4):
        search("garnier", limit=1, annotations=last)
    with django_assert_num_queries(4):
        search("yasmine haddad", annotations=last)
    with django_assert_num_queries(6):
        search("granier", annotations=last)
