"""ProConnect for agents (optional): the same OpenID Connect profile as FranceConnect.

The account key is ProConnect's `sub`, stored on User.proconnect_sub. The first sign-in of an
existing agent (a membership in a team, or staff) links their account once, through the
professional email they have already verified here; after that only the `sub` counts, and
another `sub` arriving with the same email is refused: an agent never signs in to another
person's account through a shared email. Nobody gets an account by signing in, except agents
of an organisation whose SIRET is in PROCONNECT_SELF_PROVISIONING_SIRETS (an administrator
then gives them a role). The TOTP rule for agents is untouched: the sign-in goes through
allauth's stages and the agents' middleware like a password sign-in.
"""

from __future__ import annotations

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gru.accounts import is_agent
from gru.oidc import PROCONNECT, OIDCBackend, OIDCCallback, OIDCError

logger = logging.getLogger(__name__)


def _refused(reason: str, detail: str, message: str) -> OIDCError:
    return OIDCError(reason, detail, status=403, message=message)


def proconnect_sign_in(*, sub: str, email: str, given_name: str, usual_name: str, siret: str):
    """The agent ProConnect's `sub` signs in; raises OIDCError when refused."""
    User = get_user_model()
    email = User.objects.normalize_email(email or "").lower()
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(proconnect_sub=sub).first()
            if user is not None:
                if not user.is_active:
                    raise _refused(
                        "inactive", f"user {user.pk} inactive", _("Ce compte est désactivé.")
                    )
                return user
            address = (
                EmailAddress.objects.select_related("user")
                .filter(email__iexact=email, verified=True)
                .first()
                if email
                else None
            )
            if address is not None:
                user = User.objects.select_for_update().get(pk=address.user_id)
                if user.proconnect_sub:
                    raise _refused(
                        "other_sub",
                        f"user {user.pk} is linked to another ProConnect sub",
                        _(
                            "Le compte agent qui porte cette adresse électronique est déjà relié "
                            "à une autre identité ProConnect : un agent ne se connecte jamais au "
                            "compte d'une autre personne par une adresse partagée. Contactez "
                            "l'administrateur du portail."
                        ),
                    )
                if not is_agent(user) or not user.is_active:
                    raise _refused(
                        "not_agent",
                        f"user {user.pk} is not an agent",
                        _(
                            "Aucun compte agent actif ne correspond à cette identité ProConnect. "
                            "Contactez l'administrateur du portail."
                        ),
                    )
                user.proconnect_sub = sub
                user.save(update_fields=["proconnect_sub"])
                logger.info("ProConnect: agent %s linked by verified email", user.pk)
                return user
            if siret and siret in settings.PROCONNECT_SELF_PROVISIONING_SIRETS and email:
                if User.objects.filter(email__iexact=email).exists():
                    raise _refused(
                        "email_taken",
                        "unverified email of an existing account",
                        _(
                            "Un compte existe déjà avec cette adresse électronique, mais elle "
                            "n'y est pas vérifiée : connectez-vous avec votre mot de passe et "
                            "vérifiez-la, ou contactez l'administrateur du portail."
                        ),
                    )
                user = User.objects.create_user(
                    email=email,
                    password=None,
                    first_name=given_name[:150],
                    last_name=usual_name[:150],
                    proconnect_sub=sub,
                )
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
                logger.info("ProConnect: agent account %s created (SIRET %s)", user.pk, siret)
                return user
            raise _refused(
                "unknown_agent",
                "no agent account for this identity",
                _(
                    "Aucun compte agent ne correspond à cette identité ProConnect. Demandez à "
                    "l'administrateur du portail de vous créer un compte avec votre adresse "
                    "électronique professionnelle."
                ),
            )
    except IntegrityError as exc:  # the same first sign-in twice at once
        raise OIDCError("conflict", str(exc)) from exc


class ProConnectBackend(OIDCBackend):
    provider = PROCONNECT

    def account_for(self, id_claims: dict, userinfo: dict, callback: OIDCCallback):
        return proconnect_sign_in(
            sub=id_claims["sub"],
            email=str(userinfo.get("email") or ""),
            given_name=str(userinfo.get("given_name") or ""),
            usual_name=str(userinfo.get("usual_name") or ""),
            siret=str(userinfo.get("siret") or ""),
        )
