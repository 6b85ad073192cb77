"""The database refuses bad users, teams and memberships, and has the extensions search needs."""

import contextlib

import pytest
from django.db import IntegrityError, connection, transaction

from gru.models import Membership, Team, User
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def refused(constraint: str):
    """The database refuses what the block writes, naming `constraint`."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        yield


def test_user_email_is_unique_whatever_its_case():
    UserFactory(email="Camille.Martin@Exemple.fr")
    with refused("user_email_ci_unique"):
        UserFactory(email="camille.martin@exemple.fr")
    UserFactory(email="camille.martin2@exemple.fr")


def test_create_user_stores_the_email_in_lower_case():
    user = User.objects.create_user("Agent@Ville.FR", "un-long-mot-de-passe")
    assert user.email == "agent@ville.fr"


@pytest.mark.parametrize("kind", Team.Kind.values)
def test_team_kinds_are_accepted(kind):
    assert TeamFactory(kind=kind).kind == kind


def test_team_kind_must_be_known():
    with refused("team_kind_valid"):
        TeamFactory(kind="secret_service")


def test_a_user_has_one_membership_per_team():
    membership = MembershipFactory()
    with refused("membership_user_team_unique"):
        MembershipFactory(user=membership.user, team=membership.team, role="team_manager")
    MembershipFactory(user=membership.user, role="team_manager")


@pytest.mark.parametrize("role", Membership.Role.values)
def test_membership_roles_are_accepted(role):
    assert MembershipFactory(role=role).role == role


def test_membership_role_must_be_known():
    with refused("membership_role_valid"):
        MembershipFactory(role="mayor")


def test_migrations_enabled_trigram_and_unaccent():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT unaccent(%s)", ["Élodie"])
        unaccented = cursor.fetchone()[0]
    assert {"pg_trgm", "unaccent"} <= extensions
    assert unaccented == "Elodie"
