"""Filing an Open311 report: the POST's parameters checked and read into the form's answers,
then filed through the web's own filing service (`request_submit`), with what the form has
no place for (the position, the address as typed) kept beside it."""

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from api.models import ApiClient
from citizens.models import Channel
from forms_builder.engine import FormRun, IncompleteForm
from forms_builder.fields.base import without_controls
from open311 import definitions
from open311.models import GeoReport
from service_requests import drafts
from service_requests.models import ServiceRequest
from service_requests.services.filing import request_submit


@dataclass
class Open311Error(Exception):
    """Answered as the spec's `[{"code", "description"}]` with this HTTP status."""

    status: int
    descriptions: list[str]


def _bad(*descriptions: str) -> Open311Error:
    return Open311Error(400, list(descriptions))


def _position(params) -> tuple[Decimal | None, Decimal | None]:
    lat, long = params.get("lat", "").strip(), params.get("long", "").strip()
    if not lat and not long:
        return None, None
    try:
        position = Decimal(lat), Decimal(long)
    except InvalidOperation:
        position = None
    if position is None or not (position[0].is_finite() and position[1].is_finite()):
        raise _bad("lat et long doivent être des nombres (degrés décimaux WGS84).")
    if not (-90 <= position[0] <= 90 and -180 <= position[1] <= 180):
        raise _bad("lat doit être entre -90 et 90, long entre -180 et 180.")
    return position[0].quantize(Decimal("0.000001")), position[1].quantize(Decimal("0.000001"))


def _contact(params) -> tuple[str, str, str]:
    email = params.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _bad(f"L'adresse électronique « {email[:100]} » n'est pas valide.") from None
    name = " ".join(f"{params.get('first_name', '')} {params.get('last_name', '')}".split())
    return name[:200], email, " ".join(params.get("phone", "").split())[:30]


def _answers(schema: dict, data) -> dict:
    """The form's answers, page after page as the web form reads them; French errors naming
    each field otherwise."""
    run = FormRun(schema, {})
    errors = []
    page = run.first_page_id()
    while page is not None:
        result = run.validate_page(page, data)
        for field_id, field_errors in result.errors.items():
            label = run.fields[field_id]["label"]
            code = (
                "description"
                if field_id == definitions.DESCRIPTION_FIELD
                else "address_string"
                if run.fields[field_id]["type"] == "address"
                else f"attribute[{field_id}]"
            )
            for error in field_errors:
                errors.append(f"{code} ({label}) : {error.message}")
        run.apply(result)
        page = run.next_page_id(page)
    if errors:
        raise _bad(*errors)
    return run.answers


def open311_request_create(*, client: ApiClient, params) -> ServiceRequest:
    """File the report the parameters describe, as `client`; Open311Error otherwise."""
    for name, values in params.lists():
        # A NUL byte cannot be stored (a 500); other control characters would be, and would
        # break the XML feed and the queue's spreadsheet export of everyone who reads them.
        if without_controls(name) != name or any(without_controls(v) != v for v in values):
            raise _bad(f"{without_controls(name)[:40]} : caractère de contrôle refusé.")
    code = params.get("service_code", "").strip()
    procedure = definitions.report_procedures().filter(slug=code).first()
    if procedure is None:
        raise Open311Error(404, [f"Aucun service « {code[:80]} » : voyez services.json."])
    if params.get("media_url", "").strip():
        raise _bad(
            "media_url n'est pas accepté : le serveur ne va chercher aucun fichier. "
            "Décrivez le problème dans description."
        )
    lat, long = _position(params)
    address_string = " ".join(params.get("address_string", "").split())[:250]
    if lat is None and not address_string:
        raise _bad("Indiquez l'emplacement : lat et long, ou address_string.")
    contact_name, contact_email, contact_phone = _contact(params)
    version = drafts.published_version(procedure)
    if version is None:
        raise Open311Error(404, [f"Le service « {code} » n'est pas ouvert."])
    address = definitions.address_parts(address_string, lat, long)
    data = definitions.as_query(definitions.raw_answers(version.schema, params, address))
    answers = _answers(version.schema, data)
    with transaction.atomic():
        try:
            submission = request_submit(
                procedure=procedure,
                version=version,
                answers=answers,
                idempotency_key=uuid.uuid4(),
                contact_name=contact_name,
                contact_email=contact_email,
                contact_phone=contact_phone,
                actor=client.user,
                channel=Channel.WEB,
            )
        except IncompleteForm:
            raise _bad("Les réponses ne remplissent pas le formulaire du service.") from None
        GeoReport.objects.create(
            request=submission.request,
            client=client,
            lat=lat,
            long=long,
            address_string=address_string,
            device_id=params.get("device_id", "").strip()[:100],
        )
    return submission.request
