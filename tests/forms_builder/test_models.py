"""The database refuses bad silence rules and keeps published form versions as they were."""

import contextlib

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from forms_builder.models import FormVersion
from tests.factories import FormVersionFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def refused(reason: str):
    """The database refuses what the block writes, giving `reason` (a constraint's name or a
    trigger's message)."""
    with pytest.raises(IntegrityError, match=reason), transaction.atomic():
        yield


@pytest.mark.parametrize(
    ("rule", "delay"),
    [
        ("none", ""),
        ("acceptance", "P2M"),
        ("acceptance", "P30D"),
        ("rejection", "P8W"),
        ("rejection", "P4M"),
        ("acceptance", "P999D"),
    ],
)
def test_silence_rules_with_their_delay_are_accepted(rule, delay):
    procedure = ProcedureFactory(silence_rule=rule, silence_delay=delay)
    FormVersionFactory(procedure=procedure)


@pytest.mark.parametrize(
    ("rule", "delay"),
    [
        ("none", "P2M"),
        ("acceptance", ""),
        ("rejection", ""),
        ("acceptance", "2M"),
        ("acceptance", "P0M"),
        ("acceptance", "P2Y"),
        ("rejection", "P1000D"),
        ("rejection", "p2m"),
        ("rejection", "P02M"),
        ("sometimes", "P2M"),
    ],
)
def test_bad_silence_rules_are_refused(rule, delay):
    with refused("procedure_silence_rule_has_delay"):
        ProcedureFactory(silence_rule=rule, silence_delay=delay)
    procedure = ProcedureFactory()
    with refused("formversion_silence_rule_has_delay"):
        FormVersionFactory(procedure=procedure, silence_rule=rule, silence_delay=delay)


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("kind", "petition", "procedure_kind_valid"),
        ("identification", "passport", "procedure_identification_valid"),
    ],
)
def test_procedure_choices_are_checked(field, value, constraint):
    with refused(constraint):
        ProcedureFactory(**{field: value})


def test_version_numbers_are_unique_per_procedure():
    version = FormVersionFactory(number=1)
    with refused("formversion_number_unique"):
        FormVersionFactory(procedure=version.procedure, number=1)
    FormVersionFactory(procedure=version.procedure, number=2)
    FormVersionFactory(number=1)


def test_version_numbers_start_at_one():
    with refused("formversion_number_positive"):
        FormVersionFactory(number=0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("schema", {"pages": [{"title": "Changée"}]}),
        ("silence_rule", "rejection"),
        ("silence_delay", "P3M"),
        ("number", 99),
        ("published_at", None),
    ],
)
def test_a_published_version_cannot_change(field, value):
    version = FormVersionFactory(silence_rule="acceptance", silence_delay="P2M")
    setattr(version, field, value)
    with refused("a published form version is immutable"):
        version.save()
    with refused("a published form version is immutable"):
        FormVersion.objects.filter(pk=version.pk).update(**{field: value})


def test_a_published_version_cannot_move_to_another_procedure():
    version = FormVersionFactory()
    with refused("a published form version is immutable"):
        FormVersion.objects.filter(pk=version.pk).update(procedure=ProcedureFactory())


def test_saving_a_published_version_unchanged_is_harmless():
    version = FormVersionFactory()
    version.save()


def test_a_published_version_cannot_be_deleted():
    version = FormVersionFactory()
    with refused("a published form version cannot be deleted"):
        version.delete()
    with refused("a published form version cannot be deleted"):
        FormVersion.objects.filter(pk=version.pk).delete()
    assert FormVersion.objects.filter(pk=version.pk).exists()


def test_a_draft_version_changes_then_is_published_once():
    draft = FormVersionFactory(published_at=None, silence_rule="acceptance", silence_delay="P2M")
    draft.schema = {"pages": [{"title": "Votre demande"}]}
    draft.silence_delay = "P1M"
    draft.save()

    draft.published_at = timezone.now()
    draft.save()

    draft.refresh_from_db()
    assert draft.is_published
    assert draft.schema == {"pages": [{"title": "Votre demande"}]}
    assert draft.silence_delay == "P1M"
    draft.published_at = timezone.now()
    with refused("a published form version is immutable"):
        draft.save()


def test_a_draft_version_can_be_deleted():
    draft = FormVersionFactory(published_at=None)
    draft.delete()
    assert not FormVersion.objects.filter(pk=draft.pk).exists()
