"""The steering dashboards' pages in the benchmark (issue 14, item 8): who requests them and
which URLs. A team manager of the busiest team, and an elected official (the dataset has none:
one bench account is made, a member of the first team with the official's role)."""

from __future__ import annotations

import random

from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

BENCH_OFFICIAL_EMAIL = "elu.bench@ville.invalid"


def _with_totp(user) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user.email


def team_manager(rng: random.Random) -> str | None:
    """A manager of the team with the most requests received (the heaviest figures)."""
    from django.db.models import Count

    from gru.models import Membership

    membership = (
        Membership.objects.filter(role=Membership.Role.TEAM_MANAGER, user__is_active=True)
        .annotate(n=Count("team__requests"))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    return None if membership is None else _with_totp(membership.user)


def official(rng: random.Random) -> str | None:
    from gru.models import Membership, Team, User

    team = Team.objects.order_by("pk").first()
    if team is None:
        return None
    user, _created = User.objects.get_or_create(
        email=BENCH_OFFICIAL_EMAIL, defaults={"first_name": "Élue", "last_name": "Bench"}
    )
    Membership.objects.get_or_create(
        user=user, team=team, defaults={"role": Membership.Role.OFFICIAL}
    )
    return _with_totp(user)


def overview_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """The overview for each period kind (the month, the default, first)."""
    page = reverse("backoffice:pilotage")
    return [page, f"{page}?periode=week", f"{page}?periode=quarter", f"{page}?periode=year"]


def forecast_paths(rng: random.Random, session: SessionBase) -> list[str]:
    return [reverse("backoffice:pilotage_forecast")]


def csv_paths(rng: random.Random, session: SessionBase) -> list[str]:
    return [
        reverse("backoffice:pilotage_csv", args=["demandes-par-jour"]) + "?periode=year",
        reverse("backoffice:pilotage_csv", args=["demandes-par-demarche"]),
    ]
