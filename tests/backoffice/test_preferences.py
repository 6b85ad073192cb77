"""« Mes notifications » (/agents/preferences/): per kind, at once / digest / never, as fieldsets
with legends and French errors tied to their field; the team manager's legal alert offered
without « never », explained, and refused when a forged POST asks for it."""

import re

import pytest
from django.urls import reverse

from gru.models import Membership
from service_requests.models import (
    AgentNotificationDelivery,
    AgentNotificationKind,
    AgentNotificationPreference,
)
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
Kind = AgentNotificationKind
Delivery = AgentNotificationDelivery
URL = "/agents/preferences/"
EVERYTHING_AT_ONCE = dict.fromkeys(Kind.values, Delivery.IMMEDIATE)


def agent(role=Role.INSTRUCTOR):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(first_name="Théo")
    MembershipFactory(user=user, team=TeamFactory(), role=role)
    TOTP.activate(user, generate_totp_secret())
    return user


def stored(user) -> dict[str, str]:
    return dict(
        AgentNotificationPreference.objects.filter(user=user).values_list("kind", "delivery")
    )


def test_the_url_and_the_header_link(client):
    assert reverse("backoffice:preferences") == URL
    client.force_login(agent())

    page = client.get(reverse("backoffice:home")).content.decode()
    assert f'<a href="{URL}">Mes notifications</a>' in page
    page = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Mes notifications</a>' in page


def test_an_instructor_sees_three_groups_of_three_choices(client):
    client.force_login(agent())

    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<fieldset") == 3
    for kind in Kind:
        assert f'<legend class="field__label">{kind.label}</legend>' in page.replace("&#x27;", "'")
        assert f'aria-describedby="id_{kind.value}_helptext"' in page
    assert page.count('value="never"') == 3
    assert page.count('value="immediate" required id="id_assigned_0" checked') == 1
    assert "ne peut pas être désactivée" not in page


def test_the_stored_choices_are_checked(client):
    user = agent()
    AgentNotificationPreference.objects.create(
        user=user, kind=Kind.CITIZEN_REPLIED, delivery=Delivery.DIGEST
    )
    client.force_login(user)

    page = client.get(URL).content.decode()
    assert re.search(r'value="digest"[^>]*id="id_citizen_replied_1" checked', page)


def test_saving_the_choices(client):
    user = agent()
    client.force_login(user)
    choices = {
        Kind.ASSIGNED: Delivery.NEVER,
        Kind.CITIZEN_REPLIED: Delivery.DIGEST,
        Kind.IMPLICIT_DECISION_TOMORROW: Delivery.NEVER,
    }

    response = client.post(URL, choices, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Vos choix de notification sont enregistrés." in response.content.decode()
    assert stored(user) == choices


def test_a_missing_choice_is_named_next_to_its_field(client):
    user = agent()
    client.force_login(user)

    response = client.post(URL, {Kind.ASSIGNED: Delivery.DIGEST, Kind.CITIZEN_REPLIED: "x"})
    page = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert response.status_code == 400
    assert "<title>Erreur : Mes notifications" in page
    assert 'href="#id_citizen_replied_0">Choisissez une des options proposées.' in page
    assert 'id="id_implicit_tomorrow_error"' in page
    assert "Choisissez quand être prévenu·e : « Une décision implicite naît demain »." in page
    assert 'aria-describedby="id_citizen_replied_helptext id_citizen_replied_error"' in page
    assert stored(user) == {}


def test_a_team_manager_is_not_offered_never_for_the_legal_alert(client):
    client.force_login(agent(Role.TEAM_MANAGER))

    page = client.get(URL).content.decode().replace("&#x27;", "'")
    assert page.count('value="never"') == 2
    assert 'id="id_implicit_tomorrow_2"' not in page
    assert "Pourquoi l'alerte de décision implicite ne peut pas être désactivée" in page
    assert "« Jamais » n'est pas proposé" in page


def test_a_forged_never_from_a_team_manager_is_refused(client):
    user = agent(Role.TEAM_MANAGER)
    client.force_login(user)

    response = client.post(URL, {**EVERYTHING_AT_ONCE, Kind.IMPLICIT_DECISION_TOMORROW: "never"})
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    assert "Ce choix n'est pas possible pour l'alerte de décision implicite" in page
    assert 'id="id_implicit_tomorrow_error"' in page
    assert stored(user) == {}


def test_a_manager_who_chose_never_before_sees_at_once(client):
    user = agent(Role.TEAM_MANAGER)
    AgentNotificationPreference.objects.create(
        user=user, kind=Kind.IMPLICIT_DECISION_TOMORROW, delivery=Delivery.NEVER
    )
    client.force_login(user)

    page = client.get(URL).content.decode()
    assert re.search(r'value="immediate"[^>]*id="id_implicit_tomorrow_0" checked', page)


def test_only_agents_open_it(client):
    assert client.get(URL).status_code == 302  # to the login
    client.force_login(UserFactory())  # a citizen
    assert client.get(URL).status_code == 404
    assert client.post(URL, EVERYTHING_AT_ONCE).status_code == 404
