"""Writes of the forms builder: publishing a form version.

A published version is what requests are filed under: the database trigger of migration 0002
freezes it. Publishing is therefore the moment to refuse a schema the engine cannot run, and
the only way a version becomes published (the admin and the demo loader both come here).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from forms_builder.models import FormVersion, Procedure
from forms_builder.schema import validate_schema


class PublishRefused(Exception):
    """Why a version cannot be published, in French, one message per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def form_version_publish(*, version: FormVersion, actor=None) -> FormVersion:
    """Publish a draft version: its schema must pass `validate_schema`; it takes the number
    after every version of its procedure when a published one has the same or a higher one
    (published numbers only grow); who published it and when are recorded. `actor` is None
    only for the demo loader and data migrations."""
    with transaction.atomic():
        # The procedure's row serialises two publications of its versions (their numbers).
        Procedure.objects.select_for_update().only("pk").get(pk=version.procedure_id)
        version = FormVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise PublishRefused([_("Cette version est déjà publiée.")])
        errors = validate_schema(version.schema)
        if errors:
            raise PublishRefused(errors)
        others = FormVersion.objects.filter(procedure_id=version.procedure_id).exclude(
            pk=version.pk
        )
        highest_published = others.filter(published_at__isnull=False).aggregate(n=Max("number"))
        if (highest_published["n"] or 0) >= version.number:
            version.number = (others.aggregate(n=Max("number"))["n"] or 0) + 1
        version.published_at = timezone.now()
        version.published_by = actor
        version.save(update_fields=["number", "published_at", "published_by"])
    return version
