"""The Open311 view of the catalogue: the report procedures as services, a form's fields as a
service definition's attributes, and an Open311 POST read into the form's raw answers.

A form field becomes an attribute, except the ones the spec's own parameters fill: the field
`description` (the `description` parameter), address fields (`address_string`, or the position
when only `lat`/`long` are given) and file fields (`media_url` is refused: nothing is fetched)."""

import re
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet

from forms_builder.models import Procedure
from forms_builder.schema import iter_fields

DESCRIPTION_FIELD = "description"
NOT_ATTRIBUTES = frozenset({"address", "file", "info", "section"})

# Open311 datatypes of the form's field types.
DATATYPES = {
    "text": "string",
    "email": "string",
    "phone": "string",
    "siret": "string",
    "siren": "string",
    "rna": "string",
    "iban": "string",
    "textarea": "text",
    "integer": "number",
    "decimal": "number",
    "date": "datetime",
    "choice": "singlevaluelist",
    "yesno": "singlevaluelist",
    "multichoice": "multivaluelist",
}
DATATYPE_HINTS = {
    "date": "Une date au format AAAA-MM-JJ.",
    "decimal": "Un nombre ; la virgule ou le point séparent les décimales.",
    "integer": "Un nombre entier.",
}


def report_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_published=True, kind=Procedure.Kind.REPORT).order_by("title")


def service(procedure: Procedure) -> dict:
    return {
        "service_code": procedure.slug,
        "service_name": procedure.title,
        "description": procedure.summary,
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": procedure.category,
    }


def attribute_fields(schema: dict) -> Iterator[dict]:
    for _page, field in iter_fields(schema):
        if field["type"] not in NOT_ATTRIBUTES and field["id"] != DESCRIPTION_FIELD:
            yield field


def address_fields(schema: dict) -> list[dict]:
    return [field for _page, field in iter_fields(schema) if field["type"] == "address"]


def _values(field: dict) -> list[dict]:
    if field["type"] == "yesno":
        return [{"key": "oui", "name": "Oui"}, {"key": "non", "name": "Non"}]
    return [{"key": o["value"], "name": o["label"]} for o in field.get("options", [])]


def attribute(field: dict, order: int) -> dict:
    kind = field["type"]
    datatype = DATATYPES.get(kind, "string")
    conditional = "condition" in field
    hint = DATATYPE_HINTS.get(kind, "")
    if conditional:
        hint = (hint + " Demandé selon les autres réponses.").strip()
    entry = {
        "variable": True,
        "code": field["id"],
        "datatype": datatype,
        "required": bool(field.get("required", True)) and not conditional,
        "datatype_description": hint,
        "order": order,
        "description": field["label"],
    }
    if datatype in ("singlevaluelist", "multivaluelist"):
        entry["values"] = _values(field)
    return entry


def service_definition(procedure: Procedure, schema: dict) -> dict:
    return {
        "service_code": procedure.slug,
        "attributes": [
            attribute(field, order) for order, field in enumerate(attribute_fields(schema), 1)
        ],
    }


_POSTAL = re.compile(r"^(?P<street>.*?)[,\s]+(?P<postcode>\d{5})\s+(?P<city>\S.*)$")


def address_parts(address_string: str, lat, long) -> dict[str, str]:
    """The form's address from `address_string` (« 12 rue X, 75001 Paris »; without a
    postcode, the street in the authority's commune) or, with none, the position."""
    text = " ".join(address_string.split())
    if not text:
        text = f"Position GPS {lat:.6f}, {long:.6f}"
    match = _POSTAL.match(text)
    if match:
        return match.groupdict()
    town = _POSTAL.match(settings.AUTHORITY_ADDRESS.replace("\n", ", "))
    postcode, city = (town["postcode"], town["city"]) if town else ("", "")
    return {"street": text, "postcode": postcode, "city": city}


def raw_answers(schema: dict, params, address: dict[str, str]) -> dict[str, list[str]]:
    """The form's raw POST (field id → values) from an Open311 POST's parameters."""
    data: dict[str, list[str]] = {}
    for field in attribute_fields(schema):
        values = params.getlist(f"attribute[{field['id']}]")
        if field["type"] == "multichoice":
            values = [v for value in values for v in value.split(",") if v]
        data[field["id"]] = values
    data[DESCRIPTION_FIELD] = params.getlist("description")
    for field in address_fields(schema):
        for part, value in address.items():
            data[f"{field['id']}-{part}"] = [value]
    return data


def as_query(data: dict[str, list[str]]):
    """A POST-like mapping (getlist) of the raw answers, as the form engine reads a POST."""
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict(data)
