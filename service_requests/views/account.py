"""The signed-in citizen's space at /compte/: their requests of every channel, drafts, the
agents' messages, the documents issued to them; joining anonymous requests on proof;
discarding a draft. Out of the citizen's reach is a 404, like what does not exist."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citizens.selectors import citizen_of
from service_requests import citizen_space, drafts, tracking
from service_requests.models import ServiceRequest
from service_requests.services.claims import (
    PROOF_SECRET,
    PROOF_VERIFIED_EMAIL,
    draft_discard,
    request_link_to_account,
)
from service_requests.services.errors import TransitionRefused


@login_required
def home(request):
    dashboard = citizen_space.account_dashboard(request.user, request.GET.get("page"))
    return render(request, "service_requests/account/home.html", {"dashboard": dashboard})


@login_required
def documents(request):
    page = citizen_space.document_rows_page(request.user, request.GET.get("page"))
    return render(request, "service_requests/account/documents.html", {"page_obj": page})


def _claimable(request, reference: str) -> tuple[ServiceRequest, str]:
    """The anonymous request this user may join, with the proof they hold: the secret link
    opened in this browser session, or a verified email. Anything else is a 404."""
    grants = tracking.secret_granted_requests(request.session).filter(
        reference=reference, citizen__isnull=True
    )
    found = grants.first()
    if found is not None:
        return found, PROOF_SECRET
    found = (
        citizen_space.requests_claimable_by_email(request.user).filter(reference=reference).first()
    )
    if found is not None:
        return found, PROOF_VERIFIED_EMAIL
    raise Http404


@login_required
@require_POST
def claim(request, reference: str):
    if (
        citizen_space.citizen_requests(citizen_of(request.user))
        .filter(reference=reference)
        .exists()
    ):
        # Joined already (a second click): nothing to do.
        flash.info(request, _("Cette demande est déjà rattachée à votre compte."))
        return redirect("service_requests:tracking", reference=reference)
    service_request, proof = _claimable(request, reference)
    try:
        request_link_to_account(request=service_request, user=request.user, proof=proof)
    except TransitionRefused as refusal:
        flash.error(request, str(refusal))
        return redirect("account_home")
    flash.success(
        request,
        _("La demande %(reference)s est rattachée à votre compte.")
        % {"reference": service_request.reference},
    )
    if proof == PROOF_SECRET:
        return redirect("service_requests:tracking", reference=service_request.reference)
    return redirect("account_home")


@login_required
@require_POST
def discard_draft(request, reference: str):
    draft = (
        citizen_space.citizen_drafts(citizen_of(request.user)).filter(reference=reference).first()
    )
    if draft is None:
        raise Http404
    try:
        deleted = draft_discard(draft=draft, user=request.user)
    except TransitionRefused as refusal:
        flash.error(request, str(refusal))
        return redirect("account_home")
    if deleted:
        drafts.session_forget(request.session, draft.procedure)
        flash.success(
            request,
            _("Le brouillon « %(title)s » a été supprimé.") % {"title": draft.procedure.title},
        )
    return redirect("account_home")
