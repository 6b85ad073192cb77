"""Field types, one module per family. `FIELD_TYPES` maps a schema's "type" to its
implementation; `clean` validates one answer the way a page's validation does."""

from __future__ import annotations

from typing import Any

from . import address, choices, dates, files, identifiers, numbers, static, text
from .base import Error, FieldInvalid, FieldType

FIELD_TYPES: dict[str, FieldType] = {
    field_type.name: field_type
    for module in (text, numbers, dates, choices, files, address, identifiers, static)
    for field_type in module.TYPES
}

__all__ = ["FIELD_TYPES", "Error", "FieldInvalid", "FieldType", "clean", "field_type"]


def field_type(field: dict) -> FieldType:
    return FIELD_TYPES[field["type"]]


def is_required(field: dict) -> bool:
    """Questions are required unless the schema says `"required": false`."""
    return field.get("required", True) is not False


def clean(field: dict, raw: Any) -> Any:
    """The value to store for a raw answer (None for a blank optional one), or FieldInvalid."""
    kind = field_type(field)
    if kind.is_blank(raw):
        if is_required(field):
            raise kind.missing(field)
        return None
    return kind.clean(field, raw)
