"""The decision letter: a PDF carrying the decision, its motives, who took it (L111-2) and the
means and delays of appeal, kept as the request's document and sent to the citizen."""

from django.template.loader import select_template

from gru.models import User
from gru.pdf import render_pdf
from service_requests.models import Document, ServiceRequest
from service_requests.services._common import store_pdf

DEFAULT_TEMPLATE = "service_requests/pdf/decision_letter.html"


def decision_letter_template(request: ServiceRequest) -> str:
    """The procedure's own letter when it has one, else the default."""
    own = f"service_requests/pdf/decisions/{request.procedure.slug}.html"
    return select_template([own, DEFAULT_TEMPLATE]).origin.template_name


def decision_letter_store(
    locked: ServiceRequest, *, outcome: str, motive: str, signatory: User
) -> Document:
    """Render and keep the letter of the decision about to be recorded on `locked` (its
    decision date set). For the decision service, inside its transaction."""
    from service_requests.services.notices import _letter_context

    context = _letter_context(locked) | {
        "outcome": outcome,
        "motive": motive,
        "signatory": signatory,
        "issued_on": locked.decided_on,
    }
    content = render_pdf(decision_letter_template(locked), context)
    name = f"decision-{locked.reference}.pdf"
    return store_pdf(locked, kind=Document.Kind.DECISION, name=name, content=content)
