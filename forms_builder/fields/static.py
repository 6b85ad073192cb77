"""Content without an input: explanatory text and section titles. Never validated, never
stored, never shown on the review page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .base import FieldType


class StaticType(FieldType):
    has_value = False
    condition_ops = frozenset()

    def allowed_keys(self) -> frozenset[str]:
        return frozenset({"id", "type", "label", "condition"}) | self.options


class InfoType(StaticType):
    """A paragraph or more (blank lines separate them), with an optional bold title."""

    name = "info"
    template_name = "forms_builder/widgets/info.html"
    options = frozenset({"text"})

    def check_options(self, field: dict) -> list[str]:
        text = field.get("text")
        if not isinstance(text, str) or not text.strip():
            return [_("un champ « info » demande son texte (« text »).")]
        return []

    def widget(self, field: dict, raw) -> dict:
        return {"paragraphs": [p.strip() for p in field["text"].split("\n\n") if p.strip()]}


class SectionType(StaticType):
    """A title over the fields that follow it on the page (a heading of level 2)."""

    name = "section"
    template_name = "forms_builder/widgets/section.html"
    options = frozenset({"hint"})

    def check_options(self, field: dict) -> list[str]:
        return []

    def widget(self, field: dict, raw) -> dict:
        return {}


TYPES = (InfoType(), SectionType())
