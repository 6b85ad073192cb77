"""FranceConnect v2 (LEGAL.md §3): the authorization request, the callback's checks, the
account by `sub`, linking, logout. The provider is a fake answering through `requests` with
tokens signed by a key the test controls (tests/oidc_provider/fake.py)."""

import html
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.urls import reverse

from citizens.franceconnect import FranceConnectBackend
from citizens.models import Citizen
from gru import oidc
from gru.models import User
from tests.factories import CitizenFactory, UserFactory
from tests.oidc_provider.fake import CLIENT_ID, CLIENT_SECRET, FakeProvider, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def fc(settings, monkeypatch):
    provider = FakeProvider()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    cache.clear()
    with provider.serving(monkeypatch):
        yield provider


def start(client, fc, url="franceconnect:login", method="get", **params) -> tuple[str, dict]:
    response = getattr(client, method)(reverse(url), params)
    assert response.status_code == 302, response.content
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    fc.nonce = query["nonce"]
    return query["state"], query


def callback(client, state, code="code-1"):
    return client.get(reverse("franceconnect:callback"), {"code": code, "state": state})


def text(response) -> str:
    return html.unescape(response.content.decode())


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_authorize_asks_eidas1_with_long_random_state_and_nonce(client, fc, settings):
    _, query = start(client, fc)
    assert query["acr_values"] == "eidas1"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["scope"] == " ".join(settings.FRANCECONNECT_SCOPES.split())
    assert query["redirect_uri"] == "http://testserver/compte/franceconnect/retour/"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    _, again = start(client, fc)
    assert again["state"] != query["state"] and again["nonce"] != query["nonce"]


def test_first_sign_in_creates_the_account_with_the_identity_pivot(client, fc):
    state, _ = start(client, fc, next="/compte/profil/")
    response = callback(client, state)

    assert response.status_code == 302
    assert response["Location"] == "/compte/profil/"
    citizen = Citizen.objects.select_related("user").get(franceconnect_sub=fc.sub)
    assert citizen.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    assert (citizen.given_names, citizen.family_name, citizen.usage_name) == (
        "Angela Claire Louise",
        "DUBOIS",
        "",
    )
    assert citizen.birth_date == date(1962, 8, 24)
    assert (citizen.sex, citizen.birth_place, citizen.birth_country) == ("female", "75107", "99100")
    user = citizen.user
    assert user.email == "angela.dubois@exemple.fr"
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert address.email == user.email and not address.verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[oidc.FRANCECONNECT.id_token_session_key]
    # client_secret_post: the secret in the form, the code and our redirect URI with it.
    (token_request,) = fc.token_requests
    assert token_request["client_secret"] == CLIENT_SECRET
    assert token_request["code"] == "code-1"
    assert token_request["redirect_uri"] == "http://testserver/compte/franceconnect/retour/"


def test_later_sign_ins_find_the_account_by_sub_and_update_the_pivot(client, fc):
    user = UserFactory(email="ancienne@exemple.fr")
    citizen = CitizenFactory(user=user, franceconnect_sub=fc.sub, given_names="Angèle")
    fc.identity.update(
        given_name="Angela", preferred_username="MARTIN", email="autre@exemple.fr", gender="x"
    )
    state, _ = start(client, fc)

    assert callback(client, state).status_code == 302

    assert client.session["_auth_user_id"] == str(user.pk)
    citizen.refresh_from_db()
    assert (citizen.given_names, citizen.usage_name, citizen.sex) == ("Angela", "MARTIN", "")
    assert citizen.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    user.refresh_from_db()
    assert user.email == "ancienne@exemple.fr"  # the FranceConnect email changes nothing
    assert User.objects.count() == 1


def test_the_discovery_document_and_keys_are_fetched_once_then_cached(client, fc):
    for _ in range(2):
        state, _ = start(client, fc)
        assert callback(client, state).status_code == 302
        client.logout()
    assert fc.paths.count("/.well-known/openid-configuration") == 1
    assert fc.paths.count("/jwks") == 1
    assert fc.paths.count("/token") == 2


def test_a_discovery_document_of_another_issuer_is_refused(client, fc):
    fc.discovery_issuer = "https://imposteur.test/api/v2"
    response = client.get(reverse("franceconnect:login"))
    assert response.status_code == 400
    assert "Connexion avec FranceConnect impossible" in text(response)


def test_presumed_birth_day_and_month_are_kept(client, fc):
    fc.identity["birthdate"] = "1950-01-01"
    state, _ = start(client, fc)
    callback(client, state)
    assert Citizen.objects.get(franceconnect_sub=fc.sub).birth_date == date(1950, 1, 1)


def test_an_email_of_another_account_is_never_merged(client, fc):
    owner = UserFactory(email="angela.dubois@exemple.fr")
    CitizenFactory(user=owner)
    state, _ = start(client, fc)

    response = callback(client, state)

    assert response.status_code == 403
    assert "reliez FranceConnect à votre compte depuis votre profil" in text(response)
    assert not signed_in(client)
    assert not Citizen.objects.filter(franceconnect_sub=fc.sub).exists()
    assert owner.citizen.franceconnect_sub is None
    assert User.objects.count() == 1


def test_password_sign_in_never_reaches_the_franceconnect_backend(rf, monkeypatch):
    user = UserFactory(email="camille@exemple.fr")

    def refuse(*args, **kwargs):
        raise AssertionError("FranceConnect backend called with a password")

    monkeypatch.setattr(FranceConnectBackend, "account_for", refuse)
    request = rf.post("/")
    assert authenticate(request, email=user.email, password="mot-de-passe-de-test") == user
    assert authenticate(request, username=user.email, password="mot-de-passe-de-test") == user


REFUSALS = {
    "wrong acr": ("id_token", {"acr": "eidas2"}),
    "missing acr": ("id_token", {"acr": None}),
    "wrong iss": ("id_token", {"iss": "https://autre.test/api/v2"}),
    "wrong aud": ("id_token", {"aud": "un-autre-client"}),
    "expired": ("id_token", {"exp": 1_600_000_000, "iat": 1_599_999_000}),
    "replayed nonce": ("id_token", {"nonce": "n" * 48}),
    "missing nonce": ("id_token", {"nonce": None}),
    "userinfo wrong aud": ("userinfo", {"aud": "un-autre-client"}),
    "userinfo wrong iss": ("userinfo", {"iss": "https://autre.test/api/v2"}),
    "userinfo other sub": ("userinfo", {"sub": "b" * 62}),
}


@pytest.mark.parametrize(("where", "overrides"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_token_that_fails_a_check_is_refused_without_a_session(
    client, fc, caplog, where, overrides
):
    getattr(fc, f"{where}_claims").update(overrides)
    state, _ = start(client, fc)

    with caplog.at_level("WARNING", logger="gru.oidc"):
        response = callback(client, state)

    assert response.status_code == 400
    assert "Connexion avec FranceConnect impossible" in text(response)
    assert "n'a pas pu être vérifiée" in text(response)
    assert not signed_in(client)
    assert not User.objects.exists()
    assert any("FranceConnect sign-in refused" in r.message for r in caplog.records)


def test_a_bad_signature_is_refused(client, fc):
    fc.signing_key = new_key()  # same kid, another key
    state, _ = start(client, fc)
    response = callback(client, state)
    assert response.status_code == 400
    assert not signed_in(client) and not User.objects.exists()


def test_an_unsigned_userinfo_is_refused(client, fc):
    fc.userinfo_as_json = True
    state, _ = start(client, fc)
    assert callback(client, state).status_code == 400
    assert not signed_in(client) and not User.objects.exists()


def test_a_nonce_is_accepted_once(fc, rf):
    fc.nonce = "m" * 48
    backend = FranceConnectBackend()
    backend.request = rf.get("/")
    token = fc.id_token()
    assert backend.verify_token(token, nonce=fc.nonce)["sub"] == fc.sub
    with pytest.raises(oidc.OIDCError) as refused:
        backend.verify_token(token, nonce=fc.nonce)
    assert refused.value.reason == "nonce"


def test_an_unknown_state_is_refused(client, fc):
    start(client, fc)
    response = callback(client, "x" * 48)
    assert response.status_code == 400
    assert "n'a pas été commencée depuis ce navigateur" in text(response)
    assert not signed_in(client) and not fc.token_requests


def test_a_callback_without_any_flow_is_refused(client, fc):
    response = callback(client, "y" * 48)
    assert response.status_code == 400
    assert not signed_in(client)


def test_a_state_is_used_once(client, fc):
    state, _ = start(client, fc)
    assert callback(client, state).status_code == 302
    client.logout()
    assert callback(client, state).status_code == 400
    assert not signed_in(client)


def test_a_state_started_with_proconnect_is_refused_here(client, fc, settings):
    for name, value in fc.settings("PROCONNECT").items():
        setattr(settings, name, value)
    state, _ = start(client, fc, url="proconnect:login")
    assert callback(client, state).status_code == 400
    assert not signed_in(client)


def test_an_error_from_the_provider_gives_a_clear_page(client, fc, caplog):
    state, _ = start(client, fc)
    with caplog.at_level("WARNING", logger="gru.oidc"):
        response = client.get(
            reverse("franceconnect:callback"),
            {"error": "access_denied", "error_description": "User auth aborted", "state": state},
        )
    assert response.status_code == 400
    assert "interrompue ou refusée" in text(response)
    assert not signed_in(client)
    assert "access_denied" in caplog.text
    assert callback(client, state).status_code == 400  # the state is spent


# --- Logout -------------------------------------------------------------------------------------


def sign_in(client, fc) -> User:
    state, _ = start(client, fc)
    assert callback(client, state).status_code == 302
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_logout_goes_through_the_provider_with_id_token_hint_and_state(client, fc):
    sign_in(client, fc)
    id_token = client.session[oidc.FRANCECONNECT.id_token_session_key]

    response = client.post(reverse("franceconnect:logout"))

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fc.issuer}/session/end"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["id_token_hint"] == id_token
    assert len(query["state"]) >= 32
    assert query["post_logout_redirect_uri"] == (
        "http://testserver/compte/franceconnect/deconnexion/retour/"
    )
    assert not signed_in(client)
    assert oidc.FRANCECONNECT.id_token_session_key not in client.session

    back = client.get(reverse("franceconnect:logout_callback"), {"state": query["state"]})
    assert back.status_code == 302 and back["Location"] == reverse("home")
    # The same state twice is refused.
    again = client.get(reverse("franceconnect:logout_callback"), {"state": query["state"]})
    assert again.status_code == 400


@pytest.mark.parametrize("state", ["z" * 48, ""])
def test_logout_return_with_a_wrong_or_missing_state_is_refused(client, fc, state):
    sign_in(client, fc)
    client.post(reverse("franceconnect:logout"))
    response = client.get(reverse("franceconnect:logout_callback"), {"state": state})
    assert response.status_code == 400
    assert "La déconnexion n'a pas pu être confirmée" in text(response)
    assert not signed_in(client)


def test_logout_needs_post(client, fc):
    sign_in(client, fc)
    assert client.get(reverse("franceconnect:logout")).status_code == 405
    assert signed_in(client)


def test_logout_without_a_franceconnect_session_is_local(client, fc):
    client.force_login(UserFactory())
    response = client.post(reverse("franceconnect:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not signed_in(client)


def test_the_template_context_says_when_logout_must_go_through_franceconnect(client, fc, rf):
    sign_in(client, fc)
    request = rf.get("/")
    request.session = client.session
    assert oidc.providers(request)["franceconnect_session"] is True
    request.session = {}
    assert oidc.providers(request)["franceconnect_session"] is False


# --- Linking ------------------------------------------------------------------------------------


def test_a_signed_in_citizen_links_franceconnect(client, fc):
    user = UserFactory(email="camille@exemple.fr")
    citizen = CitizenFactory(user=user, given_names="Camille")
    client.force_login(user)
    state, _ = start(client, fc, url="franceconnect:link", method="post")

    response = callback(client, state)

    assert response.status_code == 302 and response["Location"] == reverse("citizens:profile")
    citizen.refresh_from_db()
    assert citizen.franceconnect_sub == fc.sub
    assert citizen.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    assert citizen.given_names == "Angela Claire Louise"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[oidc.FRANCECONNECT.id_token_session_key]
    user.refresh_from_db()
    assert user.email == "camille@exemple.fr"


def test_linking_a_sub_of_another_citizen_is_refused(client, fc):
    CitizenFactory(user=UserFactory(), franceconnect_sub=fc.sub)
    user = UserFactory()
    mine = CitizenFactory(user=user)
    client.force_login(user)
    state, _ = start(client, fc, url="franceconnect:link", method="post")

    response = callback(client, state)

    assert response.status_code == 403
    assert "déjà reliée à un autre compte" in text(response)
    mine.refresh_from_db()
    assert mine.franceconnect_sub is None
    assert client.session["_auth_user_id"] == str(user.pk)  # still themselves, nobody else


def test_linking_needs_a_signed_in_user_and_post(client, fc):
    assert client.get(reverse("franceconnect:link")).status_code in (302, 405)
    response = client.post(reverse("franceconnect:link"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.get(reverse("franceconnect:link")).status_code == 405


def test_a_link_state_does_not_sign_in_another_browser_user(client, fc):
    user = UserFactory()
    client.force_login(user)
    state, _ = start(client, fc, url="franceconnect:link", method="post")
    client.force_login(UserFactory())  # someone else in this browser meanwhile
    assert callback(client, state).status_code == 400
    assert not Citizen.objects.filter(franceconnect_sub=fc.sub).exists()


# --- Disabled -----------------------------------------------------------------------------------


def test_without_an_issuer_the_button_is_absent_and_the_urls_are_404(client, settings):
    settings.FRANCECONNECT_ISSUER = ""
    page = text(client.get(reverse("account_login")))
    assert "S'identifier avec" not in page or "FranceConnect" not in page
    for name in ("login", "callback", "logout_callback"):
        assert client.get(reverse(f"franceconnect:{name}")).status_code == 404
    for name in ("link", "logout"):
        assert client.post(reverse(f"franceconnect:{name}")).status_code == 404


def test_with_an_issuer_the_login_page_shows_the_button_first(client, fc):
    page = text(client.get(reverse("account_login")))
    assert "S'identifier avec" in page
    assert "Qu'est-ce que FranceConnect ?" in page
    assert reverse("franceconnect:login") in page
