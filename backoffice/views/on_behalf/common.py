"""What the steps of filing on a citizen's behalf share: who may, which record, which démarche."""

from __future__ import annotations

from django.http import Http404

from citizens.models import Citizen
from forms_builder import selectors as catalogue
from forms_builder.models import Procedure
from service_requests.permissions import may

IDENTITY_NEEDED = (
    "Cette démarche demande une identité vérifiée (en ligne, par FranceConnect). Vérifiez une "
    "pièce d'identité de l'usager, puis indiquez-le ci-dessous : la démarche sera alors ouverte."
)


def check_right(user) -> None:
    if not may(user, "file"):
        raise Http404


def citizen_or_404(pk: int) -> Citizen:
    """A live record (not a merged one's tombstone), else a 404."""
    citizen = Citizen.objects.filter(pk=pk, merged_into__isnull=True).first()
    if citizen is None:
        raise Http404
    return citizen


def procedure_or_404(slug: str) -> Procedure:
    try:
        return catalogue.procedure_for_citizens(slug)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


def identification_refusal(procedure: Procedure, citizen: Citizen) -> str:
    """Why the agent may not file `procedure` for `citizen`, or "".

    Online, "account" asks that the citizen be signed in, "franceconnect" that FranceConnect
    certified who they are. At the counter the citizen's record stands for the account, and an
    agent who saw an identity document is as good a proof as FranceConnect: a FranceConnect
    procedure is filed for a certified identity or one checked at the counter, not for a merely
    declared one (a phone call, a letter)."""
    if procedure.identification != Procedure.Identification.FRANCECONNECT:
        return ""
    if citizen.identity_assurance == Citizen.IdentityAssurance.DECLARED:
        return IDENTITY_NEEDED
    return ""
