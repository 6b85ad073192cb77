"""Choices: one among options (radio buttons or a list), several (checkboxes), yes or no."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import FieldInvalid, FieldType, clean_text, get_list, is_int


def check_option_list(field: dict) -> list[str]:
    options = field.get("options")
    if not isinstance(options, list) or not options:
        return [_("« options » doit être une liste non vide de {value, label}.")]
    errors, seen = [], set()
    for index, option in enumerate(options, start=1):
        if not isinstance(option, dict) or set(option) != {"value", "label"}:
            errors.append(
                _("l'option %(n)s doit avoir exactement « value » et « label ».") % {"n": index}
            )
            continue
        value, label = option["value"], option["label"]
        if not isinstance(value, str) or not value.strip():
            errors.append(_("l'option %(n)s a une valeur vide.") % {"n": index})
        elif value in seen:
            errors.append(
                _("la valeur « %(value)s » est en double dans les options.") % {"value": value}
            )
        seen.add(value)
        if not isinstance(label, str) or not label.strip():
            errors.append(_("l'option %(n)s n'a pas de libellé.") % {"n": index})
    return errors


def option_values(field: dict) -> list[str]:
    options = field.get("options")
    return (
        [o.get("value") for o in options if isinstance(o, dict)]
        if isinstance(options, list)
        else []
    )


def option_label(field: dict, value: Any) -> str:
    return next((o["label"] for o in field["options"] if o["value"] == value), str(value))


class ChoiceType(FieldType):
    name = "choice"
    options = frozenset({"options", "widget"})
    uses_fieldset = True  # radio buttons by default; a list ("select") has a label instead

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field) + check_option_list(field)
        if field.get("widget", "radio") not in ("radio", "select"):
            errors.append(_("« widget » vaut « radio » ou « select »."))
        return errors

    def check_condition_value(self, field: dict, op: str, value: Any) -> str | None:
        if value not in option_values(field):
            return _("« %(value)s » n'est pas une des options du champ.") % {"value": value}
        return None

    def required_message(self, field: dict) -> str:
        return _("Choisissez une réponse.")

    def clean(self, field: dict, raw: Any) -> str:
        value = clean_text(raw)
        if value not in option_values(field):
            raise FieldInvalid(_("Choisissez une des réponses proposées."))
        return value

    def display(self, field: dict, value: Any) -> list[str]:
        return [option_label(field, value)]

    def widget(self, field: dict, raw: Any) -> dict:
        select = field.get("widget") == "select"
        return {
            "template_name": "forms_builder/widgets/select.html"
            if select
            else "forms_builder/widgets/radios.html",
            "uses_fieldset": not select,
            "options": [
                {"value": o["value"], "label": o["label"], "checked": o["value"] == raw}
                for o in field["options"]
            ],
        }


class MultichoiceType(FieldType):
    name = "multichoice"
    template_name = "forms_builder/widgets/checkboxes.html"
    options = frozenset({"options", "min_selections", "max_selections"})
    condition_ops = frozenset({"contains", "empty", "not_empty"})
    uses_fieldset = True

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field) + check_option_list(field)
        count = len(field["options"]) if isinstance(field.get("options"), list) else 0
        for key in ("min_selections", "max_selections"):
            if key in field and not (is_int(field[key]) and 1 <= field[key] <= max(count, 1)):
                errors.append(
                    _("« %(key)s » doit être un nombre entre 1 et le nombre d'options.")
                    % {"key": key}
                )
        low, high = field.get("min_selections"), field.get("max_selections")
        if is_int(low) and is_int(high) and low > high:
            errors.append(_("« min_selections » dépasse « max_selections »."))
        return errors

    check_condition_value = ChoiceType.check_condition_value

    def read(self, field: dict, data, files, current=None) -> list[str]:
        return [clean_text(value) for value in get_list(data, field["id"])]

    def is_blank(self, raw: Any) -> bool:
        return not [value for value in raw or [] if value]

    def required_message(self, field: dict) -> str:
        return _("Cochez au moins une case.")

    def clean(self, field: dict, raw: Any) -> list[str]:
        chosen = {value for value in raw if value}
        allowed = option_values(field)
        if not chosen <= set(allowed):
            raise FieldInvalid(_("Choisissez parmi les réponses proposées."))
        low, high = field.get("min_selections"), field.get("max_selections")
        if low and len(chosen) < low:
            raise FieldInvalid(
                ngettext("Cochez au moins %(n)s case.", "Cochez au moins %(n)s cases.", low)
                % {"n": low}
            )
        if high and len(chosen) > high:
            raise FieldInvalid(
                ngettext("Cochez au plus %(n)s case.", "Cochez au plus %(n)s cases.", high)
                % {"n": high}
            )
        return [value for value in allowed if value in chosen]  # in the options' order

    def to_raw(self, field: dict, value: Any) -> list[str]:
        return list(value or [])

    def display(self, field: dict, value: Any) -> list[str]:
        return [option_label(field, v) for v in value]

    def widget(self, field: dict, raw: Any) -> dict:
        chosen = set(raw or [])
        return {
            "options": [
                {"value": o["value"], "label": o["label"], "checked": o["value"] in chosen}
                for o in field["options"]
            ]
        }


class YesNoType(FieldType):
    name = "yesno"
    template_name = "forms_builder/widgets/radios.html"
    uses_fieldset = True
    _values = {"oui": True, "non": False}

    def check_condition_value(self, field: dict, op: str, value: Any) -> str | None:
        if not isinstance(value, bool):
            return _("la valeur comparée doit être true ou false.")
        return None

    def required_message(self, field: dict) -> str:
        return _("Répondez par oui ou par non.")

    def clean(self, field: dict, raw: Any) -> bool:
        value = self._values.get(clean_text(raw).lower())
        if value is None:
            raise FieldInvalid(_("Répondez par oui ou par non."))
        return value

    def to_raw(self, field: dict, value: Any) -> str:
        return {True: "oui", False: "non"}.get(value, "")

    def display(self, field: dict, value: Any) -> list[str]:
        return [_("Oui") if value else _("Non")]

    def widget(self, field: dict, raw: Any) -> dict:
        return {
            "inline": True,
            "options": [
                {"value": "oui", "label": _("Oui"), "checked": raw == "oui"},
                {"value": "non", "label": _("Non"), "checked": raw == "non"},
            ],
        }


TYPES = (ChoiceType(), MultichoiceType(), YesNoType())
