"""Writing API clients: create (the token returned once), change teams, revoke."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from api.models import ApiClient, Scope
from api.tokens import hash_token, new_token
from gru.models import Membership, Team, User

# The role the technical user holds in each of the client's teams: an instructor's reach.
CLIENT_ROLE = Membership.Role.INSTRUCTOR
TECHNICAL_EMAIL_DOMAIN = "api.gru.invalid"


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    return scopes


@transaction.atomic
def api_client_create(
    *, name: str, teams: Iterable[Team], scopes: Iterable[str], actor: User | None
) -> tuple[ApiClient, str]:
    """A new client with its technical user and memberships; returns it and its token, which is
    stored only as a hash and cannot be shown again."""
    token, prefix = new_token()
    user = User.objects.create_user(
        email=f"client-{prefix}@{TECHNICAL_EMAIL_DOMAIN}",
        password=None,  # unusable: the technical user never signs in
        first_name="Client d'API",
        last_name=name[:150],
    )
    client = ApiClient.objects.create(
        name=name,
        scopes=_check_scopes(scopes),
        user=user,
        token_prefix=prefix,
        token_hash=hash_token(token),
        created_by=actor,
    )
    api_client_set_teams(client=client, teams=teams)
    return client, token


@transaction.atomic
def api_client_set_teams(*, client: ApiClient, teams: Iterable[Team]) -> None:
    """The client's teams, and its technical user's memberships to match."""
    teams = list(teams)
    client.teams.set(teams)
    Membership.objects.filter(user=client.user).exclude(team__in=teams).delete()
    have = set(Membership.objects.filter(user=client.user).values_list("team_id", flat=True))
    Membership.objects.bulk_create(
        Membership(user=client.user, team=team, role=CLIENT_ROLE)
        for team in teams
        if team.pk not in have
    )


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor: User | None) -> None:
    """The token stops working at once; the client and its calls stay for the record."""
    if client.revoked_at is not None:
        return
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    User.objects.filter(pk=client.user_id).update(is_active=False)


@transaction.atomic
def api_client_rotate(*, client: ApiClient, actor: User | None) -> str:
    """A new token for the client; the old one stops working at once. Returns the new token,
    shown once like the first."""
    token, prefix = new_token()
    client.token_prefix, client.token_hash = prefix, hash_token(token)
    client.save(update_fields=["token_prefix", "token_hash"])
    return token
