"""Logging a contact through HTTP, as an agent does it: from a citizen's record or for an
anonymous caller; who may (a 404 for the others), bad input (400, French message, nothing
written), and the day's contacts per channel on the front desk's landing."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from gru.models import AccessLog, Membership
from service_requests.models import Event, Interaction, InteractionMotive, Status
from tests.factories import (
    CitizenFactory,
    InteractionFactory,
    MembershipFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
ROLES = ["front_desk", "instructor", "team_manager", "administrator", "dpo", "official"]


def login(client, user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)


@pytest.fixture
def team():
    return TeamFactory(name="Guichet unique", slug="guichet")


@pytest.fixture
def users(team):
    found = {}
    for role in ROLES:
        found[role] = UserFactory(email=f"{role}@ville-demo.invalid")
        MembershipFactory(user=found[role], team=team, role=role)
    return found


@pytest.fixture
def citizen():
    return CitizenFactory(given_names="Hélène", family_name="Garnier")


@pytest.fixture
def motive():
    return InteractionMotive.objects.get(label="État civil (naissance, mariage, PACS, décès)")


def contact_url(citizen):
    return reverse("backoffice:citizen_contact", args=[citizen.pk])


ANONYMOUS_URL = "/agents/contacts/nouveau/"


def valid(chosen, **fields):
    return {
        "channel": "phone",
        "direction": "inbound",
        "motive": chosen.pk,
        "summary": "Demande un acte de naissance : envoyé en ligne avec elle.",
        "duration_minutes": "6",
        "outcome": "answered",
        **fields,
    }


# role → (GET the citizen's form, POST it, GET the anonymous form, POST it)
MATRIX = {
    "front_desk": (200, 302, 200, 302),
    "instructor": (200, 302, 200, 302),
    "team_manager": (200, 302, 200, 302),
    "administrator": (404, 404, 404, 404),
    "dpo": (404, 404, 404, 404),
    "official": (404, 404, 404, 404),
    "citizen": (404, 404, 404, 404),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_who_may_log_a_contact(client, users, citizen, motive, role):
    if role == "citizen":
        client.force_login(UserFactory(email="usager@exemple.fr"))
    else:
        login(client, users[role])
    got = (
        client.get(contact_url(citizen)).status_code,
        client.post(contact_url(citizen), valid(motive)).status_code,
        client.get(ANONYMOUS_URL).status_code,
        client.post(ANONYMOUS_URL, valid(motive, caller="Mme Y")).status_code,
    )
    assert got == MATRIX[role]
    written = sum(1 for status in MATRIX[role] if status == 302)
    assert Interaction.objects.count() == written


def test_a_staff_user_without_the_right_gets_a_404(client, admin_user, citizen):
    client.force_login(admin_user)
    assert client.get(contact_url(citizen)).status_code == 404
    assert client.get(ANONYMOUS_URL).status_code == 404


@pytest.mark.parametrize("url", ["/agents/usagers/1/contact/", ANONYMOUS_URL])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not Interaction.objects.exists()


def test_a_merged_record_sends_to_the_kept_one_and_an_unknown_one_is_a_404(
    client, users, citizen, motive
):
    login(client, users["front_desk"])
    tombstone = CitizenFactory(merged_into=citizen)
    # A stale link opens the form of the record kept.
    response = client.get(contact_url(tombstone))
    assert response.status_code == 302 and response.url == contact_url(citizen)
    # A form drawn before the merge and posted after: refused in French, what was typed kept.
    response = client.post(contact_url(tombstone), valid(motive))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cette fiche a été fusionnée avec une autre" in html
    assert "Demande un acte de naissance : envoyé en ligne avec elle." in html
    assert client.get("/agents/usagers/999999/contact/").status_code == 404
    assert client.post("/agents/usagers/999999/contact/", valid(motive)).status_code == 404
    assert not Interaction.objects.exists()


def test_the_form_opens_on_the_summary_with_the_phone_and_inbound_chosen(
    client, users, citizen, team
):
    login(client, users["front_desk"])
    mine = ServiceRequestFactory(citizen=citizen)
    ServiceRequestFactory(citizen=citizen, status=Status.DRAFT)
    theirs = ServiceRequestFactory(citizen=CitizenFactory())
    response = client.get(contact_url(citizen))
    html = response.content.decode()
    assert "Consigner un contact avec Hélène Garnier" in html
    assert 'name="summary"' in html and "autofocus" in html
    assert 'type="radio" name="channel" value="phone"' in html
    assert 'value="phone" required id="id_channel_1" checked' in html
    assert 'value="inbound" required id="id_direction_0" checked' in html
    assert html.count("<legend") == 3  # channel, direction, outcome: fieldsets for the radios
    assert mine.reference in html and theirs.reference not in html
    motives = InteractionMotive.objects.filter(is_active=True).count()
    assert html.count("<option") == motives + 1 + 2  # « choisir », « aucune » and `mine`
    # The page lists the citizen's requests: a read of their data, in the access log.
    assert AccessLog.objects.filter(
        user=users["front_desk"], action="view_citizen", citizen_id=citizen.pk
    ).exists()


def test_the_channel_offered_first_is_the_agents_last(client, users, citizen, team):
    login(client, users["front_desk"])
    InteractionFactory(agent=users["front_desk"], channel="counter", team=team)
    html = client.get(ANONYMOUS_URL).content.decode()
    assert 'value="counter" required id="id_channel_0" checked' in html


def test_a_contact_is_logged_then_the_360_view_opens_with_a_message(
    client, users, citizen, motive, team
):
    login(client, users["front_desk"])
    mine = ServiceRequestFactory(citizen=citizen)
    events = Event.objects.count()
    response = client.post(contact_url(citizen), valid(motive, request=mine.pk), follow=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:citizen", args=[citizen.pk])
    contact = Interaction.objects.get()
    assert (contact.citizen, contact.request, contact.agent, contact.team) == (
        citizen,
        mine,
        users["front_desk"],
        team,
    )
    assert (contact.channel, contact.direction, contact.motive, contact.outcome) == (
        "phone",
        "inbound",
        motive,
        "answered",
    )
    assert contact.duration_minutes == 6 and contact.caller == ""
    assert Event.objects.count() == events  # the contact is read from its own table
    flashed = [str(m) for m in response.wsgi_request._messages]
    assert flashed == ["Le contact (téléphone) est enregistré."]


def test_a_double_click_logs_one_contact(client, users, citizen, motive):
    """The form carries a key: the same POST twice (a double click, a replay) logs one contact
    and lands where the first did; a form drawn again gets a new key, another contact."""
    login(client, users["front_desk"])
    page = client.get(contact_url(citizen)).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page).group(1)
    data = valid(motive, idempotency_key=key)
    first = client.post(contact_url(citizen), data)
    again = client.post(contact_url(citizen), data)
    assert (first.status_code, again.status_code) == (302, 302)
    assert Interaction.objects.count() == 1
    assert client.post(contact_url(citizen), valid(motive, idempotency_key=uuid.uuid4()))
    assert Interaction.objects.count() == 2


BAD = [
    ({"summary": "  "}, "summary", "Résumez le contact en quelques mots."),
    ({"channel": ""}, "channel", "Choisissez le canal du contact."),
    ({"channel": "fax"}, "channel", "Choisissez le canal du contact dans la liste."),
    ({"direction": "sideways"}, "direction", "Indiquez qui a pris contact."),
    ({"motive": ""}, "motive", "Choisissez le motif du contact"),
    ({"duration_minutes": "601"}, "duration_minutes", "entre 0 et 600 minutes"),
    ({"duration_minutes": "-1"}, "duration_minutes", "entre 0 et 600 minutes"),
    ({"duration_minutes": "cinq"}, "duration_minutes", "Indiquez la durée en minutes"),
    ({"outcome": "peut-être"}, "outcome", "Choisissez la suite donnée dans la liste."),
    ({"summary": "x" * 5001}, "summary", "Le résumé dépasse 5000 caractères"),
]


@pytest.mark.parametrize(("fields", "name", "message"), BAD)
def test_bad_input_is_a_400_with_a_french_message_and_nothing_written(
    client, users, citizen, motive, fields, name, message
):
    login(client, users["instructor"])
    response = client.post(contact_url(citizen), valid(motive, **fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="alert alert--error error-summary"' in html
    assert f'href="#id_{name}' in html  # the summary's link to the field
    assert f'id="id_{name}_error"' in html  # the message next to the field
    assert "<title>Erreur : " in html
    assert not Interaction.objects.exists()


def test_a_deactivated_motive_is_refused(client, users, citizen, motive):
    login(client, users["front_desk"])
    motive.is_active = False
    motive.save()
    response = client.post(contact_url(citizen), valid(motive))
    assert response.status_code == 400
    assert "Ce motif n&#x27;est plus proposé" in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_request_of_another_citizen_is_refused(client, users, citizen, motive):
    login(client, users["front_desk"])
    theirs = ServiceRequestFactory(citizen=CitizenFactory())
    draft = ServiceRequestFactory(citizen=citizen, status=Status.DRAFT)
    for other in (theirs, draft):
        response = client.post(contact_url(citizen), valid(motive, request=other.pk))
        assert response.status_code == 400
        assert "Choisissez une demande de cet usager dans la liste." in response.content.decode()
    assert not Interaction.objects.exists()


def test_an_anonymous_caller_is_logged_and_the_agent_goes_back_to_the_landing(
    client, users, motive, team
):
    login(client, users["team_manager"])
    page = client.get(ANONYMOUS_URL).content.decode()
    assert 'name="caller"' in page and 'name="request"' not in page
    data = valid(motive, caller="M. X, n'a pas souhaité donner son nom", channel="counter")
    response = client.post(ANONYMOUS_URL, data)
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:home")
    contact = Interaction.objects.get()
    assert contact.citizen is None and contact.request is None
    assert contact.caller == "M. X, n'a pas souhaité donner son nom"
    assert (contact.channel, contact.team) == ("counter", team)
    landing = client.get(response["Location"]).content.decode()
    assert "Le contact (accueil physique) est enregistré." in landing


def test_an_anonymous_form_ignores_a_request_sent_anyway(client, users, motive):
    login(client, users["front_desk"])
    request = ServiceRequestFactory(citizen=CitizenFactory())
    response = client.post(ANONYMOUS_URL, valid(motive, request=request.pk))
    assert response.status_code == 302
    assert Interaction.objects.get().request is None


def test_the_front_desk_landing_shows_the_days_contacts_per_channel(client, users, team):
    login(client, users["front_desk"])
    now = timezone.now()
    for channel in ("phone", "phone", "phone", "counter", "email"):
        InteractionFactory(channel=channel, team=team, occurred_at=now)
    InteractionFactory(channel="sms", team=TeamFactory(slug="voirie"), occurred_at=now)
    InteractionFactory(channel="mail", team=team, occurred_at=now - timezone.timedelta(days=2))
    html = client.get(reverse("backoffice:home")).content.decode()
    assert "Contacts du jour" in html
    assert "5 contacts consignés aujourd'hui par l'équipe Guichet unique." in html
    rows = {
        "Téléphone": 3,
        "Accueil physique": 1,
        "Courriel": 1,
        "Courrier postal": 0,
        "SMS": 0,
        "Réseau social": 0,
    }
    for label, count in rows.items():
        assert f'<th scope="row">{label}</th><td>{count}</td>' in html
    assert f'href="{ANONYMOUS_URL}">Consigner un appel anonyme</a>' in html


@pytest.mark.parametrize("role", ["instructor", "dpo"])
def test_the_others_landing_shows_no_contact_counts(client, users, role):
    login(client, users[role])
    assert "Contacts du jour" not in client.get(reverse("backoffice:home")).content.decode()


def test_a_contact_about_a_request_appears_in_the_case_history(
    client, users, citizen, motive, team
):
    login(client, users["front_desk"])
    mine = ServiceRequestFactory(citizen=citizen, team=team)
    client.post(contact_url(citizen), valid(motive, request=mine.pk))
    login(client, users["instructor"])
    html = client.get(reverse("backoffice:case", args=[mine.reference])).content.decode()
    history = html[html.index('id="timeline-title"') :]
    assert (
        "Contact entrant (téléphone), État civil (naissance, mariage, PACS, décès) · Réponse "
        "donnée sur le moment · 6 min : Demande un acte de naissance : envoyé en ligne avec elle."
    ) in history
    assert "<strong>interne</strong>" in history
