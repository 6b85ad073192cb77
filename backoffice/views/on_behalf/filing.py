"""Choosing the démarche and filling its form for the citizen; the agent's part; the submission."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from backoffice.access import agent_required
from backoffice.on_behalf_forms import (
    EMAIL,
    FilingForm,
    has_postal_address,
)
from backoffice.views.citizen_record import MERGE_HOPS
from backoffice.views.common import render_agent
from backoffice.views.on_behalf.common import (
    check_right,
    citizen_or_404,
    identification_refusal,
    procedure_or_404,
)
from citizens.models import Citizen
from citizens.selectors import is_certified, representations_of
from citizens.services import citizen_confirm_identity_at_counter
from forms_builder import selectors as catalogue
from forms_builder.engine import FormRun, IncompleteForm
from forms_builder.models import FormVersion, Procedure
from gru.forms import error_summary
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests import drafts
from service_requests.drafts import REVIEW, Filing
from service_requests.models import ServiceRequest, Status
from service_requests.permissions import may
from service_requests.services.filing import request_submit, upload_store, uploads_discard

SESSION_KEY = "agent_filing"
ABANDON = "abandon"  # POST ?etape=abandon: the answers and files of this form are dropped
INCOMPLETE = "La demande est incomplète : vérifiez cette étape avant de la déposer."


# --- Choosing the démarche --------------------------------------------------------------------


@agent_required
def choose_procedure(request, pk: int):
    """The published démarches, by theme as the citizens' catalogue lists them, each either
    open to filing for this citizen or saying why not; and the forms begun for them in this
    session. POST: the agent saw the citizen's identity document."""
    check_right(request.user)
    citizen, moved = _live_or_moved(request, pk)
    if moved:
        return moved
    if request.method == "POST":
        if request.POST.get("action") != "verify_identity" or not may(request.user, "edit"):
            raise Http404
        try:
            changed = citizen_confirm_identity_at_counter(citizen=citizen, actor=request.user)
        except ValidationError as refused:  # merged meanwhile
            flash.error(request, " ".join(refused.messages))
            return redirect("backoffice:citizen_search")
        if changed:
            flash.success(request, "L'identité de l'usager est enregistrée comme vérifiée.")
        return redirect("backoffice:file_choose", pk=citizen.pk)

    access_log_record(user=request.user, action=AccessLog.Action.VIEW_CITIZEN, citizen_id=pk)
    procedures = list(catalogue.catalogue())
    with_form = set(
        FormVersion.objects.filter(procedure__in=procedures, published_at__isnull=False)
        .order_by()
        .values_list("procedure_id", flat=True)
        .distinct()
    )
    begun = _begun(request.session, citizen)
    groups: dict[str, list[dict]] = {}
    for procedure in procedures:
        groups.setdefault(procedure.category, []).append(
            {
                "procedure": procedure,
                "refusal": identification_refusal(procedure, citizen),
                "has_form": procedure.pk in with_form,
                "begun": procedure.pk in begun,
            }
        )
    context = {
        "citizen": citizen,
        "groups": groups,
        "count": len(procedures),
        "needs_identity": citizen.identity_assurance == Citizen.IdentityAssurance.DECLARED
        and any(item["refusal"] for items in groups.values() for item in items),
        "representations": representations_of(citizen),
    }
    return render_agent(request, "backoffice/on_behalf/choose.html", context)


# --- The answers in the agent's session ---------------------------------------------------------


def _entry_key(citizen: Citizen, procedure: Procedure) -> str:
    return f"{citizen.pk}:{procedure.pk}"


def _begun(session, citizen: Citizen) -> set[int]:
    prefix = f"{citizen.pk}:"
    keys = session.get(SESSION_KEY, {})
    return {int(key[len(prefix) :]) for key in keys if key.startswith(prefix)}


def _load(session, citizen: Citizen, procedure: Procedure) -> Filing | None:
    entry = session.get(SESSION_KEY, {}).get(_entry_key(citizen, procedure))
    return drafts.filing_from_entry(entry, procedure)


def _store(session, citizen: Citizen, found: Filing) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    entries[_entry_key(citizen, found.procedure)] = {
        "version": found.version.pk,
        "answers": found.answers,
        "page": found.page,
        "key": found.idempotency_key,
    }
    session[SESSION_KEY] = entries


def _forget(session, citizen: Citizen, procedure: Procedure) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    if entries.pop(_entry_key(citizen, procedure), None) is not None:
        session[SESSION_KEY] = entries


def _abandon(request, citizen: Citizen, procedure: Procedure) -> None:
    """The agent drops the form begun (the wrong démarche, the citizen gone): its answers leave
    the session, its files the storage."""
    found = _load(request.session, citizen, procedure)
    if found is None:
        return
    _forget(request.session, citizen, procedure)
    uploads_discard(drafts.stored_file_keys(found.version.schema, found.answers))
    flash.info(request, f"La saisie de « {procedure.title} » est abandonnée.")


def _profile(citizen: Citizen) -> tuple[dict, frozenset[str]]:
    """What prefills the form from the citizen's record, and the fields FranceConnect certified
    (read-only, as online)."""
    profile = {key: getattr(citizen, key) for key in drafts.PROFILE_KEYS}
    profile["birth_date"] = citizen.birth_date
    return profile, drafts.CERTIFIED_KEYS if is_certified(citizen) else frozenset()


def _run(found: Filing, citizen: Citizen) -> FormRun:
    return found.run(*_profile(citizen))


def _filing(request, citizen: Citizen, procedure: Procedure) -> Filing | None:
    """The form in progress for this citizen and démarche, or a new one prefilled from their
    record; None when the démarche has no published form."""
    found = _load(request.session, citizen, procedure)
    if found is not None:
        return found
    version = drafts.published_version(procedure)
    if version is None:
        return None
    found = Filing(
        procedure=procedure,
        version=version,
        answers={},
        idempotency_key=drafts.new_idempotency_key(),
    )
    found.answers = _run(found, citizen).initial_answers()
    return found


def _live_or_moved(request, pk: int, procedure: Procedure | None = None):
    """The live record `pk`, or a redirect for a record merged since the agent opened it: the
    forms begun for it in this session move to the record kept (unless one is begun there for
    the same démarche), and the agent goes on there, the answers kept, to check them before
    filing. An unknown record is a 404."""
    try:
        return citizen_or_404(pk), None
    except Http404:
        tombstone = Citizen.objects.filter(pk=pk).exclude(merged_into=None).first()
        if tombstone is None:
            raise
    kept = tombstone.merged_into
    for _hop in range(MERGE_HOPS):
        if kept.merged_into_id is None:
            break
        kept = kept.merged_into
    if kept.merged_into_id is not None:
        raise Http404
    entries, prefix = dict(request.session.get(SESSION_KEY, {})), f"{pk}:"
    begun = [key for key in entries if key.startswith(prefix)]
    for key in begun:
        entries.setdefault(f"{kept.pk}:{key[len(prefix) :]}", entries.pop(key))
    if begun:
        request.session[SESSION_KEY] = entries
    flash.info(
        request,
        f"La fiche n° {pk} a été fusionnée dans la fiche n° {kept.pk} : "
        + (
            "la saisie commencée y est reportée, vérifiez-la avant de déposer."
            if begun
            else "la demande se dépose sur celle-ci."
        ),
    )
    if procedure is None:
        return None, redirect("backoffice:file_choose", pk=kept.pk)
    return None, redirect(_step_url(kept, procedure))


# --- Filling the form -------------------------------------------------------------------------


def _step_url(citizen: Citizen, procedure: Procedure, step: str = "") -> str:
    url = reverse("backoffice:file_fill", args=[citizen.pk, procedure.slug])
    return f"{url}?{urlencode({'etape': step})}" if step else url


@agent_required
def fill(request, pk: int, slug: str):
    check_right(request.user)
    procedure = procedure_or_404(slug)
    citizen, moved = _live_or_moved(request, pk, procedure)
    if moved:
        return moved
    refusal = identification_refusal(procedure, citizen)
    if refusal:
        flash.error(request, refusal)
        return redirect("backoffice:file_choose", pk=citizen.pk)
    step = request.GET.get("etape", "")
    if request.method == "POST" and step == ABANDON:
        _abandon(request, citizen, procedure)
        return redirect("backoffice:file_choose", pk=citizen.pk)
    if request.method == "POST" and step == REVIEW:
        replay = _replayed(request, citizen, procedure)
        if replay is not None:
            return replay
    found = _filing(request, citizen, procedure)
    if found is None:
        flash.error(request, "Cette démarche n'a pas encore de formulaire publié.")
        return redirect("backoffice:file_choose", pk=citizen.pk)
    run = _run(found, citizen)
    if step == REVIEW:
        return _review(request, citizen, found, run)
    if not step:
        step = drafts.resume_page(found, run)
        if step == REVIEW:
            return redirect(_step_url(citizen, procedure, REVIEW))
    if not run.is_page_visible(step):
        return redirect(_step_url(citizen, procedure))
    if request.method != "POST":
        return _render_page(request, citizen, found, run, step)

    schema = found.version.schema
    result = run.validate_page(step, request.POST, request.FILES)
    before = drafts.stored_file_keys(schema, found.answers)
    found.answers = run.apply(result, store=upload_store)
    discard = before - drafts.stored_file_keys(schema, found.answers)
    found.started = True
    back = request.POST.get("action") == "previous"
    if back:
        found.page = run.previous_page_id(step) or step
    elif result.is_valid:
        found.page = run.next_page_id(step) or REVIEW
    else:
        found.page = step
    _store(request.session, citizen, found)
    uploads_discard(discard)
    if not back and not result.is_valid:
        return _render_page(request, citizen, found, run, step, result, status=400)
    return redirect(_step_url(citizen, procedure, found.page))


def _render_page(request, citizen, found: Filing, run: FormRun, step, result=None, status=200):
    context = {
        "citizen": citizen,
        "procedure": found.procedure,
        "form_page": run.page_view(step, result),
        "form_action": _step_url(citizen, found.procedure, step),
        "abandon_action": _step_url(citizen, found.procedure, ABANDON),
    }
    return render_agent(request, "backoffice/on_behalf/page.html", context, status=status)


def _replayed(request, citizen: Citizen, procedure: Procedure):
    """A POST whose key already made a request (a double click, a refresh): its confirmation,
    when this agent filed it for this citizen; someone else's key is a 404."""
    key = drafts.parse_idempotency_key(request.POST.get("idempotency_key"))
    if key is None:
        return None
    existing = (
        ServiceRequest.objects.exclude(status=Status.DRAFT)
        .filter(idempotency_key=key)
        .only("pk", "reference", "filed_by", "citizen", "procedure")
        .first()
    )
    if existing is None:
        return None
    user_id = request.user.pk
    by_me = existing.filed_by_id == user_id or (
        existing.filed_by_id is None and citizen.user_id == user_id  # for their own record
    )
    mine = by_me and existing.citizen_id == citizen.pk
    if not mine or existing.procedure_id != procedure.pk:
        raise Http404
    return redirect("backoffice:file_done", reference=existing.reference)


def _review(request, citizen: Citizen, found: Filing, run: FormRun):
    """The answers to check, and the agent's part of the filing; POST files the request."""
    procedure = found.procedure
    invalid = run.first_invalid_page_id()
    if invalid is not None:
        flash.error(request, INCOMPLETE)
        return redirect(_step_url(citizen, procedure, invalid))
    if found.idempotency_key is None:
        found.idempotency_key = drafts.new_idempotency_key()
    if found.page != REVIEW or not found.started:
        found.page, found.started = REVIEW, True
        _store(request.session, citizen, found)
    form = FilingForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        citizen=citizen,
        initial={"idempotency_key": found.idempotency_key},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        delivery = data["receipt_delivery"]
        scans = [upload_store(scan) for scan in data["scans"]]
        try:
            submission = request_submit(
                procedure=procedure,
                version=found.version,
                answers=run.answers,
                idempotency_key=found.idempotency_key,
                citizen=citizen,
                actor=request.user,
                channel=data["channel"],
                received_on=data["received_on"],
                organisation=data.get("organisation"),
                contact_name=citizen.display_name,
                # The contact address is the request's record that the receipt goes by email
                # (services.receipts.receipt_recipient).
                contact_email=citizen.email if delivery == EMAIL else "",
                contact_phone=citizen.phone,
                scans=scans,
            )
        except IncompleteForm as incomplete:
            uploads_discard(scan["key"] for scan in scans)
            flash.error(request, INCOMPLETE)
            return redirect(_step_url(citizen, procedure, next(iter(incomplete.errors))))
        except ValidationError as refused:
            uploads_discard(scan["key"] for scan in scans)
            messages = getattr(refused, "message_dict", {}).get("received_on")
            form.add_error("received_on" if messages else None, messages or refused.messages)
        else:
            _forget(request.session, citizen, procedure)
            done = reverse("backoffice:file_done", args=[submission.request.reference])
            return redirect(f"{done}?{urlencode({'remise': delivery})}")
    context = {
        "citizen": citizen,
        "procedure": procedure,
        "version": found.version,
        "sections": run.summary(edit_url=lambda page_id: _step_url(citizen, procedure, page_id)),
        "form": form,
        "error_summary": error_summary(form),
        "form_action": _step_url(citizen, procedure, REVIEW),
        "abandon_action": _step_url(citizen, procedure, ABANDON),
        "no_email": not citizen.email,
        "no_address": not has_postal_address(citizen),
    }
    status = 400 if form.is_bound else 200
    return render_agent(request, "backoffice/on_behalf/review.html", context, status=status)
