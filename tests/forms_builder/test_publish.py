"""Publishing a form version (issue 13, item 3): one service validates the schema, bumps the
number and records who published; the admin and the demo loader go through it."""

import pytest
from django.db import IntegrityError, transaction

from forms_builder.services import PublishRefused, form_version_publish
from tests.factories import FormVersionFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "version": 1,
    "pages": [
        {
            "id": "p",
            "title": "Page",
            "fields": [{"id": "nom", "type": "text", "label": "Nom", "required": True}],
        }
    ],
}


def test_a_valid_draft_is_published_with_its_publisher():
    admin = UserFactory()
    draft = FormVersionFactory(published_at=None, schema=VALID, number=1)

    version = form_version_publish(version=draft, actor=admin)

    version.refresh_from_db()
    assert version.is_published
    assert version.published_by == admin
    assert version.number == 1


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"pages": [{"title": "A"}]}, "Version de schéma inconnue"),
        ({"version": 1, "pages": []}, "au moins une page"),
        (
            {"version": 1, "pages": [{"id": "p", "title": "P", "fields": [{"id": "x"}]}]},
            "x",
        ),
        ("pas un objet", "objet JSON"),
    ],
)
def test_an_invalid_schema_is_refused_and_stays_a_draft(schema, message):
    draft = FormVersionFactory(published_at=None, schema=schema)

    with pytest.raises(PublishRefused) as refused:
        form_version_publish(version=draft, actor=UserFactory())

    assert any(message in error for error in refused.value.errors)
    draft.refresh_from_db()
    assert not draft.is_published
    assert draft.published_by is None


def test_a_published_version_is_not_published_again():
    version = FormVersionFactory(schema=VALID)
    with pytest.raises(PublishRefused, match="déjà publiée"):
        form_version_publish(version=version)


@pytest.mark.parametrize(
    ("published", "drafts", "draft_number", "expected"),
    [
        ([], [], 1, 1),  # the first version keeps its number
        ([1], [], 2, 2),  # already after the published one
        ([1, 3], [], 2, 4),  # behind a published number: after every version
        ([3], [4], 1, 5),  # an older draft published later goes after the other draft too
    ],
)
def test_published_numbers_only_grow(published, drafts, draft_number, expected):
    procedure = ProcedureFactory()
    for number in published:
        FormVersionFactory(procedure=procedure, number=number, schema=VALID)
    for number in drafts:
        FormVersionFactory(procedure=procedure, number=number, schema=VALID, published_at=None)
    draft = FormVersionFactory(
        procedure=procedure, number=draft_number, schema=VALID, published_at=None
    )

    assert form_version_publish(version=draft).number == expected


def test_the_database_still_freezes_what_was_published():
    version = form_version_publish(
        version=FormVersionFactory(published_at=None, schema=VALID), actor=UserFactory()
    )
    version.schema = {"version": 1, "pages": []}
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()
