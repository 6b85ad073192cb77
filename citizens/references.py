"""The rows that point at a citizen, in any app: found through the models' meta, so that a
model added later is merged (`citizens.merging`) without anyone keeping a list in step; counted
for the merge screen; moved from one record to another, row by row when a constraint objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import HistoricalChanges
from simple_history.utils import get_history_manager_for_model

from citizens.models import Citizen, CitizenMerge
from gru.models import User

# How the merge screen names the rows of the citizens app that point to a record (the other
# apps' rows are named by their model's verbose name).
REFERENCE_LABELS = {
    "citizens.citizen.merged_into": "fiches fusionnées auparavant dans celle-ci",
    "citizens.representation.citizen": "organisations représentées",
    "citizens.relationship.from_citizen": "liens où l'usager est parent ou tuteur",
    "citizens.relationship.to_citizen": "liens où l'usager est l'enfant ou la personne protégée",
}


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, HistoricalChanges)


def citizen_references() -> list[models.ForeignKey]:
    """Every foreign key and one-to-one field pointing at Citizen, in any installed app,
    hidden ones (`related_name="+"`) and automatic many-to-many tables included. Left out: the
    merges' own (a merge names its two records for good), and the history tables of
    django-simple-history (they tell what was: a request's history says whose it was then;
    the move itself is written there as a new entry)."""
    fields = []
    for relation in Citizen._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one) or relation.parent_link:
            continue
        model = relation.related_model
        if model is CitizenMerge or _is_history(model) or model._meta.proxy:
            continue
        fields.append(relation.field)
    return sorted(fields, key=reference_key)


def reference_key(field: models.Field) -> str:
    """ "app_label.model.field", the key of `CitizenMerge.moved`."""
    return f"{field.model._meta.label_lower}.{field.name}"


def reference_label(field: models.Field) -> str:
    key = reference_key(field)
    if key in REFERENCE_LABELS:
        return REFERENCE_LABELS[key]
    label = str(field.model._meta.verbose_name_plural)
    siblings = [f for f in citizen_references() if f.model is field.model]
    return f"{label} ({field.verbose_name})" if len(siblings) > 1 else label


@dataclass(frozen=True)
class ReferenceCount:
    key: str
    label: str
    counts: dict[int, int]  # citizen id: rows pointing at it


def reference_counts(citizens: Iterable[Citizen]) -> list[ReferenceCount]:
    """Per kind of row pointing at a citizen, how many point at each of `citizens`: what a
    merge would move. One query per kind of row."""
    ids = [citizen.pk for citizen in citizens]
    result = []
    for field in citizen_references():
        rows = (
            field.model._base_manager.filter(**{f"{field.attname}__in": ids})
            .values_list(field.attname)
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        counts = dict.fromkeys(ids, 0) | dict(rows)
        result.append(ReferenceCount(reference_key(field), reference_label(field), counts))
    return result


def move_rows(
    field: models.ForeignKey,
    *,
    pks: Iterable[Any] | None,
    source: Citizen,
    target: Citizen,
    actor: User,
    reason: str,
) -> tuple[list, list]:
    """Point the rows of `field` at `target` instead of `source` (those among `pks` when
    given); returns (moved, left) primary keys. One statement when no constraint objects, else
    one savepoint per row, so that a row that would break a constraint stays where it is. Each
    moved row of a model with django-simple-history gets its history entry (a queryset update
    would leave none)."""
    manager = field.model._base_manager
    rows = manager.filter(**{field.attname: source.pk})
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    # Locked, so that the rows moved are the rows recorded.
    found = list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
    if not found:
        return [], []
    try:
        with transaction.atomic():
            manager.filter(pk__in=found).update(**{field.attname: target.pk})
        moved, left = found, []
    except IntegrityError:
        moved, left = [], []
        for pk in found:
            try:
                with transaction.atomic():
                    manager.filter(pk=pk).update(**{field.attname: target.pk})
            except IntegrityError:
                left.append(pk)
            else:
                moved.append(pk)
    if moved:
        try:
            history = get_history_manager_for_model(field.model)
        except NotHistoricalModelError:
            history = None
        if history is not None:
            history.bulk_history_create(
                list(manager.filter(pk__in=moved)),
                update=True,
                default_user=actor,
                default_change_reason=reason,
            )
    return moved, left


def pk_to_json(pk: Any) -> Any:
    """A primary key as JSON holds it: integers as they are, others (a UUID) as text, which
    the lookup of the undo reads back."""
    return pk if isinstance(pk, int) else str(pk)


def reference_field(key: str) -> models.ForeignKey | None:
    """The field a key of `CitizenMerge.moved` names, or None when it is gone."""
    app_label, model_name, field_name = key.split(".")
    try:
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (LookupError, FieldDoesNotExist):
        return None
    return field if field.is_relation and field.related_model is Citizen else None
