"""Agents: TOTP before any back-office page, the TOTP stage at login, the admin's login through
allauth, the idle timeout, and who may open /admin/."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.urls import reverse

from gru.middleware import BACK_OFFICE_PREFIXES, LAST_ACTIVITY_KEY
from gru.models import User
from tests.gru.accounts_support import _empty_cache, agent, totp_code, verified_user  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- TOTP required for the back office -----------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/gru/user/", "/agents/file-d-attente/"])
def test_an_agent_without_totp_is_sent_to_the_totp_setup(client, path):
    client.force_login(agent(totp=False, staff=True))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    (message,) = flash(response)
    assert "double authentification" in message


def test_a_citizen_made_agent_during_the_session_is_sent_to_the_totp_setup(client):
    """Public pages keep the "agent or not" answer in the session; the back office asks again."""
    from tests.factories import MembershipFactory

    user = verified_user()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200  # remembered: not an agent
    MembershipFactory(user=user)
    response = client.get("/agents/file-d-attente/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_back_office_list_is_the_one_the_middleware_uses():
    assert BACK_OFFICE_PREFIXES == ("/admin/", "/agents/")


@pytest.mark.parametrize(
    "name", ["mfa_activate_totp", "mfa_index", "account_email", "home", "healthz"]
)
def test_an_agent_without_totp_still_reaches_the_mfa_pages_and_the_site(client, name):
    client.force_login(agent(totp=False, staff=True))
    response = client.get(reverse(name))
    assert response.status_code in (200, 302)
    assert response.get("Location") != reverse("mfa_activate_totp")


def test_an_agent_without_totp_may_log_out(client):
    client.force_login(agent(totp=False, staff=True))
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_activating_totp_after_login_opens_the_admin_with_recovery_codes(client):
    user = agent(totp=False, staff=True)
    assert login(client, user)["Location"] == reverse("backoffice:home")  # agents start there
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200  # just logged in: no reauthentication asked
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("name", ["mfa_deactivate_totp", "mfa_view_recovery_codes"])
def test_disabling_totp_or_reading_the_codes_asks_for_the_password_again(client, name):
    """Only the first activation counts the login as recent: whoever holds a fresh session
    must still prove the password before weakening the second factor."""
    user = agent(totp=False, staff=True)
    login(client, user)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    response = client.get(reverse(name)) if name.endswith("codes") else client.post(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# --- The TOTP stage at login ---------------------------------------------------------------


def test_an_agent_with_totp_is_asked_for_the_code_and_gets_in_with_it(client):
    user = agent(totp=True, staff=True)
    response = login(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    page = client.get(reverse("mfa_authenticate"))
    assert 'autocomplete="one-time-code"' in page.content.decode()

    refused = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert refused.status_code == 200
    assert SESSION_KEY not in client.session
    assert "Code incorrect" in refused.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response["Location"] == reverse("backoffice:home")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get("/admin/").status_code == 200


def test_a_used_code_cannot_be_replayed(client):
    user = agent(totp=True, staff=True)
    code = totp_code()
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert SESSION_KEY not in client.session


def test_a_citizen_is_not_asked_for_a_second_factor(client):
    user = verified_user()
    assert login(client, user)["Location"] == reverse("account_home")
    assert client.session[SESSION_KEY] == str(user.pk)


# --- The admin's login is allauth's --------------------------------------------------------


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get(response["Location"])
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    # Django's own login form is never shown, so never answers a password.
    response = client.post("/admin/login/", {"username": "x@exemple.fr", "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Who may open /admin/ ------------------------------------------------------------------


def anonymous():
    return None


def citizen():
    return verified_user()


def staff_agent_without_totp():
    return agent(totp=False, staff=True)


def staff_agent_with_totp():
    return agent(totp=True, staff=True)


def team_agent_with_totp():
    return agent(totp=True, staff=False)


@pytest.mark.parametrize(
    ("who", "status", "location"),
    [
        (anonymous, 302, "/admin/login/?next=/admin/"),
        (citizen, 302, "/admin/login/?next=/admin/"),  # then 403: see below
        (staff_agent_without_totp, 302, "/compte/2fa/totp/activate/"),
        (team_agent_with_totp, 302, "/admin/login/?next=/admin/"),  # not staff
        (staff_agent_with_totp, 200, None),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_who_may_open_the_admin(client, who, status, location):
    user = who()
    if user is not None:
        client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == status
    assert response.get("Location") == location
    if location == "/admin/login/?next=/admin/" and user is not None:
        # Signed in without the right: allauth's secure_admin_login refuses.
        assert client.get(location).status_code == 403


# --- Idle timeout --------------------------------------------------------------------------


def test_an_idle_agent_is_signed_out_and_sent_to_the_login(client, settings):
    settings.GRU_AGENT_IDLE_MINUTES = 30
    client.force_login(agent(totp=True, staff=True))
    with time_machine.travel(START, tick=False) as clock:
        assert client.get("/admin/").status_code == 200
        assert client.session[LAST_ACTIVITY_KEY] == START.timestamp()
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200  # activity: a new stamp
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/admin/gru/team/?q=voirie")

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("account_login") + "?next=%2Fadmin%2Fgru%2Fteam%2F%3Fq%3Dvoirie"
    )
    assert SESSION_KEY not in client.session
    (message,) = flash(response)
    assert "expiré après 30 minutes sans activité" in message


def test_an_idle_citizen_keeps_the_session(client, settings):
    settings.GRU_AGENT_IDLE_MINUTES = 30
    user = verified_user()
    client.force_login(user)
    with time_machine.travel(START, tick=False) as clock:
        client.get(reverse("home"))
        clock.shift(datetime.timedelta(hours=2))
        assert client.get(reverse("account_email")).status_code == 200
        assert client.session[SESSION_KEY] == str(user.pk)
        assert LAST_ACTIVITY_KEY not in client.session


def test_the_session_key_changes_at_an_agents_login(client):
    user = agent(totp=True, staff=True)
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != before


# --- Agents made by an administrator -------------------------------------------------------


def test_an_agent_created_in_the_admin_can_log_in(admin_client, client):
    response = admin_client.post(
        reverse("admin:gru_user_add"),
        {
            "email": "nouvel.agent@ville-demo.invalid",
            "password1": "un-mot-de-passe-d-agent",
            "password2": "un-mot-de-passe-d-agent",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="nouvel.agent@ville-demo.invalid")
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "un-mot-de-passe-d-agent"}
    )
    assert client.session[SESSION_KEY] == str(user.pk)


def test_changing_an_agents_email_in_the_admin_verifies_the_new_one(admin_client):
    user = agent(totp=True, staff=True)
    change_url = reverse("admin:gru_user_change", args=[user.pk])
    form = admin_client.get(change_url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("groups", "user_permissions", "password")
    }
    data.update(
        {
            "email": "nouvelle.adresse@ville-demo.invalid",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "02/03/2026",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    primary = EmailAddress.objects.get(user=user, primary=True)
    assert primary.email == "nouvelle.adresse@ville-demo.invalid" and primary.verified
