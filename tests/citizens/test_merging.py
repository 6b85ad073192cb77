"""Merging two records of one person and undoing it (citizens.merging): a merge and its undo
leave every row that points at a citizen where it was, whatever model it belongs to; the
certified identity wins; the refusals say why and change nothing."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db.models import ManyToManyRel
from django.utils import timezone

from citizens.merging import MergeRefused, citizen_merge, citizen_merge_undo, undoable_merges
from citizens.models import Citizen, CitizenMerge, Relationship
from citizens.references import citizen_references, reference_counts, reference_key
from service_requests.models import Status
from tests.factories import (
    CitizenFactory,
    InteractionFactory,
    OrganisationFactory,
    RepresentationFactory,
    ServiceRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Assurance = Citizen.IdentityAssurance
CITIZEN_STATE = [
    f.attname
    for f in Citizen._meta.concrete_fields
    if f.name not in ("updated_at", "search_name", "search_address")
]


@pytest.fixture
def agent():
    return UserFactory(first_name="Nadia", last_name="Benali")


def state(citizen):
    return Citizen.objects.filter(pk=citizen.pk).values(*CITIZEN_STATE).get()


def references():
    """Every row of every model pointing at a citizen, {"app.model.field": {pk: citizen id}}:
    the relations the model's meta lists (found here independently of the service), and those
    the service finds besides (hidden ones, `related_name="+"`)."""
    fields = {
        reference_key(relation.field): relation.field
        for relation in Citizen._meta.related_objects
        if not isinstance(relation, ManyToManyRel) and relation.related_model is not CitizenMerge
    }
    fields |= {reference_key(field): field for field in citizen_references()}
    snapshot = {}
    for key, field in fields.items():
        rows = field.model._base_manager.exclude(**{field.attname: None})
        snapshot[key] = dict(rows.values_list("pk", field.attname))
    return snapshot


@pytest.fixture
def household(agent):
    """Two records of Hélène Garnier, and a row of every kind pointing at each: the record to
    be merged is FranceConnect-certified with an account; the other was typed at the counter."""
    kept = CitizenFactory(
        given_names="Helene",
        family_name="Garnier",
        birth_date=date(1980, 5, 3),
        email="helene.garnier@exemple.fr",
        phone="06 12 34 56 78",
        street="3 rue des Lilas",
        postcode="69003",
        city="Lyon",
    )
    account = UserFactory(email="h.garnier@exemple.fr")
    merged = CitizenFactory(
        given_names="Hélène Marie",
        family_name="Garnier",
        usage_name="Roux",
        birth_date=date(1980, 5, 3),
        birth_place="69123",
        birth_country="99100",
        sex=Citizen.Sex.FEMALE,
        email="h.garnier@exemple.fr",
        phone="",
        street="12 avenue Foch",
        postcode="69006",
        city="Lyon",
        identity_assurance=Assurance.FRANCECONNECT,
        franceconnect_sub="sub-helene-garnier",
        user=account,
    )
    child, parent = CitizenFactory(given_names="Léo"), CitizenFactory(given_names="Josette")
    shared, own = OrganisationFactory(), OrganisationFactory()
    # The kept record's own rows.
    ServiceRequestFactory(citizen=kept)
    InteractionFactory(citizen=kept)
    RepresentationFactory(citizen=kept, organisation=shared)
    Relationship.objects.create(from_citizen=kept, to_citizen=child, kind="parent")
    # The merged record's rows: requests (a draft too), contacts, representations (one the
    # kept record already holds), household links both ways (one the kept record already
    # holds, one with the kept record itself), and a record merged into it earlier.
    ServiceRequestFactory(citizen=merged)
    ServiceRequestFactory(citizen=merged, status=Status.DRAFT, submitted_at=None)
    InteractionFactory(citizen=merged)
    InteractionFactory(citizen=merged)
    RepresentationFactory(citizen=merged, organisation=shared)
    RepresentationFactory(citizen=merged, organisation=own)
    Relationship.objects.create(from_citizen=merged, to_citizen=child, kind="parent")
    Relationship.objects.create(from_citizen=merged, to_citizen=kept, kind="guardian")
    Relationship.objects.create(from_citizen=parent, to_citizen=merged, kind="parent")
    older = CitizenFactory(given_names="Hélène", family_name="Garnie")
    citizen_merge(kept=merged, merged=older, choices={}, actor=agent)
    merged.refresh_from_db()
    return kept, merged


def test_every_kind_of_reference_is_exercised(household):
    """A model added later with a foreign key to Citizen is merged by the service without a
    change (it reads the model's meta): this test then asks for a row of it in `household`, so
    that the round trip below checks it too."""
    _, merged = household
    found = {reference_key(field) for field in citizen_references()}
    assert found == set(references())
    uncovered = {key for key, rows in references().items() if merged.pk not in rows.values()}
    assert not uncovered, f"add rows of {uncovered} pointing at `merged` in the fixture"


def test_merge_then_undo_leaves_every_row_where_it_was(household, agent):
    kept, merged = household
    before = references()
    kept_before, merged_before = state(kept), state(merged)

    merge = citizen_merge(kept=kept, merged=merged, choices={"phone": "kept"}, actor=agent)

    after = references()
    for key, rows in before.items():
        moved = set(merge.moved.get(key, []))
        left = set(merge.left_behind.get(key, []))
        for pk, citizen_id in rows.items():
            if pk in moved:
                assert citizen_id == merged.pk and after[key][pk] == kept.pk, (key, pk)
            else:
                assert after[key][pk] == citizen_id, (key, pk)
        on_merged = {pk for pk, citizen_id in rows.items() if citizen_id == merged.pk}
        assert moved | left == on_merged, key
    # What could not move duplicates what the kept record holds, or would link it to itself.
    assert set(merge.left_behind) == {
        "citizens.representation.citizen",
        "citizens.relationship.from_citizen",
    }
    assert len(merge.left_behind["citizens.relationship.from_citizen"]) == 2
    assert "service_requests.servicerequest.citizen" in merge.moved
    assert "citizens.citizen.merged_into" in merge.moved  # tombstones point at a live record

    citizen_merge_undo(merge=merge, actor=agent)

    assert references() == before
    assert state(kept) == kept_before
    assert state(merged) == merged_before


def test_certified_identity_wins_and_moves_with_the_account(household, agent):
    kept, merged = household
    choices = {"given_names": "kept", "family_name": "kept", "email": "kept", "street": "merged"}
    merge = citizen_merge(kept=kept, merged=merged, choices=choices, actor=agent)
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert kept.given_names == "Hélène Marie"  # certified, whatever was chosen
    assert (kept.birth_place, kept.sex) == ("69123", Citizen.Sex.FEMALE)
    assert kept.identity_assurance == Assurance.FRANCECONNECT
    assert kept.franceconnect_sub == "sub-helene-garnier"
    assert kept.user.email == "h.garnier@exemple.fr"
    assert kept.usage_name == ""  # not certified: the kept side, as chosen by default
    assert kept.email == "helene.garnier@exemple.fr"
    assert (kept.street, kept.postcode) == ("12 avenue Foch", "69003")
    assert merged.merged_into == kept
    assert merged.franceconnect_sub is None and merged.user is None
    assert merge.replaced_values["given_names"] == "Helene"
    assert merge.replaced_values["identity_assurance"] == Assurance.DECLARED
    assert merge.replaced_values["user"] is None
    assert "email" not in merge.replaced_values
    # Both records' history names the agent and the reason; so does a moved request's.
    for record in (kept, merged):
        entry = record.history.order_by("-history_id").first()
        assert entry.history_user == agent
        assert "Fusion" in entry.history_change_reason
    moved_request = kept.requests.get(pk=merge.moved["service_requests.servicerequest.citizen"][0])
    entry = moved_request.history.order_by("-history_id").first()
    assert (entry.history_user, entry.citizen_id) == (agent, kept.pk)


def test_certified_kept_record_keeps_its_identity(agent):
    kept = CitizenFactory(
        given_names="Paul",
        identity_assurance=Assurance.FRANCECONNECT,
        franceconnect_sub="sub-paul",
    )
    merged = CitizenFactory(given_names="Pol", phone="06 00 00 00 01")
    citizen_merge(
        kept=kept, merged=merged, choices={"given_names": "merged", "phone": "merged"}, actor=agent
    )
    kept.refresh_from_db()
    assert (kept.given_names, kept.phone) == ("Paul", "06 00 00 00 01")
    assert kept.franceconnect_sub == "sub-paul"


def test_identity_checked_at_the_counter_holds_only_for_that_identity(agent):
    checked = CitizenFactory(given_names="Anne", identity_assurance=Assurance.COUNTER)
    other = CitizenFactory(given_names="Ann", family_name=checked.family_name)
    citizen_merge(kept=other, merged=checked, choices={"given_names": "merged"}, actor=agent)
    other.refresh_from_db()
    assert other.identity_assurance == Assurance.COUNTER
    checked2 = CitizenFactory(given_names="Anne", identity_assurance=Assurance.COUNTER)
    other2 = CitizenFactory(given_names="Ann")
    citizen_merge(kept=checked2, merged=other2, choices={"given_names": "merged"}, actor=agent)
    checked2.refresh_from_db()
    assert checked2.identity_assurance == Assurance.DECLARED


def nothing_changes(call, *records):
    states = [state(record) for record in records]
    counts = (CitizenMerge.objects.count(), references())
    with pytest.raises(MergeRefused) as refusal:
        call()
    assert [state(record) for record in records] == states
    assert (CitizenMerge.objects.count(), references()) == counts
    return refusal.value


def test_refusals_change_nothing(agent):
    one, two = CitizenFactory(), CitizenFactory()
    ServiceRequestFactory(citizen=two)

    refusal = nothing_changes(
        lambda: citizen_merge(kept=one, merged=one, choices={}, actor=agent), one
    )
    assert refusal.code == "self" and "elle-même" in refusal.message
    assert not refusal.is_conflict

    tombstone = CitizenFactory()
    citizen_merge(kept=two, merged=tombstone, choices={}, actor=agent)
    for kept, merged in ((one, tombstone), (tombstone, one)):
        refusal = nothing_changes(
            lambda k=kept, m=merged: citizen_merge(kept=k, merged=m, choices={}, actor=agent),
            one,
            tombstone,
        )
        assert refusal.code == "already_merged" and refusal.is_conflict
        assert f"fiche n° {two.pk}" in refusal.message

    fc_one = CitizenFactory(identity_assurance=Assurance.FRANCECONNECT, franceconnect_sub="a")
    fc_two = CitizenFactory(identity_assurance=Assurance.FRANCECONNECT, franceconnect_sub="b")
    refusal = nothing_changes(
        lambda: citizen_merge(kept=fc_one, merged=fc_two, choices={}, actor=agent), fc_one, fc_two
    )
    assert refusal.code == "two_franceconnect" and "FranceConnect" in refusal.message

    with_account = CitizenFactory(user=UserFactory())
    other_account = CitizenFactory(user=UserFactory())
    refusal = nothing_changes(
        lambda: citizen_merge(kept=with_account, merged=other_account, choices={}, actor=agent),
        with_account,
        other_account,
    )
    assert refusal.code == "two_accounts" and "compte" in refusal.message

    with pytest.raises(ValueError):
        citizen_merge(kept=one, merged=two, choices={"franceconnect_sub": "merged"}, actor=agent)


def test_undo_within_thirty_days_only(agent):
    kept, merged = CitizenFactory(), CitizenFactory()
    ServiceRequestFactory(citizen=merged)
    with time_machine.travel(timezone.now() - timedelta(days=30, minutes=1)):
        merge = citizen_merge(kept=kept, merged=merged, choices={}, actor=agent)
    assert undoable_merges(kept) == []
    refusal = nothing_changes(lambda: citizen_merge_undo(merge=merge, actor=agent), kept, merged)
    assert refusal.code == "expired" and "30 jours" in refusal.message
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_undo_twice_is_refused(agent):
    kept, merged = CitizenFactory(), CitizenFactory()
    merge = citizen_merge(kept=kept, merged=merged, choices={}, actor=agent)
    assert undoable_merges(kept) == [merge]
    citizen_merge_undo(merge=merge, actor=agent)
    merge.refresh_from_db()
    assert merge.undone_by == agent
    refusal = nothing_changes(lambda: citizen_merge_undo(merge=merge, actor=agent), kept, merged)
    assert refusal.code == "undone" and "déjà été annulée" in refusal.message


def test_undo_waits_for_a_later_merge_of_the_kept_record(agent):
    first, second, third = CitizenFactory(), CitizenFactory(), CitizenFactory()
    ServiceRequestFactory(citizen=first)
    older = citizen_merge(kept=second, merged=first, choices={}, actor=agent)
    later = citizen_merge(kept=third, merged=second, choices={}, actor=agent)
    first.refresh_from_db()
    assert first.merged_into == third  # a tombstone points at a live record
    refusal = nothing_changes(lambda: citizen_merge_undo(merge=older, actor=agent), second)
    assert refusal.code == "chained" and "annulez d'abord" in refusal.message
    citizen_merge_undo(merge=later, actor=agent)
    citizen_merge_undo(merge=older, actor=agent)
    first.refresh_from_db()
    assert first.merged_into is None and first.requests.count() == 1


def test_undo_keeps_a_value_changed_since(agent):
    kept = CitizenFactory(email="ancienne@exemple.fr", phone="06 11 11 11 11")
    merged = CitizenFactory(email="nouvelle@exemple.fr", phone="06 22 22 22 22")
    merge = citizen_merge(
        kept=kept, merged=merged, choices={"email": "merged", "phone": "merged"}, actor=agent
    )
    Citizen.objects.filter(pk=kept.pk).update(email="corrigee@exemple.fr")
    merge = citizen_merge_undo(merge=merge, actor=agent)
    kept.refresh_from_db()
    assert kept.email == "corrigee@exemple.fr"  # the later change stands
    assert kept.phone == "06 11 11 11 11"
    assert merge.not_restored == ["email"]


def test_reference_counts(household):
    kept, merged = household
    counts = {row.key: row for row in reference_counts([kept, merged])}
    assert counts["service_requests.servicerequest.citizen"].counts == {kept.pk: 1, merged.pk: 2}
    assert counts["citizens.citizen.merged_into"].label == (
        "fiches fusionnées auparavant dans celle-ci"
    )
    assert counts["service_requests.interaction.citizen"].label == "contacts"


def test_undo_leaves_a_row_moved_elsewhere_since(agent):
    kept, merged, third = CitizenFactory(), CitizenFactory(), CitizenFactory()
    request = ServiceRequestFactory(citizen=merged)
    staying = ServiceRequestFactory(citizen=merged)
    merge = citizen_merge(kept=kept, merged=merged, choices={}, actor=agent)
    request.citizen = third  # an agent corrects whose request it is, after the merge
    request.save(update_fields=["citizen"])
    merge = citizen_merge_undo(merge=merge, actor=agent)
    request.refresh_from_db()
    staying.refresh_from_db()
    assert (request.citizen, staying.citizen) == (third, merged)
    assert merge.not_moved_back == {"service_requests.servicerequest.citizen": [request.pk]}
