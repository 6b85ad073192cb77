"""Front office: filing a démarche's form page by page, its review, the contact step of an
anonymous citizen, the submission and its confirmation.

Under /demarches/<slug>/deposer/ (registered in service_requests/urls.py, since forms_builder
imports no other app):

- ``""``: start or resume (the first page, or the page reached);
- ``"<page_id>/"``: a page; POST ``action`` "next" or "previous";
- ``"verification/"``: the review; a signed-in citizen submits from it (POST);
- ``"coordonnees/"``: an anonymous citizen continues without an account (email required) and
  submits, or signs in (the answers wait in the session meanwhile);
- ``"confirmation/<reference>/"``: for the session that filed the request;
- ``"a-partir-de/<reference>/"``: POST, a signed-in citizen's new draft from an earlier request.

Procedures that require an account or FranceConnect are filed by signed-in citizens only; an
anonymous visitor gets a page saying so, with the counter and telephone alternative.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citizens.selectors import is_certified
from forms_builder import selectors as catalogue
from forms_builder.engine import FormRun, IncompleteForm
from forms_builder.models import Procedure
from gru.forms import EmailAddressField, error_summary
from gru.phones import clean_phone
from service_requests import drafts, tracking
from service_requests.drafts import REVIEW, Filing
from service_requests.models import ServiceRequest, Status
from service_requests.selectors import citizen_email_of
from service_requests.services.errors import TransitionRefused
from service_requests.services.filing import (
    draft_save,
    draft_start_from,
    request_submit,
    upload_store,
    uploads_discard,
)
from service_requests.services.receipts import implicit_decision_sentence

INCOMPLETE = gettext_lazy("Votre demande est incomplète : vérifiez cette étape avant de l'envoyer.")
EXPIRED = gettext_lazy(
    "Votre session a expiré et vos réponses n'ont pas pu être conservées : reprenez votre "
    "demande depuis le début."
)


# --- Helpers ----------------------------------------------------------------------------------


def _procedure(slug: str) -> Procedure:
    try:
        return catalogue.procedure_for_citizens(slug)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


def _login_url(next_url: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


def _unavailable(request, procedure: Procedure, reason: str, status: int = 200) -> HttpResponse:
    """Why this démarche cannot be filed here now, and how to do it at the counter or by
    phone (a page, not an error: 200, unless the visitor is refused)."""
    start_url = reverse("service_requests:filing_start", args=[procedure.slug])
    context = {
        "procedure": procedure,
        "reason": reason,
        "login_url": _login_url(start_url),
        "procedure_url": reverse("forms_builder:procedure", args=[procedure.slug]),
    }
    return render(request, "service_requests/filing/unavailable.html", context, status=status)


def _gate(request, procedure: Procedure) -> HttpResponse | None:
    """None when this visitor may file the démarche, else the page that says why not.

    "account": a signed-in user (their citizen record is made from the account on the first
    save, `citizen_for_user`). "franceconnect": a citizen whose identity FranceConnect
    certified; a local account is refused (403) and told how to link FranceConnect. An
    anonymous visitor is invited to sign in (200: a page, not an error)."""
    required = procedure.identification
    if required == Procedure.Identification.NONE:
        return None
    if request.user.is_authenticated:
        if required != Procedure.Identification.FRANCECONNECT:
            return None
        if is_certified(drafts.citizen_of(request.user)):
            return None
        return _unavailable(request, procedure, "franceconnect_certified", status=403)
    return _unavailable(request, procedure, required)


def _filing(request, procedure: Procedure, *, start: bool = False) -> Filing | None:
    """The form in progress for this visitor; with `start`, a new one (saved with its first
    page) when there is none. A signed-in citizen's answers given before signing in are moved
    from the session into their draft."""
    user, session = request.user, request.session
    if user.is_authenticated:
        draft = drafts.open_draft(user, procedure)
        page = (drafts.session_entry(session, procedure) or {}).get("page")
        before_sign_in = drafts.session_filing(session, procedure)
        if before_sign_in is not None:
            answers = {**(draft.data if draft else {}), **before_sign_in.answers}
            version = draft.form_version if draft else before_sign_in.version
            stale = drafts.stored_file_keys(version.schema, draft.data) if draft else set()
            draft = draft_save(
                user=user,
                procedure=procedure,
                version=version,
                answers=answers,
                draft=draft,
                discard=stale - drafts.stored_file_keys(version.schema, answers),
            )
            page = before_sign_in.page
            drafts.session_save(session, procedure, {"page": page})
        if draft is not None:
            key = str(draft.idempotency_key) if draft.idempotency_key else None
            return Filing(
                procedure=procedure,
                version=draft.form_version,
                answers=dict(draft.data),
                page=page,
                idempotency_key=key,
                draft=draft,
                started=True,
            )
    else:
        found = drafts.session_filing(session, procedure)
        if found is not None:
            return found
    if not start:
        return None
    version = drafts.published_version(procedure)
    if version is None:
        return None
    found = Filing(procedure=procedure, version=version, answers={})
    if user.is_authenticated:
        run = _run(request, found)
        organisations = drafts.organisations_for(drafts.citizen_of(user), procedure)
        found.answers = drafts.prefill(run, found.profile[0], organisations)
    return found


def _run(request, found: Filing) -> FormRun:
    if not request.user.is_authenticated:
        return found.run()
    if found.profile is None:
        citizen = found.draft.citizen if found.draft else drafts.citizen_of(request.user)
        found.profile = drafts.profile_of(request.user, citizen)
    return found.run(*found.profile)


def _save(request, found: Filing, *, discard: set[str] = frozenset()) -> None:
    if request.user.is_authenticated:
        found.draft = draft_save(
            user=request.user,
            procedure=found.procedure,
            version=found.version,
            answers=found.answers,
            draft=found.draft,
            idempotency_key=found.idempotency_key,
            discard=discard,
        )
        drafts.session_store_page(request.session, found)
    else:
        drafts.session_store(request.session, found)
        uploads_discard(discard)


def _saved_status(found: Filing) -> str:
    if found.draft is None:
        return ""
    saved_at = formats.time_format(timezone.localtime(found.draft.updated_at), "H:i")
    return _("Brouillon enregistré à %(time)s") % {"time": saved_at}


def _page_url(procedure: Procedure, page_id: str) -> str:
    if page_id == REVIEW:
        return reverse("service_requests:filing_review", args=[procedure.slug])
    return reverse("service_requests:filing_page", args=[procedure.slug, page_id])


def _render_page(request, found: Filing, run: FormRun, page_id: str, result=None, status=200):
    """A page of the form; without a POST's `result`, with the answers it refused earlier
    shown again as typed, with their errors."""
    if result is None:
        result = drafts.refused_result(run, page_id)
    form_page = run.page_view(page_id, result)
    here = _page_url(found.procedure, page_id)
    context = {
        "form_page": form_page,
        "steps_left": form_page.total - form_page.number,
        "procedure_title": found.procedure.title,
        "form_action": here,
        "saved_status": _saved_status(found),
        "can_save": True,
        "login_url": "" if request.user.is_authenticated else _login_url(here),
        "anonymous_hours": settings.SESSION_COOKIE_AGE // 3600,
    }
    return render(request, "forms_builder/page.html", context, status=status)


def _saved_message(request) -> str:
    """Where a draft saved by « Enregistrer et reprendre plus tard » waits, and how long."""
    if request.user.is_authenticated:
        return _(
            "Votre demande est enregistrée. Vous la retrouverez dans « Mon espace », rubrique "
            "« Demandes en cours de saisie », pendant %(days)s jours après votre dernière "
            "modification."
        ) % {"days": settings.GRU_DRAFT_LIFESPAN_DAYS}
    return _(
        "Vos réponses sont enregistrées sur ce navigateur pendant %(hours)s heures après votre "
        "dernière saisie : revenez à cette démarche depuis ce navigateur pour la reprendre. "
        "Pour la garder plus longtemps et la reprendre ailleurs, connectez-vous : vos réponses "
        "rejoindront votre compte."
    ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}


def _replayed(request, procedure: Procedure) -> HttpResponse | None:
    """A POST whose key already made a request (a refresh, a double click, a replay): its
    confirmation, if this visitor filed it; someone else's key is a 404."""
    key = drafts.parse_idempotency_key(request.POST.get("idempotency_key"))
    if key is None:
        return None
    entry = drafts.session_entry(request.session, procedure) or {}
    if entry.get("key") == str(key):
        # The session still holds the form of this key: not sent yet (the session forgets
        # it once sent), no query. A twin POST racing this one gets the request the first
        # one made from request_submit itself.
        return None
    existing = (
        ServiceRequest.objects.exclude(status=Status.DRAFT)
        .filter(idempotency_key=key, procedure=procedure)
        .only("pk", "reference")
        .first()
    )
    if existing is None:
        return None
    if not tracking.granted_requests(request.session, request.user).filter(pk=existing.pk):
        raise Http404
    return redirect(
        "service_requests:filing_confirmation", slug=procedure.slug, reference=existing.reference
    )


def _submit(request, found: Filing, run: FormRun, **contact) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    try:
        submission = request_submit(
            procedure=found.procedure,
            version=found.version,
            answers=run.answers,
            idempotency_key=found.idempotency_key,
            citizen=found.draft.citizen if found.draft else None,
            actor=user,
            draft=found.draft,
            **contact,
        )
    except IncompleteForm as incomplete:
        flash.error(request, INCOMPLETE)
        return redirect(_page_url(found.procedure, next(iter(incomplete.errors))))
    except ValidationError as refused:  # the citizen's record was merged as they sent it
        flash.error(request, " ".join(refused.messages))
        return redirect(_page_url(found.procedure, REVIEW))
    tracking.grant(request.session, submission.request)
    drafts.session_forget(request.session, found.procedure)
    return redirect(
        "service_requests:filing_confirmation",
        slug=found.procedure.slug,
        reference=submission.request.reference,
    )


# --- The form ---------------------------------------------------------------------------------


def start(request, slug: str):
    procedure = _procedure(slug)
    if (refusal := _gate(request, procedure)) is not None:
        return refusal
    found = _filing(request, procedure, start=True)
    if found is None:
        return _unavailable(request, procedure, "offline")
    run = _run(request, found)
    page_id = drafts.resume_page(found, run)
    if page_id == REVIEW:
        return redirect(_page_url(procedure, REVIEW))
    return _render_page(request, found, run, page_id)


def page(request, slug: str, page_id: str):
    procedure = _procedure(slug)
    if (refusal := _gate(request, procedure)) is not None:
        return refusal
    found = _filing(request, procedure, start=True)
    if found is None:
        return _unavailable(request, procedure, "offline")
    run = _run(request, found)
    if not run.is_page_visible(page_id):
        return redirect("service_requests:filing_start", slug=slug)
    if request.method != "POST":
        return _render_page(request, found, run, page_id)

    schema = found.version.schema
    result = run.validate_page(page_id, request.POST, request.FILES)
    before = drafts.stored_file_keys(schema, found.answers)
    found.answers = drafts.with_refused(run.apply(result, store=upload_store), schema, result)
    discard = before - drafts.stored_file_keys(schema, found.answers)
    found.started = True
    # What is valid is kept, what was refused waits as typed. "save": the button « Enregistrer
    # et reprendre plus tard »; "leave": the script that saves the page when the citizen
    # follows a link of the site (its answer is not shown: 204).
    action = request.POST.get("action")
    back = action == "previous"
    stay = action in ("save", "leave")
    if back:
        found.page = run.previous_page_id(page_id) or page_id
    elif result.is_valid and not stay:
        found.page = run.next_page_id(page_id) or REVIEW
    else:
        found.page = page_id
    try:
        _save(request, found, discard=discard)
    except TransitionRefused as refusal:
        if action == "leave":
            return HttpResponse(status=409)
        flash.error(request, str(refusal))
        return redirect("service_requests:filing_start", slug=slug)
    if action == "leave":
        return HttpResponse(status=204)
    if action == "save":
        flash.success(request, _saved_message(request))
        return redirect(_page_url(procedure, page_id))
    if not back and not result.is_valid:
        return _render_page(request, found, run, page_id, result, status=400)
    return redirect(_page_url(procedure, found.page))


def review(request, slug: str):
    procedure = _procedure(slug)
    if (refusal := _gate(request, procedure)) is not None:
        return refusal
    if request.method == "POST" and (replay := _replayed(request, procedure)) is not None:
        return replay
    found = _filing(request, procedure)
    if found is None:
        if request.method == "POST":
            flash.error(request, EXPIRED)
        return redirect("service_requests:filing_start", slug=slug)
    run = _run(request, found)
    invalid = drafts.first_page_to_fix(run)
    if invalid is not None:
        flash.error(request, INCOMPLETE)
        return redirect(_page_url(procedure, invalid))
    anonymous = not request.user.is_authenticated
    if request.method == "POST":
        if anonymous:
            return redirect("service_requests:filing_contact", slug=slug)
        user = request.user
        citizen = found.draft.citizen
        return _submit(
            request,
            found,
            run,
            contact_name=citizen.display_name,
            contact_email=citizen.email or user.email,
            contact_phone=citizen.phone,
            organisation=drafts.organisation_answered(run, citizen, procedure),
        )
    if found.idempotency_key is None or found.page != REVIEW:
        found.idempotency_key = found.idempotency_key or drafts.new_idempotency_key()
        found.page = REVIEW
        try:
            _save(request, found)
        except TransitionRefused as refusal:
            flash.error(request, str(refusal))
            return redirect("service_requests:filing_start", slug=slug)
    context = {
        "procedure": procedure,
        "sections": run.summary(edit_url=lambda page_id: _page_url(procedure, page_id)),
        "anonymous": anonymous,
        "idempotency_key": found.idempotency_key,
        "contact_url": reverse("service_requests:filing_contact", args=[slug]),
        "saved_status": _saved_status(found),
        "email": "" if anonymous else (found.draft.citizen.email or request.user.email),
    }
    return render(request, "service_requests/filing/review.html", context)


# --- The contact step of an anonymous citizen -------------------------------------------------


class ContactForm(forms.Form):
    """The contacts of an anonymous citizen, asked once: the form drops what the démarche's
    own form asked already (`drafts.contact_needs`), and the email is optional where the
    procedure allows filing without one."""

    name = forms.CharField(
        label=gettext_lazy("Vos prénom et nom"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = EmailAddressField(
        label=gettext_lazy("Adresse électronique"),
        help_text=gettext_lazy(
            "Vous y recevrez l'accusé de réception et le lien pour suivre votre demande."
        ),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Indiquez votre adresse électronique."),
            "invalid": gettext_lazy(
                "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirmation = EmailAddressField(
        label=gettext_lazy("Confirmez votre adresse électronique"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Saisissez une seconde fois votre adresse électronique."),
            "invalid": gettext_lazy(
                "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Téléphone"),
        help_text=gettext_lazy("Si le service a besoin de vous joindre rapidement."),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, needs: drafts.ContactNeeds, **kwargs):
        super().__init__(*args, **kwargs)
        for item in drafts.CONTACT_ITEMS:
            if item not in needs.asked:
                del self.fields[item]
        if "email" not in needs.asked:
            del self.fields["email_confirmation"]
        elif not needs.email_required:
            self.fields["email"].required = False
            self.fields["email"].help_text = _(
                "Pour recevoir l'accusé de réception et être informé de la suite. Sans adresse, "
                "votre demande est traitée, mais vous n'en recevez pas de nouvelles : gardez "
                "alors le lien de suivi affiché après l'envoi."
            )
            self.fields["email_confirmation"].required = False

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and email.lower() != confirmation.lower():
            self.add_error(
                "email_confirmation",
                _("Les deux adresses électroniques ne sont pas identiques : vérifiez-les."),
            )
        elif email and not confirmation and "email_confirmation" not in self.errors:
            self.add_error(
                "email_confirmation", _("Saisissez une seconde fois votre adresse électronique.")
            )
        return cleaned


def contact(request, slug: str):
    procedure = _procedure(slug)
    if (refusal := _gate(request, procedure)) is not None:
        return refusal
    if request.method == "POST" and (replay := _replayed(request, procedure)) is not None:
        return replay
    if request.user.is_authenticated:
        # Back from signing in: the answers move into the citizen's draft.
        _filing(request, procedure)
        return redirect("service_requests:filing_review", slug=slug)
    found = _filing(request, procedure)
    if found is None:
        flash.error(request, EXPIRED)
        return redirect("service_requests:filing_start", slug=slug)
    run = _run(request, found)
    invalid = drafts.first_page_to_fix(run)
    if invalid is not None:
        flash.error(request, INCOMPLETE)
        return redirect(_page_url(procedure, invalid))
    if found.idempotency_key is None:
        return redirect("service_requests:filing_review", slug=slug)
    needs = drafts.contact_needs(procedure, run)
    initial = {**needs.known, "idempotency_key": found.idempotency_key}
    form = ContactForm(request.POST or None, initial=initial, needs=needs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _submit(
            request,
            found,
            run,
            contact_name=(data.get("name") or needs.known["name"]).strip(),
            contact_email=data.get("email") or needs.known["email"],
            contact_phone=data.get("phone") or needs.known["phone"],
        )
    here = reverse("service_requests:filing_contact", args=[slug])
    context = {
        "procedure": procedure,
        "form": form,
        "needs": needs,
        "error_summary": error_summary(form) if form.is_bound else [],
        "login_url": _login_url(here),
        "review_url": _page_url(procedure, REVIEW),
    }
    status = 400 if form.is_bound else 200
    return render(request, "service_requests/filing/contact.html", context, status=status)


# --- After submission -------------------------------------------------------------------------


def confirmation(request, slug: str, reference: str):
    service_request = (
        tracking.granted_requests(request.session, request.user)
        .select_related("procedure", "form_version", "team", "citizen")
        .filter(reference=reference, procedure__slug=slug)
        .first()
    )
    if service_request is None:
        raise Http404
    version = service_request.form_version
    secret_path = reverse(
        "service_requests:secret_link",
        kwargs={"reference": reference, "token": service_request.tracking_token},
    )
    context = {
        "service_request": service_request,
        "procedure": service_request.procedure,
        "team": service_request.team or service_request.procedure.default_team,
        "secret_link": request.build_absolute_uri(secret_path),
        "tracking_url": reverse("service_requests:tracking", args=[reference]),
        "email": service_request.contact_email or citizen_email_of(service_request),
        "decision_sentence": implicit_decision_sentence(
            version.silence_rule, service_request.decision_due_on, version.silence_delay
        ),
        "can_start_from": request.user.is_authenticated,
    }
    return render(request, "service_requests/filing/confirmation.html", context)


@require_POST
def start_from(request, slug: str, reference: str):
    """A signed-in citizen starts a new request from one of theirs: the fields the form
    allows to carry over are prefilled."""
    procedure = _procedure(slug)
    if not request.user.is_authenticated:
        return redirect(_login_url(reverse("service_requests:filing_start", args=[slug])))
    earlier = drafts.earlier_request(request.user, procedure, reference)
    version = drafts.published_version(procedure)
    if earlier is None or version is None:
        raise Http404
    if drafts.open_draft(request.user, procedure) is not None:
        flash.info(
            request, _("Vous avez déjà une demande en cours pour cette démarche : la voici.")
        )
        return redirect("service_requests:filing_start", slug=slug)
    citizen = drafts.citizen_of(request.user)
    draft_start_from(
        user=request.user,
        procedure=procedure,
        version=version,
        earlier=earlier,
        profile=drafts.profile_of(request.user, citizen),
        organisations=drafts.organisations_for(citizen, procedure),
    )
    drafts.session_forget(request.session, procedure)
    flash.success(
        request,
        _("Votre nouvelle demande reprend certaines réponses de la demande %(reference)s.")
        % {"reference": earlier.reference},
    )
    return redirect("service_requests:filing_start", slug=slug)
