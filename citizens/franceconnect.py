"""FranceConnect v2 for citizens (LEGAL.md §3): the backend and the writes it makes.

The account key is the pairwise `sub` (Citizen.franceconnect_sub), never the email: the email
FranceConnect returns proves nothing, so it is stored unverified and never used to find an
account. A first sign-in creates the user and the citizen with the identity pivot; later ones
update the pivot. A FranceConnect identity whose email already belongs to another account is
refused (not merged): its owner signs in with their password and links FranceConnect from their
profile.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from citizens.models import Citizen
from gru.oidc import FRANCECONNECT, OIDCBackend, OIDCCallback, OIDCError

logger = logging.getLogger(__name__)

SEXES = {"female": Citizen.Sex.FEMALE, "male": Citizen.Sex.MALE}


def identity_from_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The identity pivot as Citizen fields. `family_name` is the birth name and
    `preferred_username` the usage name; the birth date may have a presumed month or day (01);
    `birthplace` is an INSEE commune code (empty when born abroad), `birthcountry` an INSEE
    country code."""
    given_names = str(claims.get("given_name") or "").strip()
    family_name = str(claims.get("family_name") or "").strip()
    if not given_names or not family_name:
        raise OIDCError("claims", "given_name or family_name missing")
    try:
        birth_date = date.fromisoformat(str(claims.get("birthdate") or ""))
    except ValueError:
        birth_date = None
    return {
        "given_names": given_names[:200],
        "family_name": family_name[:200],
        "usage_name": str(claims.get("preferred_username") or "").strip()[:200],
        "birth_date": birth_date,
        "sex": SEXES.get(str(claims.get("gender") or ""), Citizen.Sex.UNSPECIFIED),
        "birth_place": str(claims.get("birthplace") or "").strip()[:200],
        "birth_country": str(claims.get("birthcountry") or "").strip()[:200],
    }


def _certify(citizen: Citizen, sub: str, identity: dict[str, Any]) -> None:
    for field, value in identity.items():
        setattr(citizen, field, value)
    citizen.franceconnect_sub = sub
    citizen.identity_assurance = Citizen.IdentityAssurance.FRANCECONNECT
    citizen.save()


def _email_taken(email: str) -> bool:
    User = get_user_model()
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def franceconnect_sign_in(*, sub: str, identity: dict[str, Any], email: str):
    """The user FranceConnect's `sub` signs in: found by `sub` (pivot updated), or created with
    their citizen record. Raises OIDCError when no account may be created."""
    User = get_user_model()
    try:
        with transaction.atomic():
            citizen = (
                Citizen.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(franceconnect_sub=sub)
                .first()
            )
            if citizen is not None and citizen.user is not None:
                if not citizen.user.is_active:
                    raise OIDCError("inactive", f"user {citizen.user.pk} inactive", status=403)
                _certify(citizen, sub, identity)
                return citizen.user
            email = User.objects.normalize_email(email or "").lower()
            if not email:
                raise OIDCError(
                    "email_missing",
                    "no email claim",
                    status=403,
                    message=_(
                        "FranceConnect n'a pas transmis d'adresse électronique : elle est "
                        "nécessaire pour créer votre compte. Autorisez sa transmission lors de "
                        "votre connexion, ou créez un compte avec votre adresse électronique."
                    ),
                )
            if _email_taken(email):
                raise OIDCError(
                    "email_taken",
                    "the FranceConnect email belongs to another account",
                    status=403,
                    message=_(
                        "L'adresse électronique transmise par FranceConnect est déjà celle d'un "
                        "compte du portail. Par sécurité, les deux ne sont pas réunis "
                        "automatiquement : connectez-vous avec votre adresse électronique et "
                        "votre mot de passe, puis reliez FranceConnect à votre compte depuis "
                        "votre profil."
                    ),
                )
            user = User.objects.create_user(
                email=email,
                password=None,
                first_name=identity["given_names"][:150],
                last_name=(identity["usage_name"] or identity["family_name"])[:150],
            )
            # Not proof of ownership (LEGAL.md §3): the citizen may verify it later.
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            if citizen is None:
                citizen = Citizen(email=email)
            citizen.user = user
            _certify(citizen, sub, identity)
            logger.info("FranceConnect: account %s created", user.pk)
            return user
    except IntegrityError as exc:  # the same first sign-in twice at once
        raise OIDCError("conflict", str(exc)) from exc


def franceconnect_link(*, user, sub: str, identity: dict[str, Any]):
    """Link FranceConnect to a signed-in user's citizen record (created if they have none);
    refused when this `sub` is another citizen's, or this citizen has another `sub`."""
    refused = _(
        "Cette identité FranceConnect est déjà reliée à un autre compte du portail : elle ne "
        "peut pas être reliée au vôtre. Contactez l'accueil de la mairie si vous pensez qu'il "
        "s'agit d'une erreur."
    )
    try:
        with transaction.atomic():
            if Citizen.objects.filter(franceconnect_sub=sub).exclude(user=user).exists():
                raise OIDCError(
                    "sub_taken", "sub linked to another citizen", status=403, message=refused
                )
            citizen = Citizen.objects.select_for_update().filter(user=user).first()
            if citizen is None:
                citizen = Citizen(user=user, email=user.email)
            elif citizen.franceconnect_sub and citizen.franceconnect_sub != sub:
                raise OIDCError(
                    "other_sub",
                    "citizen linked to another sub",
                    status=403,
                    message=_(
                        "Votre compte est déjà relié à une autre identité FranceConnect. "
                        "Contactez l'accueil de la mairie pour la changer."
                    ),
                )
            _certify(citizen, sub, identity)
            logger.info("FranceConnect: account %s linked", user.pk)
            return user
    except IntegrityError as exc:
        raise OIDCError("sub_taken", str(exc), status=403, message=refused) from exc


class FranceConnectBackend(OIDCBackend):
    provider = FRANCECONNECT

    def account_for(self, id_claims: dict, userinfo: dict, callback: OIDCCallback):
        identity = identity_from_claims(userinfo)
        sub = id_claims["sub"]
        if callback.link_user_id is not None:
            user = get_user_model().objects.get(pk=callback.link_user_id)
            return franceconnect_link(user=user, sub=sub, identity=identity)
        return franceconnect_sign_in(sub=sub, identity=identity, email=userinfo.get("email", ""))
