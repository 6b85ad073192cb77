"""Filing, the read side: which form a citizen fills, and where their answers wait until sent.

Where the answers wait:

- **Anonymous citizen**: in the session, under `SESSION_KEY`, one entry per procedure holding
  the form version pinned when the form started, the answers (cleaned values, JSON), the page
  reached and the idempotency key of the submission. Sessions are rows in PostgreSQL
  (SESSION_ENGINE "db"), so the answers live exactly as long as the session cookie
  (SESSION_COOKIE_AGE): when it expires, or the citizen clears their cookies, the answers are
  gone and the form starts again empty. Files uploaded meanwhile stay in the private storage,
  referenced by nothing (a cleanup job must remove them: see `upload_store`).
- **Signed-in citizen**: a ServiceRequest in status draft (`data` = the answers), saved on
  each page (services.filing.draft_save), one per citizen and procedure, resumed from any
  browser. The session keeps only the page reached; losing it loses nothing but that.

A form always renders with the version it started with, even when a newer one is published.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from citizens.models import Citizen, Organisation
from forms_builder.engine import FormRun, PageResult
from forms_builder.fields import clean
from forms_builder.fields.base import FieldInvalid, without_controls
from forms_builder.models import Audience, FormVersion, Procedure
from forms_builder.schema import iter_fields
from service_requests.models import ServiceRequest, Status

SESSION_KEY = "filing"
REVIEW = "verification"  # "page reached": the review
PROFILE_KEYS = ("given_names", "family_name", "street", "postcode", "city", "email", "phone")
# What FranceConnect certifies: shown, never editable, when the citizen's identity comes from it.
CERTIFIED_KEYS = frozenset({"given_names", "family_name", "birth_date"})


@dataclass
class Filing:
    """A form being filled: its procedure and pinned version, the answers so far, the page
    reached, the key that makes its submission idempotent, and the draft row when the citizen
    is signed in (None for an anonymous citizen, or before their first page is saved)."""

    procedure: Procedure
    version: FormVersion
    answers: dict[str, Any]
    page: str | None = None
    idempotency_key: str | None = None
    draft: ServiceRequest | None = None
    started: bool = False  # False: nothing saved yet (a first visit)
    profile: tuple | None = None  # a signed-in citizen's (profile, certified keys), once read

    def run(self, profile: Mapping[str, Any] | None = None, locked=()) -> FormRun:
        return FormRun(self.version.schema, self.answers, profile=profile, locked=locked)


def published_version(procedure: Procedure) -> FormVersion | None:
    """The form a new request starts with: the procedure's latest published version."""
    return (
        FormVersion.objects.filter(procedure=procedure, published_at__isnull=False)
        .order_by("-number")
        .first()
    )


def open_draft(user, procedure: Procedure) -> ServiceRequest | None:
    """The signed-in citizen's draft for this procedure, with its pinned version."""
    return (
        ServiceRequest.objects.filter(status=Status.DRAFT, procedure=procedure, citizen__user=user)
        .select_related("form_version", "citizen")
        .order_by("-updated_at")
        .first()
    )


def citizen_of(user) -> Citizen | None:
    return Citizen.objects.filter(user=user).first()


def profile_of(user, citizen: Citizen | None) -> tuple[dict[str, Any], frozenset[str]]:
    """What prefills a signed-in citizen's form, and the keys FranceConnect certified."""
    if citizen is None:
        profile = {
            "given_names": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
        }
        return profile, frozenset()
    profile: dict[str, Any] = {key: getattr(citizen, key) for key in PROFILE_KEYS}
    profile["email"] = citizen.email or user.email
    profile["birth_date"] = citizen.birth_date
    certified = citizen.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    return profile, CERTIFIED_KEYS if certified else frozenset()


# What kind of organisation each audience of a procedure acts as.
ORGANISATION_KINDS = {
    Audience.ASSOCIATIONS: Organisation.Kind.ASSOCIATION,
    Audience.PROFESSIONALS: Organisation.Kind.COMPANY,
}


def organisations_for(citizen: Citizen | None, procedure: Procedure) -> list[Organisation]:
    """The organisations the citizen represents that the procedure is for (its audiences:
    associations, professionals), the earliest representation first."""
    kinds = [ORGANISATION_KINDS[a] for a in procedure.audiences if a in ORGANISATION_KINDS]
    if citizen is None or not kinds:
        return []
    return list(
        Organisation.objects.filter(representations__citizen=citizen, kind__in=kinds).order_by(
            "representations__created_at", "pk"
        )
    )


def prefill(
    run: FormRun, profile: Mapping[str, Any], organisations: list[Organisation]
) -> dict[str, Any]:
    """The answers a signed-in citizen's new form starts from: the profile's values for the
    fields that ask for them (`prefill`), their name in a field whose purpose is a person's
    name (autocomplete "name"), and the organisation they represent in the fields whose
    purpose is an organisation's: its SIRET, its RNA, its name (autocomplete
    "organization"). The purposes are those the schema already declares for the browser's
    autofill (WCAG 1.3.5), so no schema says the same thing twice. A value the field
    refuses is left for the citizen to type."""
    answers = run.initial_answers()
    name = " ".join(
        part for part in (profile.get("given_names"), profile.get("family_name")) if part
    )
    by_siret = next((o for o in organisations if o.siret), None)
    by_rna = next((o for o in organisations if o.rna), None)
    first = organisations[0] if organisations else None
    for field_id, field in run.fields.items():
        if field_id in answers:
            continue
        purpose, value = field.get("autocomplete"), None
        if purpose == "name":
            value = name
        elif field["type"] == "siret" and by_siret:
            value = by_siret.siret
        elif field["type"] == "rna" and by_rna:
            value = by_rna.rna
        elif purpose == "organization" and first:
            value = first.name
        if not value:
            continue
        try:
            cleaned = clean(field, value)
        except FieldInvalid:
            continue
        if cleaned is not None:
            answers[field_id] = cleaned
    return answers


def organisation_answered(
    run: FormRun, citizen: Citizen | None, procedure: Procedure
) -> Organisation | None:
    """The organisation the citizen represents that the answers name by its SIRET or RNA
    (fields shown), to record the request as filed for it. Read only when the form has such
    an answer."""
    shown = run.visible_field_ids()
    numbers = {
        (field["type"], run.answers.get(field["id"]))
        for _page, field in iter_fields(run.schema)
        if field["type"] in ("siret", "rna")
        and field["id"] in shown
        and run.answers.get(field["id"])
    }
    if not numbers:
        return None
    for organisation in organisations_for(citizen, procedure):
        if ("siret", organisation.siret) in numbers or ("rna", organisation.rna) in numbers:
            return organisation
    return None


# --- The session ------------------------------------------------------------------------------


def session_entry(session, procedure: Procedure) -> dict | None:
    return session.get(SESSION_KEY, {}).get(str(procedure.pk))


def session_save(session, procedure: Procedure, entry: dict) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    entries[str(procedure.pk)] = entry
    session[SESSION_KEY] = entries


def session_forget(session, procedure: Procedure) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    if entries.pop(str(procedure.pk), None) is not None:
        session[SESSION_KEY] = entries


def session_filing(session, procedure: Procedure) -> Filing | None:
    """The anonymous form in progress in this session, with the version it started with."""
    return filing_from_entry(session_entry(session, procedure), procedure)


def filing_from_entry(entry: dict | None, procedure: Procedure) -> Filing | None:
    """A form in progress as a session keeps it (the anonymous citizen's, or an agent's for a
    citizen): its version, answers, page reached and submission key."""
    if not entry or "answers" not in entry:
        return None
    version = FormVersion.objects.filter(pk=entry["version"], procedure=procedure).first()
    if version is None:
        return None
    return Filing(
        procedure=procedure,
        version=version,
        answers=dict(entry["answers"]),
        page=entry.get("page"),
        idempotency_key=entry.get("key"),
        started=True,
    )


def session_store(session, filing: Filing) -> None:
    """Keep an anonymous citizen's form in the session."""
    session_save(
        session,
        filing.procedure,
        {
            "version": filing.version.pk,
            "answers": filing.answers,
            "page": filing.page,
            "key": filing.idempotency_key,
        },
    )


def session_store_page(session, filing: Filing) -> None:
    """A signed-in citizen's session keeps only the page reached (the answers are the draft's)."""
    session_save(session, filing.procedure, {"page": filing.page})


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def parse_idempotency_key(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# --- Files in the answers ---------------------------------------------------------------------


def file_field_ids(schema: dict) -> list[str]:
    return [field["id"] for _page, field in iter_fields(schema) if field["type"] == "file"]


def stored_file_keys(schema: dict, answers: Mapping[str, Any]) -> set[str]:
    """The storage keys of the files the answers hold (descriptors `upload_store` made)."""
    keys = set()
    for field_id in file_field_ids(schema):
        for descriptor in answers.get(field_id) or []:
            if isinstance(descriptor, dict) and descriptor.get("key"):
                keys.add(descriptor["key"])
    return keys


# --- The contact step -------------------------------------------------------------------------


def contact_defaults(schema: dict, answers: Mapping[str, Any]) -> dict[str, str]:
    """What the contact step starts from: the email, phone and name the form already asked."""
    email = phone = name = ""
    given = family = ""
    for _page, field in iter_fields(schema):
        value = answers.get(field["id"])
        if not isinstance(value, str) or not value:
            continue
        kind, prefill = field["type"], field.get("prefill")
        if kind == "email" and not email:
            email = value
        elif kind == "phone" and not phone:
            phone = value
        elif field.get("autocomplete") == "name" and not name:
            name = value
        elif prefill == "given_names":
            given = value
        elif prefill == "family_name":
            family = value
    return {"email": email, "phone": phone, "name": name or f"{given} {family}".strip()}


@dataclass(frozen=True)
class ContactNeeds:
    """What the contact step of an anonymous citizen asks: only what the form did not ask
    already (`asked`, among "name", "email", "phone"), whether the email is required, and the
    contacts the form's own fields gave (`known`)."""

    asked: frozenset[str]
    email_required: bool
    known: dict[str, str]


CONTACT_ITEMS = ("name", "email", "phone")
NAME_PREFILLS = ("given_names", "family_name")


def _contact_item(field: dict) -> str | None:
    """Which contact a form field asks, if any: an email, a phone, the citizen's name."""
    if field["type"] in ("email", "phone"):
        return field["type"]
    if field.get("autocomplete") == "name" or field.get("prefill") in NAME_PREFILLS:
        return "name"
    return None


def email_required(procedure: Procedure, run: FormRun) -> bool:
    """Whether an anonymous citizen must leave an email to file, from the procedure's kind:
    a report, no (it is handled without news); a question, only when the answers give no
    other way to answer it (a phone, a postal address); a request for a decision, a grant or
    a complaint, yes: the receipt and its legal mentions must reach them (LEGAL.md §2)."""
    kind = procedure.kind
    if kind == Procedure.Kind.REPORT:
        return False
    if kind == Procedure.Kind.INFORMATION:
        shown = run.visible_field_ids()
        for _page, field in iter_fields(run.schema):
            reachable = field["type"] in ("phone", "address") and run.answers.get(field["id"])
            if field["id"] in shown and reachable:
                return False
    return True


def contact_needs(procedure: Procedure, run: FormRun) -> ContactNeeds:
    """The contact step for these answers: a contact the form asks for (a field shown for the
    answers) is not asked again, unless the form left blank an email this procedure needs."""
    shown = run.visible_field_ids()
    in_form = {
        item
        for _page, field in iter_fields(run.schema)
        if field["id"] in shown and (item := _contact_item(field))
    }
    answers = {key: value for key, value in run.answers.items() if key in shown}
    known = contact_defaults(run.schema, answers)
    required = email_required(procedure, run)
    asked = set(CONTACT_ITEMS) - in_form
    if required and not known["email"]:
        asked.add("email")
    return ContactNeeds(asked=frozenset(asked), email_required=required, known=known)


def earlier_request(user, procedure: Procedure, reference: str) -> ServiceRequest | None:
    """A signed-in citizen's own filed request of this procedure, to start a new one from."""
    return (
        ServiceRequest.objects.exclude(status=Status.DRAFT)
        .filter(procedure=procedure, citizen__user=user, reference=reference)
        .first()
    )


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- Answers refused -------------------------------------------------------------------------
# What the citizen typed and the form refused (a SIRET with a wrong key) is kept with the
# answers, as typed, under a key no field id can take (ids start with a letter): resuming
# opens its page with the value and its error instead of losing it, and the review sends back
# to it. Files are never kept there (their upload is refused, nothing is stored).
REFUSED_KEY = "_refused"


def with_refused(answers: dict[str, Any], schema: dict, result) -> dict[str, Any]:
    """The answers with the refusals of one page's POST (`PageResult`) in place of that page's
    earlier ones: a field corrected since is forgotten there."""
    types = {field["id"]: field["type"] for _page, field in iter_fields(schema)}
    page_refused = {
        field_id: without_controls(raw)
        for field_id, raw in result.raw.items()
        if field_id in result.errors and types.get(field_id) != "file" and _typed(raw)
    }
    refused = {
        page_id: fields
        for page_id, fields in (answers.get(REFUSED_KEY) or {}).items()
        if page_id != result.page_id
    }
    if page_refused:
        refused[result.page_id] = page_refused
    answers = dict(answers)
    if refused:
        answers[REFUSED_KEY] = refused
    else:
        answers.pop(REFUSED_KEY, None)
    return answers


def _typed(raw: Any) -> bool:
    if isinstance(raw, dict):
        return any(_typed(value) for value in raw.values())
    if isinstance(raw, (list, tuple, set)):
        return any(_typed(value) for value in raw)
    return raw not in (None, "")


def refused_on(answers: Mapping[str, Any], page_id: str) -> dict[str, Any]:
    return dict((answers.get(REFUSED_KEY) or {}).get(page_id) or {})


def refused_result(run: FormRun, page_id: str) -> PageResult | None:
    """The refusals kept for a page, as the page's POST made them: shown again as typed, with
    their French messages (None when the page has none)."""
    result = run.recheck(page_id, refused_on(run.answers, page_id))  # rules between answers too
    return result if result.errors else None


def first_page_to_fix(run: FormRun) -> str | None:
    """The first page shown with a missing or wrong answer, or with an answer refused as
    typed (kept aside: the answers then hold nothing for it)."""
    pages = [page["id"] for page in run.visible_pages()]
    refused = {
        page_id
        for page_id, fields in (run.answers.get(REFUSED_KEY) or {}).items()
        if fields and page_id in pages
    }
    invalid = set(run.errors())
    return next((page_id for page_id in pages if page_id in refused or page_id in invalid), None)


def resume_page(found: Filing, run) -> str:
    """Where a form in progress picks up: the first page with a missing, wrong or refused
    answer, or the page reached when it comes before (a page not seen yet may hold optional
    questions), else the review; a new form at its first page. `run` is the FormRun of its
    answers."""
    if not found.started:
        return run.first_page_id()
    to_fix = first_page_to_fix(run)
    reached = found.page
    if reached and reached != REVIEW and run.is_page_visible(reached):
        if to_fix is None:
            return reached
        order = [page["id"] for page in run.pages]
        return min(reached, to_fix, key=order.index)
    return to_fix or REVIEW
