"""ProConnect for agents: the account key is the `sub`; an existing agent's first sign-in links
it through their verified professional email, once; no account is created unless the SIRET is
allowed. The OpenID Connect checks themselves are FranceConnect's (tests/citizens)."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from gru import oidc
from gru.models import User
from tests.factories import MembershipFactory, UserFactory
from tests.gru.accounts_support import totp_code
from tests.oidc_provider.fake import FakeProvider

pytestmark = pytest.mark.django_db

AGENT_EMAIL = "theo.marchand@ville-demo.invalid"
SIRET = "21750001600019"


@pytest.fixture
def pc(settings, monkeypatch):
    provider = FakeProvider(issuer="https://proconnect.test/api/v2")
    for name, value in provider.settings("PROCONNECT").items():
        setattr(settings, name, value)
    settings.PROCONNECT_SELF_PROVISIONING_SIRETS = []
    provider.identity = {
        "email": AGENT_EMAIL,
        "given_name": "Théo",
        "usual_name": "Marchand",
        "siret": SIRET,
    }
    cache.clear()
    with provider.serving(monkeypatch):
        yield provider


def sign_in_with_proconnect(client, pc):
    response = client.get(reverse("proconnect:login"))
    assert response.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert "acr_values" not in query  # no acr unless PROCONNECT_ACR says
    pc.nonce = query["nonce"]
    return client.get(reverse("proconnect:callback"), {"code": "c", "state": query["state"]})


def agent(email=AGENT_EMAIL, *, verified=True, **fields):
    user = UserFactory(email=email, **fields)
    MembershipFactory(user=user)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_an_agent_is_found_by_sub(client, pc):
    user = agent(email="autre@ville-demo.invalid", proconnect_sub=pc.sub)
    response = sign_in_with_proconnect(client, pc)
    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)
    assert client.session[oidc.PROCONNECT.id_token_session_key]


def test_first_sign_in_links_an_existing_agent_by_verified_email(client, pc):
    user = agent()
    assert sign_in_with_proconnect(client, pc).status_code == 302
    assert signed_in_as(client) == str(user.pk)
    user.refresh_from_db()
    assert user.proconnect_sub == pc.sub


def test_staff_without_a_team_is_an_agent_too(client, pc):
    user = UserFactory(email=AGENT_EMAIL, is_staff=True)
    EmailAddress.objects.create(user=user, email=AGENT_EMAIL, primary=True, verified=True)
    assert sign_in_with_proconnect(client, pc).status_code == 302
    assert signed_in_as(client) == str(user.pk)


def test_an_unverified_email_links_nothing(client, pc):
    user = agent(verified=False)
    response = sign_in_with_proconnect(client, pc)
    assert response.status_code == 403
    assert signed_in_as(client) is None
    user.refresh_from_db()
    assert user.proconnect_sub is None


def test_a_citizen_email_links_nothing(client, pc):
    user = UserFactory(email=AGENT_EMAIL)
    EmailAddress.objects.create(user=user, email=AGENT_EMAIL, primary=True, verified=True)
    response = sign_in_with_proconnect(client, pc)
    assert response.status_code == 403
    assert "Aucun compte agent" in html.unescape(response.content.decode())
    assert signed_in_as(client) is None


def test_another_sub_with_the_same_email_is_refused(client, pc):
    user = agent(proconnect_sub="sub-de-la-personne-liee")
    response = sign_in_with_proconnect(client, pc)
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "Connexion avec ProConnect impossible" in page
    assert "jamais au compte d'une autre personne" in page
    assert signed_in_as(client) is None
    user.refresh_from_db()
    assert user.proconnect_sub == "sub-de-la-personne-liee"


def test_nobody_gets_an_account_by_signing_in(client, pc):
    response = sign_in_with_proconnect(client, pc)
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not User.objects.exists()


def test_agents_of_an_allowed_siret_get_an_account(client, pc, settings):
    settings.PROCONNECT_SELF_PROVISIONING_SIRETS = [SIRET]
    assert sign_in_with_proconnect(client, pc).status_code == 302
    user = User.objects.get(proconnect_sub=pc.sub)
    assert (user.email, user.first_name, user.last_name) == (AGENT_EMAIL, "Théo", "Marchand")
    assert not user.has_usable_password()
    assert not user.memberships.exists()  # an administrator gives the role
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_as(client) == str(user.pk)


def test_another_siret_gets_no_account(client, pc, settings):
    settings.PROCONNECT_SELF_PROVISIONING_SIRETS = ["11111111111111"]
    assert sign_in_with_proconnect(client, pc).status_code == 403
    assert not User.objects.exists()


def test_an_agent_with_totp_is_asked_for_it(client, pc):
    user = agent(proconnect_sub=pc.sub)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = sign_in_with_proconnect(client, pc)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None


def test_an_agent_without_password_enrols_totp_right_after_a_proconnect_sign_in(client, pc):
    """A ProConnect agent has no password to re-authenticate with: the ProConnect sign-in
    counts as recent for the first TOTP activation (gru.accounts.AccountAdapter)."""
    user = agent(proconnect_sub=pc.sub, password=None)
    user.set_unusable_password()
    user.save()
    assert sign_in_with_proconnect(client, pc).status_code == 302
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_acr_is_required_when_configured(client, pc, settings):
    settings.PROCONNECT_ACR = "eidas2"
    agent(proconnect_sub=pc.sub)
    response = client.get(reverse("proconnect:login"))
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert query["acr_values"] == "eidas2"
    pc.nonce = query["nonce"]
    pc.id_token_claims["acr"] = "eidas1"
    back = client.get(reverse("proconnect:callback"), {"code": "c", "state": query["state"]})
    assert back.status_code == 400
    assert signed_in_as(client) is None


def test_without_an_issuer_proconnect_is_404(client, settings):
    settings.PROCONNECT_ISSUER = ""
    assert client.get(reverse("proconnect:login")).status_code == 404
    assert client.get(reverse("proconnect:callback")).status_code == 404
    assert "ProConnect" not in client.get(reverse("account_login")).content.decode()


def test_logout_goes_through_proconnect(client, pc):
    agent(proconnect_sub=pc.sub)
    sign_in_with_proconnect(client, pc)
    response = client.post(reverse("proconnect:logout"))
    assert response["Location"].startswith(f"{pc.issuer}/session/end?")
    assert signed_in_as(client) is None
