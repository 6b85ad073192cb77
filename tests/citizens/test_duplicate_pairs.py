"""The front desk's list of likely duplicates (citizens.duplicates.duplicate_pairs): each pair
with every reason it matched, newest first, tombstones and undone merges left out, and a plan
that walks the indexes rather than comparing every record with every other."""

from datetime import date

import pytest
from django.db import connection

from citizens.duplicates import (
    NAME_SIMILARITY,
    SAME_BIRTH_DATE_AND_NAME,
    SAME_EMAIL,
    SAME_PHONE,
    _pairs_sql,
    duplicate_pairs,
)
from citizens.merging import citizen_merge, citizen_merge_undo
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db
BIRTH = date(1975, 2, 14)


def pairs():
    return {(p.older.pk, p.newer.pk): p.reasons for p in duplicate_pairs()}


def test_reasons():
    helene = CitizenFactory(given_names="Hélène", family_name="Lefèvre", birth_date=BIRTH)
    typo = CitizenFactory(given_names="Helene", family_name="Lefevre", birth_date=BIRTH)
    namesake = CitizenFactory(given_names="Hélène", family_name="Lefèvre", birth_date=None)
    stranger = CitizenFactory(given_names="Marc", family_name="Dubois", birth_date=BIRTH)
    same_mail = CitizenFactory(email="HELENE@exemple.fr", phone="06 12 34 56 78")
    same_mail_phone = CitizenFactory(email="helene@exemple.fr", phone="06 12 34 56 78")
    no_contact = [CitizenFactory(email="", phone="") for _ in range(3)]

    found = pairs()

    assert found[(helene.pk, typo.pk)] == (SAME_BIRTH_DATE_AND_NAME,)
    assert found[(same_mail.pk, same_mail_phone.pk)] == (SAME_EMAIL, SAME_PHONE)
    assert (helene.pk, stranger.pk) not in found  # same day, other name
    assert not {namesake.pk, stranger.pk} & {pk for pair in found for pk in pair}
    assert not {c.pk for c in no_contact} & {pk for pair in found for pk in pair}  # "" is no reason
    assert list(found) == sorted(found, key=lambda pair: (-pair[1], -pair[0]))  # newest first
    labels = next(p for p in duplicate_pairs() if p.newer == same_mail_phone).reason_labels
    assert labels == ["même adresse électronique", "même téléphone"]


def test_merged_records_and_undone_merges_are_left_out():
    agent = UserFactory()
    a = CitizenFactory(phone="06 00 00 00 01")
    b = CitizenFactory(phone="06 00 00 00 01")
    c = CitizenFactory(phone="06 00 00 00 01")
    assert set(pairs()) == {(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk)}

    merge = citizen_merge(kept=a, merged=b, choices={}, actor=agent)
    assert set(pairs()) == {(a.pk, c.pk)}

    citizen_merge_undo(merge=merge, actor=agent)
    assert set(pairs()) == {(a.pk, c.pk), (b.pk, c.pk)}  # the undo said: two people


def test_limit():
    for _ in range(4):
        CitizenFactory(phone="06 99 99 99 99")
    assert len(duplicate_pairs(limit=6)) == 6
    assert len(duplicate_pairs(limit=2)) == 2


def test_plan_walks_the_indexes():
    """On a few thousand records, each reason is an index lookup per record (no nested
    comparison of every record with every other): the plan names the three indexes."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO citizens_citizen (given_names, family_name, usage_name, birth_date,
                birth_place, birth_country, sex, email, phone, street, postcode, city,
                preferred_channel, needs_assistance, email_updates, identity_assurance,
                created_at, updated_at)
            SELECT 'Prénom ' || i, 'Nom ' || (i % 700), '', date '1950-01-01' + (i % 3000),
                '', '', '', 'personne' || i || '@exemple.fr',
                '06 ' || lpad((i % 2500)::text, 8, '0'), '', '', '', 'email', false, true,
                'declared', now(), now()
            FROM generate_series(1, 4000) AS i
            """
        )
        cursor.execute("ANALYZE citizens_citizen")
        cursor.execute("EXPLAIN " + _pairs_sql(), {"similarity": NAME_SIMILARITY, "limit": 50})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("citizen_birth_date_idx", "citizen_email_lower_idx", "citizen_phone_idx"):
        assert index in plan, plan
    assert len(duplicate_pairs()) == 50
