"""The form schema of a démarche: what a FormVersion's `schema` holds, and its validator.

A published version is immutable and a request pins the version it was filed under, so a
schema is read as it was written, forever: `validate_schema` must pass before publication.

Format, version 1 (JSON)::

    {"version": 1,
     "pages": [
       {"id": "probleme", "title": "Le problème",
        "condition": {...},                       # optional: the page is shown when it holds
        "fields": [
          {"id": "nature", "type": "choice", "label": "Nature du problème",
           "hint": "…",                           # optional, under the label
           "required": true,                      # optional, true by default
           "condition": {...},                    # optional: the field is shown when it holds
           "prefill": "email",                    # optional: a key of the citizen's profile
           "carry_over": true,                    # optional: copied into a new request
           ...options of the type...}]}]}

Identifiers: lower-case letters, digits and "_", starting with a letter, at most 50
characters; field ids unique in the schema (they name the POST keys and the stored answers),
page ids unique among pages. Unknown keys are errors (a "help" written for "hint" would
otherwise be silently ignored).

Field types and their options (all optional unless said):

- text: min_length, max_length (250 by default), pattern (a Python regular expression the
  whole answer must match) with pattern_message (required with pattern), autocomplete.
- textarea: min_length, max_length (10 000 by default).
- email, phone: autocomplete. Phones are French (metropolitan and overseas departments,
  typed 06 12 34 56 78, +33 6…, 0033 6…, +262 692…) and stored as "06 12 34 56 78".
- integer, decimal: min, max, step. Integers are stored as numbers, decimals as strings.
- date: min, max: "AAAA-MM-JJ", "today", "today+N" or "today-N" (days). Stored "AAAA-MM-JJ".
  A date's or a number's min or max may instead be another field's answer, {"field": "<id>"}
  (a date's with "days": an offset): a field of the same page or an earlier one, of a
  comparable type (`forms_builder.rules`).
- choice: options [{"value", "label"}] (required), widget "radio" (default) or "select".
- multichoice: options (required), min_selections, max_selections. Stored as a list.
- yesno: stored as true or false.
- file: accept (kinds among pdf, jpeg, png, heic, webp; all by default), max_size_mb (10 by
  default, 20 at most), max_files (1 by default, 10 at most). Stored as a list of
  descriptors {"name", "kind", "size", …} completed by whoever stores the files.
- address: stored as {"street", "postcode", "city"}; postcode of 5 digits.
- siret (14 digits, Luhn; La Poste's establishments by INSEE's sum-of-digits rule), siren
  (9 digits, Luhn), rna ("W" and 9 digits or letters), iban (ISO 13616, SEPA countries,
  27 characters for France). Spaces allowed when typed; stored compact, upper-case.
- info: text (required; blank lines separate paragraphs), label optional. No input.
- section: label (the title), hint optional. No input.
  info and section take only id, type, label, condition and their own options.

prefill keys: given_names, family_name, street, postcode, city (text fields), email (email),
phone (phone), birth_date (date), address (address: street, postcode and city at once).

Conditions (`forms_builder.conditions`) refer to fields asked before: a field's condition to
fields of earlier pages or earlier on its page (the browser then shows or hides it live), a
page's condition to fields of earlier pages only. Conditions on files, explanatory text and
section titles are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from . import conditions, rules
from .fields import FIELD_TYPES
from .fields.base import PREFILL_AUTOCOMPLETE

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,49}")
# Names the filing pages POST besides the fields.
# Form keys, and the fixed steps of the filing URLs (a page with such an id would be unreachable).
RESERVED_IDS = frozenset(
    {"action", "csrfmiddlewaretoken", "page", "verification", "coordonnees", "confirmation"}
)
PAGE_KEYS = frozenset({"id", "title", "condition", "fields"})
PREFILL_KEYS = frozenset(PREFILL_AUTOCOMPLETE)


def iter_fields(schema: dict) -> Iterator[tuple[dict, dict]]:
    """(page, field) of a valid schema, in order."""
    for page in schema["pages"]:
        for field in page["fields"]:
            yield page, field


def validate_schema(schema: Any) -> list[str]:
    """Everything wrong with a schema, in French for the administrator; [] when it is valid."""
    if not isinstance(schema, dict):
        return [_("Le schéma doit être un objet JSON.")]
    errors = []
    if schema.get("version") != SCHEMA_VERSION:
        errors.append(
            _("Version de schéma inconnue : %(version)s (attendue : %(expected)s).")
            % {"version": schema.get("version"), "expected": SCHEMA_VERSION}
        )
    unknown = set(schema) - {"version", "pages"}
    if unknown:
        errors.append(_("Clés inconnues au premier niveau : %(keys)s.") % {"keys": _keys(unknown)})
    pages = schema.get("pages")
    if not isinstance(pages, list) or not pages:
        return [*errors, _("Le schéma doit contenir au moins une page (« pages »).")]

    known = {}  # every field with a valid id, for conditions naming a later one
    for page in pages:
        for field in page.get("fields", []) if isinstance(page, dict) else []:
            if isinstance(field, dict) and isinstance(field.get("id"), str):
                known.setdefault(field["id"], field)

    page_ids, field_pages, before = set(), {}, {}
    for number, page in enumerate(pages, start=1):
        where = _("Page %(n)s") % {"n": number}
        if not isinstance(page, dict):
            errors.append(_("%(where)s : une page doit être un objet.") % {"where": where})
            continue
        page_id = page.get("id")
        if _valid_id(page_id):
            where = _("Page « %(id)s »") % {"id": page_id}
            if page_id in page_ids:
                errors.append(_("%(where)s : identifiant de page en double.") % {"where": where})
            page_ids.add(page_id)
        else:
            errors.append(_bad_id(where, page_id))
        errors += [f"{where} : {e}" for e in _check_page_keys(page)]
        if "condition" in page:
            problems = conditions.check(page["condition"], before=before, known=known, page=True)
            errors += [f"{where} : {e}" for e in problems]
        fields = page.get("fields")
        if not isinstance(fields, list) or not fields:
            errors.append(_("%(where)s : la page doit avoir au moins un champ.") % {"where": where})
            continue
        on_page, bounded = {}, []
        for index, field in enumerate(fields, start=1):
            field_where, field_errors = _check_field(field, index, where)
            errors += [f"{field_where} : {e}" for e in field_errors]
            if not isinstance(field, dict) or not _valid_id(field.get("id")):
                continue
            field_id = field["id"]
            if field_id in field_pages:
                errors.append(
                    _("%(where)s : identifiant déjà utilisé par un champ de la page « %(page)s ».")
                    % {"where": field_where, "page": field_pages[field_id]}
                )
                continue
            field_pages[field_id] = page_id
            if "condition" in field:
                problems = conditions.check(
                    field["condition"], before={**before, **on_page}, known=known, page=False
                )
                errors += [f"{field_where} : {e}" for e in problems]
            if field.get("type") in FIELD_TYPES:
                on_page[field_id] = field
            if field.get("type") in ("date", *rules.NUMBER_TYPES):
                bounded.append((field_where, field))
        # A bound may name any field of the page (all are posted together) or of one before.
        for field_where, field in bounded:
            problems = rules.check(field, allowed={**before, **on_page}, known=known)
            errors += [f"{field_where} : {e}" for e in problems]
        before.update(on_page)
    return errors


def _keys(keys) -> str:
    return ", ".join(f"« {key} »" for key in sorted(map(str, keys)))


def _valid_id(value: Any) -> bool:
    return (
        isinstance(value, str) and bool(ID_PATTERN.fullmatch(value)) and value not in RESERVED_IDS
    )


def _bad_id(where: str, value: Any) -> str:
    if value in RESERVED_IDS:
        return _("%(where)s : l'identifiant « %(id)s » est réservé.") % {
            "where": where,
            "id": value,
        }
    return _(
        "%(where)s : identifiant « %(id)s » invalide (lettres minuscules, chiffres et _, "
        "commençant par une lettre, 50 caractères au plus)."
    ) % {"where": where, "id": value}


def _check_page_keys(page: dict) -> list[str]:
    errors = []
    unknown = set(page) - PAGE_KEYS
    if unknown:
        errors.append(_("clés inconnues %(keys)s.") % {"keys": _keys(unknown)})
    title = page.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(_("la page doit avoir un titre (« title »)."))
    return errors


def _check_field(field: Any, index: int, page_where: str) -> tuple[str, list[str]]:
    where = _("%(page)s, champ %(n)s") % {"page": page_where, "n": index}
    if not isinstance(field, dict):
        return where, [_("un champ doit être un objet.")]
    errors = []
    if _valid_id(field.get("id")):
        where = _("%(page)s, champ « %(id)s »") % {"page": page_where, "id": field["id"]}
    else:
        errors.append(_bad_id(where, field.get("id")).removeprefix(f"{where} : "))
    type_name = field.get("type")
    kind = FIELD_TYPES.get(type_name) if isinstance(type_name, str) else None
    if kind is None:
        return where, [*errors, _("type inconnu « %(type)s ».") % {"type": type_name}]
    unknown = set(field) - kind.allowed_keys()
    if unknown:
        errors.append(
            _("clés inconnues pour un champ « %(type)s » : %(keys)s (possibles : %(allowed)s).")
            % {"type": type_name, "keys": _keys(unknown), "allowed": _keys(kind.allowed_keys())}
        )
    label = field.get("label")
    if (type_name != "info" or "label" in field) and (
        not isinstance(label, str) or not label.strip()
    ):
        errors.append(_("le champ doit avoir un libellé (« label »)."))
    if "hint" in field and not isinstance(field["hint"], str):
        errors.append(_("« hint » doit être un texte."))
    for key in ("required", "carry_over"):
        if key in field and not isinstance(field[key], bool):
            errors.append(_("« %(key)s » vaut true ou false.") % {"key": key})
    if field.get("carry_over") and type_name == "file":
        errors.append(_("un fichier ne peut pas être repris dans une nouvelle demande."))
    prefill = field.get("prefill")
    if (
        prefill is not None
        and "prefill" in kind.allowed_keys()
        and prefill not in kind.prefill_keys
    ):
        if prefill in PREFILL_KEYS:
            errors.append(
                _("le préremplissage « %(key)s » ne s'applique pas à un champ « %(type)s ».")
                % {"key": prefill, "type": type_name}
            )
        else:
            errors.append(
                _("préremplissage inconnu « %(key)s » (possibles : %(keys)s).")
                % {"key": prefill, "keys": _keys(PREFILL_KEYS)}
            )
    return where, errors + kind.check_options(field)
