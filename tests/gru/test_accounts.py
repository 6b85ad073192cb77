"""Local accounts (allauth): sign-up with a citizen record, mandatory email verification,
login, rate limits, password reset and change, the session key at login, French emails."""

import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from citizens.models import Citizen
from gru.models import User
from tests.gru.accounts_support import _empty_cache, verified_user  # noqa: F401

# Account emails go through the worker (gru.mail): here it runs in the test's process.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

SIGNUP = {
    "given_names": "Léa Marie",
    "family_name": "Fontaine",
    "usage_name": "",
    "email": "Lea.Fontaine@exemple.fr",
    "password1": "une-phrase-de-passe-solide",
    "password2": "une-phrase-de-passe-solide",
}


def login(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def link_in(message, pattern: str) -> str:
    match = re.search(rf"https?://[^\s]*{pattern}[^\s]*", message.body)
    assert match, message.body
    return match.group(0).split("testserver", 1)[1]


def test_signup_verification_then_login_with_a_citizen_record(client):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Créer un compte" in html
    assert 'autocomplete="new-password"' in html and 'autocomplete="email"' in html
    assert 'autocomplete="given-name"' in html and 'autocomplete="family-name"' in html

    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session
    user = User.objects.get(email="lea.fontaine@exemple.fr")
    citizen = Citizen.objects.get(user=user)
    assert (citizen.given_names, citizen.family_name) == ("Léa Marie", "Fontaine")
    assert citizen.email == user.email
    assert citizen.identity_assurance == Citizen.IdentityAssurance.DECLARED
    assert not user.is_staff and not user.memberships.exists()
    (message,) = mail.outbox
    assert message.to == ["lea.fontaine@exemple.fr"]
    assert message.subject == (
        "[Ville de Démo] Confirmez votre adresse électronique pour activer votre compte"
    )
    assert message.body.startswith("Bonjour,")
    assert "Pour activer votre compte, ouvrez ce lien" in message.body
    assert "Ville de Démo" in message.body

    # Not before the address is verified: allauth sends the link again instead.
    refused = login(client, SIGNUP["email"], SIGNUP["password1"])
    assert refused["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session

    confirm_url = link_in(message, "/compte/confirm-email/")
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "Confirmer" in page.content.decode()
    assert not EmailAddress.objects.get(user=user).verified  # a GET changes nothing
    client.post(confirm_url)
    assert EmailAddress.objects.get(user=user).verified

    response = login(client, SIGNUP["email"], SIGNUP["password1"])
    assert response.status_code == 302
    assert response["Location"] == reverse("account_home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signup_errors_are_in_french_and_tied_to_their_fields(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "given_names": "", "password2": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire contient 2 erreurs" in html
    assert 'href="#id_given_names"' in html
    assert 'id="id_given_names_error"' in html
    assert 'aria-describedby="id_given_names_error"' in html
    assert "Ce champ est obligatoire." in html
    assert not User.objects.exists() and not Citizen.objects.exists()


def test_signup_with_the_address_of_an_account_emails_its_owner(client):
    owner = verified_user(email="deja@exemple.fr")
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "Deja@exemple.fr"})
    # The same answer as a new sign-up: nothing tells a stranger the account exists.
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.get() == owner
    assert not Citizen.objects.exists()
    (message,) = mail.outbox
    assert message.to == ["deja@exemple.fr"]
    assert message.subject == "[Ville de Démo] Vous avez déjà un compte"
    assert "Un compte existe déjà avec cette adresse" in message.body


def test_the_login_page_is_french_with_the_autocomplete_hints(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "<h1>Se connecter</h1>" in html
    assert 'autocomplete="email"' in html and 'autocomplete="current-password"' in html
    assert reverse("account_reset_password") in html and reverse("account_signup") in html
    # No identity provider configured: no button, no « ou ».
    assert 'class="separator"' not in html


def test_wrong_password_is_refused_in_french(client):
    user = verified_user()
    response = login(client, user.email, "pas-le-bon")
    html = response.content.decode()
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "Le formulaire contient une erreur" in html
    assert "mot de passe" in html


@time_machine.travel("2026-03-02 09:00:00+00:00", tick=False)
def test_login_failures_are_rate_limited(client):
    user = verified_user()
    for _ in range(5):
        assert login(client, user.email, "pas-le-bon").status_code == 200
    refused = login(client, user.email, "pas-le-bon")
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.content.decode()
    # Even the right password waits, from this address (gru.throttle; tests/gru/test_throttle.py).
    assert login(client, user.email, "mot-de-passe-de-test").status_code == 429
    assert SESSION_KEY not in client.session


def test_session_key_changes_at_login(client):
    user = verified_user()
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    assert before
    login(client, user.email, "mot-de-passe-de-test")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != before


def test_password_reset_by_link(client):
    user = verified_user(email="oubli@exemple.fr")
    response = client.post(reverse("account_reset_password"), {"email": "oubli@exemple.fr"})
    assert response["Location"] == reverse("account_reset_password_done")
    (message,) = mail.outbox
    assert message.subject == "[Ville de Démo] Réinitialisation de votre mot de passe"
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien" in message.body

    key_url = link_in(message, "/compte/password/reset/key/")
    form_url = client.get(key_url)["Location"]  # the key moves into the session
    page = client.get(form_url)
    assert page.status_code == 200
    assert 'autocomplete="new-password"' in page.content.decode()
    new = "un-nouveau-mot-de-passe-solide"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(new)
    assert login(client, user.email, new)["Location"] == reverse("account_home")


def test_password_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.fr"})
    assert response["Location"] == reverse("account_reset_password_done")
    (message,) = mail.outbox
    assert message.subject == "[Ville de Démo] Aucun compte à cette adresse"


def test_password_change(client):
    user = verified_user()
    client.force_login(user)
    new = "un-autre-mot-de-passe-solide"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "mot-de-passe-de-test", "password1": new, "password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert SESSION_KEY in client.session  # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off


def test_email_management_page(client):
    user = verified_user()
    client.force_login(user)
    html = client.get(reverse("account_email")).content.decode()
    assert user.email in html
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "autre@exemple.fr"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=user, email="autre@exemple.fr", verified=False)
    (message,) = mail.outbox
    assert message.subject == "[Ville de Démo] Confirmez votre adresse électronique"


def test_logout_ends_the_session(client):
    client.force_login(verified_user())
    html = client.get(reverse("account_email")).content.decode()
    assert "Se déconnecter" in html  # the header's button
    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in client.session


def test_other_sessions_are_signed_out_from_the_sessions_page(client, django_user_model):
    from django.test import Client

    user = verified_user()
    other = Client()
    for each in (client, other):
        login(each, user.email, "mot-de-passe-de-test")
        each.get(reverse("usersessions_list"))
    html = client.get(reverse("usersessions_list")).content.decode()
    assert "Sessions ouvertes" in html
    assert "Déconnecter toutes les autres sessions" in html

    client.post(reverse("usersessions_list"))

    assert SESSION_KEY in client.session
    assert other.get(reverse("usersessions_list")).status_code == 302  # to the login page
    assert SESSION_KEY not in other.session


def test_no_password_reset_to_the_unverified_address_of_an_account_without_password(client):
    """A FranceConnect account keeps the provider's email unverified: it is no proof of
    ownership (LEGAL.md §3), so its reader gets no link to set a password."""
    from citizens.franceconnect import franceconnect_sign_in, identity_from_claims

    identity = identity_from_claims({"given_name": "Jean", "family_name": "Morin"})
    user = franceconnect_sign_in(sub="a" * 64, identity=identity, email="partage@exemple.fr")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()

    response = client.post(reverse("account_reset_password"), {"email": "partage@exemple.fr"})

    assert response.status_code == 302  # the same answer as for any address
    assert [m for m in mail.outbox if "password/reset/key" in m.body] == []


def test_a_verified_address_of_an_account_without_password_gets_the_reset_link(client):
    user = User.objects.create_user("sans-mot-de-passe@exemple.fr")
    assert not user.has_usable_password()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    client.post(reverse("account_reset_password"), {"email": user.email})

    (message,) = mail.outbox
    assert "password/reset/key" in message.body
