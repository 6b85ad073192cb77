"""A field bound to its answer and errors: what a widget template renders.

Ids, for a field "nature": the input (or the first radio button) is "field-nature", its hint
"field-nature-hint", its errors "field-nature-error", and the notes the engine adds (formats
and size of a file, the limits other answers set, FranceConnect, the condition it is asked
under) "field-nature-<note>".
An address's inputs are "field-<id>-street", "-postcode", "-city", each with its "-error".
The error summary links to these ids.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from . import field_type, is_required
from .base import Error


class BoundField:
    def __init__(
        self,
        field: dict,
        raw: Any,
        errors: list[Error] | None = None,
        *,
        locked: bool = False,
        condition: dict | None = None,
        condition_text: str = "",
        bounds_text: str = "",
    ):
        kind = field_type(field)
        errors = errors or []
        self.field = field
        self.id = self.name = field["id"]
        self.type = field["type"]
        self.label = field.get("label", "")
        self.hint = field.get("hint", "")
        self.required = kind.has_value and is_required(field)
        self.locked = locked
        self.value = raw
        self.html_id = f"field-{self.id}"
        self.hint_id = f"{self.html_id}-hint" if self.hint else ""
        self.error_id = f"{self.html_id}-error"

        widget = kind.widget(field, raw)
        self.template_name = widget.pop("template_name", kind.template_name)
        self.uses_fieldset = widget.pop("uses_fieldset", kind.uses_fieldset)
        self.widget = widget
        for number, option in enumerate(widget.get("options", []), start=1):
            option["id"] = self.html_id if number == 1 else f"{self.html_id}-{number}"
        for number, kept in enumerate(widget.get("kept", []), start=1):
            kept["id"] = f"{self.html_id}-remove-{number}"

        # Only for the browser: the condition on fields of the same page, still to evaluate.
        self.condition_json = json.dumps(condition, ensure_ascii=False) if condition else ""
        self.notes = []
        if "rules" in widget:
            self.notes.append({"id": f"{self.html_id}-rules", "text": widget["rules"]})
        if bounds_text:  # the limits other answers set (forms_builder.rules)
            self.notes.append({"id": f"{self.html_id}-bounds", "text": bounds_text})
        if locked:
            text = _("Donnée transmise par FranceConnect : elle ne peut pas être modifiée ici.")
            self.notes.append({"id": f"{self.html_id}-locked", "text": text})
        if condition_text:
            self.notes.append({"id": f"{self.html_id}-condition", "text": condition_text})

        self.errors = errors
        self.field_errors = [error.message for error in errors if error.part is None]
        self.invalid = bool(errors)
        described = [self.hint_id, *(note["id"] for note in self.notes)]
        if self.field_errors:
            described.append(self.error_id)
        self.describedby = " ".join(filter(None, described))
        self.parts = [self._part(part, errors) for part in widget.get("parts", [])]

    def _part(self, part: dict, errors: list[Error]) -> dict:
        html_id = f"{self.html_id}-{part['key']}"
        messages = [error.message for error in errors if error.part == part["key"]]
        return {
            **part,
            "name": f"{self.name}-{part['key']}",
            "html_id": html_id,
            "error_id": f"{html_id}-error",
            "errors": messages,
            "invalid": bool(messages),
        }

    def summary_text(self, error: Error) -> str:
        """The error for the summary, which is far from the field: named after it, so that
        two « Ce champ est obligatoire. » links say where they lead."""
        label = self.label
        if error.part:
            part = next(p["label"] for p in self.parts if p["key"] == error.part)
            label = _("%(field)s (%(part)s)") % {"field": label, "part": part.lower()}
        message = error.message[:1].lower() + error.message[1:]
        return _("%(label)s : %(message)s") % {"label": label, "message": message}

    def target(self, error: Error) -> str:
        """The id an error summary links to."""
        return f"{self.html_id}-{error.part}" if error.part else self.html_id

    def __repr__(self) -> str:
        return f"<BoundField {self.id} ({self.type})>"
