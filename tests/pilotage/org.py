"""An organisation for the dashboards' access tests: two teams, one agent per role in the first."""

from gru.models import Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory

ROLES = [role.value for role in Membership.Role]


def make_org() -> dict:
    own = TeamFactory(name="Voirie", slug="voirie")
    other = TeamFactory(name="État civil", slug="etat-civil")
    users = {}
    for role in ROLES:
        users[role] = UserFactory(email=f"{role}@ville.invalid", first_name=role)
        MembershipFactory(user=users[role], team=own, role=role)
    return {"own": own, "other": other, "users": users}


def login_agent(client, user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
