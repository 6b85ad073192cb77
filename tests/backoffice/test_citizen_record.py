"""The 360° view of a citizen, the edit of their record and an organisation's page, through HTTP
as agents use them: who may open them, what each role reads (another team's internal notes left
out), the access log, merged records, the query count, and the edit's refusals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from citizens.models import Citizen, Relationship
from citizens.services import citizen_update_by_agent
from gru.models import AccessLog, Membership
from service_requests.models import Document, Event, Status
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    InteractionFactory,
    MembershipFactory,
    MessageFactory,
    OrganisationFactory,
    ProcedureFactory,
    RepresentationFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role


def agent(team, role=Role.INSTRUCTOR, **names):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(**names)
    MembershipFactory(user=user, team=team, role=role)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def voirie():
    return TeamFactory(name="Voirie", slug="voirie")


@pytest.fixture
def etat_civil():
    return TeamFactory(name="État civil", slug="etat-civil")


@pytest.fixture
def helene():
    return CitizenFactory(
        given_names="Hélène",
        family_name="Garnier",
        email="helene@exemple.fr",
        phone="06 12 34 56 78",
        birth_date=date(1980, 3, 14),
    )


def filed(team, citizen, **extra):
    version = FormVersionFactory(procedure=ProcedureFactory(default_team=team))
    return ServiceRequestFactory(form_version=version, team=team, citizen=citizen, **extra)


def page(client, citizen, **params):
    return client.get(reverse("backoffice:citizen", args=[citizen.pk]), params)


# --- Who may open it -----------------------------------------------------------------------

ANSWERS = {
    "front_desk": 200,
    "instructor": 200,
    "team_manager": 200,
    "administrator": 404,
    "dpo": 404,
    "official": 404,
    "citizen": 404,
}


@pytest.mark.parametrize("role", list(ANSWERS))
def test_who_opens_the_record_its_edit_and_an_organisation(client, voirie, helene, role):
    if role == "citizen":
        client.force_login(UserFactory(email="usager@exemple.fr"))
    else:
        client.force_login(agent(voirie, role))
    representation = RepresentationFactory(citizen=helene)
    urls = [
        reverse("backoffice:citizen", args=[helene.pk]),
        reverse("backoffice:citizen_edit", args=[helene.pk]),
        reverse("backoffice:organisation", args=[representation.organisation_id]),
    ]
    assert [client.get(url).status_code for url in urls] == [ANSWERS[role]] * 3
    if ANSWERS[role] == 404:
        data = {**form_data(helene), "given_names": "Intrus"}
        assert client.post(urls[1], data).status_code == 404
        helene.refresh_from_db()
        assert helene.given_names == "Hélène"
        assert not AccessLog.objects.exists()


@pytest.mark.parametrize("name", ["backoffice:citizen", "backoffice:citizen_edit"])
def test_anonymous_visitors_are_sent_to_the_login(client, helene, name):
    response = client.get(reverse(name, args=[helene.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_citizen_or_organisation_is_a_404(client, voirie):
    client.force_login(agent(voirie, Role.FRONT_DESK))
    assert client.get(reverse("backoffice:citizen", args=[999999])).status_code == 404
    assert client.get(reverse("backoffice:organisation", args=[999999])).status_code == 404


def test_each_opening_is_in_the_access_log(client, voirie, helene):
    theo = agent(voirie)
    client.force_login(theo)
    assert page(client, helene).status_code == 200
    assert page(client, helene, entrees=100).status_code == 200
    client.get(reverse("backoffice:citizen_edit", args=[helene.pk]))
    entries = AccessLog.objects.filter(user=theo)
    assert [(e.action, e.citizen_id) for e in entries] == [("view_citizen", helene.pk)] * 3


def test_the_buttons_follow_the_rights(client, voirie, helene):
    client.force_login(agent(voirie, Role.INSTRUCTOR))
    html = page(client, helene).content.decode()
    assert reverse("backoffice:citizen_edit", args=[helene.pk]) in html
    assert reverse("backoffice:citizen_contact", args=[helene.pk]) in html
    assert reverse("backoffice:file_choose", args=[helene.pk]) in html
    for label in ("Modifier les coordonnées", "Consigner un contact", "Déposer une demande"):
        assert label in html


# --- What it shows, and what it leaves out ---------------------------------------------------


def test_another_teams_internal_note_is_left_out_and_its_request_not_linked(
    client, voirie, etat_civil, helene
):
    ours = filed(voirie, helene)
    theirs = filed(etat_civil, helene, decision_due_on=date(2031, 5, 17))
    EventFactory(request=theirs, kind=Event.Kind.SUBMITTED, payload={"channel": "web"})
    EventFactory(
        request=theirs,
        kind=Event.Kind.NOTE,
        visibility=Event.Visibility.INTERNAL,
        payload={"text": "Dossier sensible de l'état civil"},
    )
    EventFactory(
        request=ours,
        kind=Event.Kind.NOTE,
        visibility=Event.Visibility.INTERNAL,
        payload={"text": "Note de la voirie"},
    )
    InteractionFactory(citizen=helene, summary="Appel au sujet du stationnement")
    MessageFactory(request=theirs, body="Quand aurai-je la copie de mon acte ?")
    client.force_login(agent(voirie))
    html = page(client, helene).content.decode()
    assert "Dossier sensible de l&#x27;état civil" not in html
    assert "Note de la voirie" in html  # the agent's own team's
    assert "Demande déposée (canal : En ligne)." in html  # citizen-visible, other team
    assert "Appel au sujet du stationnement" in html
    assert "Quand aurai-je la copie de mon acte ?" in html
    # Both requests listed with their legal date; only ours links to its case screen.
    assert theirs.reference in html and "17/05/2031" in html
    assert reverse("backoffice:case", args=[ours.reference]) in html
    assert reverse("backoffice:case", args=[theirs.reference]) not in html

    # The front desk opens every team's case, read-only, but reads no other team's notes.
    client.force_login(agent(voirie, Role.FRONT_DESK))
    html = page(client, helene).content.decode()
    assert reverse("backoffice:case", args=[theirs.reference]) in html
    assert "Dossier sensible de l&#x27;état civil" not in html


def test_an_internal_document_of_another_team_is_left_out(client, voirie, etat_civil, helene):
    theirs = filed(etat_civil, helene)
    for name, visible in (("piece-visible.pdf", True), ("piece-interne.pdf", False)):
        Document.objects.create(
            request=theirs,
            file=ContentFile(b"%PDF-1.4", name=name),
            original_name=name,
            content_type="application/pdf",
            size=8,
            sha256="0" * 64,
            visible_to_citizen=visible,
        )
    client.force_login(agent(voirie))
    html = page(client, helene).content.decode()
    assert "piece-visible.pdf" in html
    assert "piece-interne.pdf" not in html
    client.force_login(agent(etat_civil))
    assert "piece-interne.pdf" in page(client, helene).content.decode()


def test_identity_contacts_household_and_organisations(client, voirie, helene):
    helene.needs_assistance = True
    helene.identity_assurance = Citizen.IdentityAssurance.COUNTER
    helene.save()
    child = CitizenFactory(given_names="Léo", family_name="Garnier")
    mother = CitizenFactory(given_names="Odette", family_name="Roux")
    Relationship.objects.create(from_citizen=helene, to_citizen=child, kind="parent")
    Relationship.objects.create(from_citizen=mother, to_citizen=helene, kind="parent")
    RepresentationFactory(
        citizen=helene, organisation=OrganisationFactory(name="Les Amis du Parc"), role="officer"
    )
    client.force_login(agent(voirie, Role.FRONT_DESK))
    html = page(client, helene).content.decode()
    for text in (
        "Identité vérifiée au guichet",
        "A besoin d&#x27;accompagnement",
        "06 12 34 56 78",
        "helene@exemple.fr",
        "14 mars 1980",
        "Parent de",
        "Léo Garnier",
        "Enfant de",
        "Odette Roux",
        "Les Amis du Parc",
        "Membre du bureau",
        "Courrier postal" if helene.preferred_channel == "mail" else "Courriel",
    ):
        assert text in html, text


def test_a_merged_record_redirects_to_the_one_kept(client, voirie, helene):
    tombstone = CitizenFactory(given_names="Helene", family_name="Garnier", merged_into=helene)
    client.force_login(agent(voirie, Role.FRONT_DESK))
    response = page(client, tombstone)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:citizen", args=[helene.pk])
    response = client.get(response["Location"])
    assert f"La fiche n° {tombstone.pk} a été fusionnée dans celle-ci" in response.content.decode()
    edit = client.get(reverse("backoffice:citizen_edit", args=[tombstone.pk]))
    assert edit["Location"] == reverse("backoffice:citizen_edit", args=[helene.pk])
    # The tombstone's opening showed nothing: only the record kept is in the log.
    assert set(AccessLog.objects.values_list("citizen_id", flat=True)) == {helene.pk}


def test_the_timeline_is_bounded_with_a_way_to_see_more(client, voirie, helene):
    now = timezone.now()
    for n in range(30):
        InteractionFactory(
            citizen=helene, summary=f"Contact numéro {n}.", occurred_at=now - timedelta(hours=n)
        )
    client.force_login(agent(voirie))
    html = page(client, helene).content.decode()
    assert "Contact numéro 0." in html and "Contact numéro 24." in html
    assert "Contact numéro 25." not in html
    assert "?entrees=50" in html
    html = page(client, helene, entrees=50).content.decode()
    assert "Contact numéro 29." in html and "?entrees=75" not in html


@pytest.mark.parametrize("count", [2, 20])
def test_the_view_costs_the_same_queries_whatever_the_history(
    client, voirie, etat_civil, helene, count, django_assert_num_queries
):
    organisation = RepresentationFactory(citizen=helene).organisation
    for n in range(count):
        request = filed(voirie if n % 2 else etat_civil, helene, organisation=organisation)
        EventFactory(request=request, payload={"channel": "web"})
        EventFactory(request=request, kind=Event.Kind.NOTE, payload={"text": "note"})
        MessageFactory(request=request)
        InteractionFactory(citizen=helene, request=request)
        Relationship.objects.create(from_citizen=helene, to_citizen=CitizenFactory(), kind="parent")
    theo = agent(voirie)
    client.force_login(theo)
    page(client, helene)  # the session's first reads
    with django_assert_num_queries(15):
        assert page(client, helene).status_code == 200


# --- The edit --------------------------------------------------------------------------------


def form_data(citizen, **changes):
    data = {
        "given_names": citizen.given_names,
        "family_name": citizen.family_name,
        "usage_name": citizen.usage_name,
        "birth_date": citizen.birth_date.isoformat() if citizen.birth_date else "",
        "birth_place": citizen.birth_place,
        "birth_country": citizen.birth_country,
        "sex": citizen.sex,
        "email": citizen.email,
        "phone": citizen.phone,
        "street": citizen.street,
        "postcode": citizen.postcode,
        "city": citizen.city,
        "preferred_channel": citizen.preferred_channel,
        "reason": "Changement signalé au guichet",
    }
    if citizen.needs_assistance:
        data["needs_assistance"] = "on"
    if citizen.email_updates:
        data["email_updates"] = "on"
    data.update(changes)
    return data


def edit(client, citizen, data):
    return client.post(reverse("backoffice:citizen_edit", args=[citizen.pk]), data)


def test_an_agent_edits_contacts_and_the_history_says_who_and_why(client, voirie, helene):
    theo = agent(voirie, first_name="Théo", last_name="Marchand")
    client.force_login(theo)
    data = form_data(
        helene,
        phone="+33 6 98 76 54 32",
        street="3 rue des Lilas",
        postcode="75 011",
        needs_assistance="on",
        reason="Déménagement signalé par téléphone",
    )
    response = edit(client, helene, data)
    assert response.status_code == 302
    helene.refresh_from_db()
    assert (helene.phone, helene.street, helene.postcode) == (
        "06 98 76 54 32",
        "3 rue des Lilas",
        "75011",
    )
    assert helene.needs_assistance
    latest = helene.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        theo,
        "Déménagement signalé par téléphone",
    )
    html = client.get(response["Location"]).content.decode()
    assert "Déménagement signalé par téléphone" in html
    assert "Théo Marchand" in html
    assert "06 12 34 56 78" in html and "06 98 76 54 32" in html  # old and new


def test_the_reason_is_required(client, voirie, helene):
    client.force_login(agent(voirie))
    response = edit(client, helene, form_data(helene, phone="0698765432", reason="   "))
    assert response.status_code == 400
    assert "Indiquez le motif de la modification." in response.content.decode()
    helene.refresh_from_db()
    assert helene.phone == "06 12 34 56 78"


def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(client, voirie, helene):
    client.force_login(agent(voirie))
    before = helene.history.count()
    data = form_data(
        helene,
        given_names="",
        phone="12",
        postcode="ABC",
        email="pas-une-adresse",
        birth_date=(timezone.localdate() + timedelta(days=3)).isoformat(),
        city="Lyon",
    )
    response = edit(client, helene, data)
    assert response.status_code == 400
    html = response.content.decode()
    for message in (
        "Indiquez les prénoms de l&#x27;usager.",
        "Saisissez un numéro de téléphone français",
        "Saisissez un code postal à 5 chiffres",
        "Saisissez une adresse électronique valide",
        "La date de naissance ne peut pas être dans le futur.",
    ):
        assert message in html, message
    assert 'aria-invalid="true"' in html and "error-summary" in html
    helene.refresh_from_db()
    assert (helene.city, helene.phone) == ("Paris", "06 12 34 56 78")
    assert helene.history.count() == before


def test_certified_identity_is_read_only_even_if_posted(client, voirie):
    certified = CitizenFactory(
        given_names="Jeanne",
        family_name="Durand",
        birth_date=date(1975, 1, 2),
        identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT,
        franceconnect_sub="sub-abc",
    )
    client.force_login(agent(voirie, Role.FRONT_DESK))
    form = client.get(reverse("backoffice:citizen_edit", args=[certified.pk])).content.decode()
    assert 'name="given_names"' not in form and 'name="identity_checked"' not in form
    assert "Jeanne" in form and "Certifiée par FranceConnect" in form
    data = form_data(
        certified,
        given_names="Jeannette",
        family_name="Dupont",
        birth_date="1990-01-01",
        usage_name="Martin",
        identity_checked="on",
        identity_assurance="counter",
    )
    assert edit(client, certified, data).status_code == 302
    certified.refresh_from_db()
    assert (certified.given_names, certified.family_name, certified.birth_date) == (
        "Jeanne",
        "Durand",
        date(1975, 1, 2),
    )
    assert certified.usage_name == "Martin"  # not certified: the agent may change it
    assert certified.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT


def test_an_agent_who_saw_an_id_sets_counter_assurance(client, voirie, helene):
    client.force_login(agent(voirie, Role.FRONT_DESK))
    data = form_data(helene, identity_checked="on", reason="Carte d'identité présentée")
    assert edit(client, helene, data).status_code == 302
    helene.refresh_from_db()
    assert helene.identity_assurance == Citizen.IdentityAssurance.COUNTER
    html = page(client, helene).content.decode()
    assert "Carte d&#x27;identité présentée" in html
    assert "Déclarée par l&#x27;usager" in html and "Vérifiée au guichet" in html


def test_only_what_the_agent_changed_is_written(client, voirie, helene):
    client.force_login(agent(voirie))
    shown = form_data(helene)  # the form as the agent opened it, with the values it showed
    data = {**shown, **{f"initial-{k}": v for k, v in shown.items() if k != "reason"}}
    # Meanwhile, a colleague records the citizen's move to Lyon.
    colleague = agent(voirie)
    citizen_update_by_agent(
        citizen=helene,
        actor=colleague,
        changes={"postcode": "69001", "city": "Lyon"},
        reason="Déménagement",
    )
    assert edit(client, helene, {**data, "phone": "07 11 22 33 44"}).status_code == 302
    helene.refresh_from_db()
    assert (helene.phone, helene.postcode, helene.city) == ("07 11 22 33 44", "69001", "Lyon")


def test_the_service_refuses_what_no_agent_may_write(voirie):
    certified = CitizenFactory(
        given_names="Jeanne",
        identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT,
        franceconnect_sub="sub-xyz",
    )
    theo = agent(voirie)
    changed = citizen_update_by_agent(
        citizen=certified,
        actor=theo,
        changes={
            "given_names": "Autre",
            "identity_assurance": "declared",
            "franceconnect_sub": "forged",
            "user": None,
            "phone": "06 00 00 00 01",
        },
        reason="Essai",
    )
    assert changed == ["phone"]
    certified.refresh_from_db()
    assert (certified.given_names, certified.identity_assurance, certified.franceconnect_sub) == (
        "Jeanne",
        "franceconnect",
        "sub-xyz",
    )
    declared = CitizenFactory()
    changed = citizen_update_by_agent(
        citizen=declared, actor=theo, changes={"identity_assurance": "franceconnect"}, reason="x"
    )
    assert changed == []
    with pytest.raises(ValidationError):
        citizen_update_by_agent(citizen=declared, actor=theo, changes={"phone": ""}, reason=" ")
    tombstone = CitizenFactory(merged_into=declared)
    with pytest.raises(ValidationError):
        citizen_update_by_agent(
            citizen=tombstone, actor=theo, changes={"phone": "06 00 00 00 02"}, reason="x"
        )


def test_nothing_changed_writes_no_history(client, voirie, helene):
    client.force_login(agent(voirie))
    before = helene.history.count()
    response = edit(client, helene, form_data(helene))
    assert response.status_code == 302
    assert helene.history.count() == before


# --- Organisations ---------------------------------------------------------------------------


def test_an_organisations_page_lists_its_representatives_and_requests(
    client, voirie, etat_civil, helene
):
    association = OrganisationFactory(name="Comité des fêtes", rna="W751234567")
    RepresentationFactory(citizen=helene, organisation=association)
    treasurer = CitizenFactory(given_names="Marc", family_name="Petit")
    RepresentationFactory(citizen=treasurer, organisation=association, role="officer")
    by_helene = filed(voirie, helene, organisation=association)
    by_marc = filed(etat_civil, treasurer, organisation=association)
    own = filed(voirie, helene)
    client.force_login(agent(voirie, Role.FRONT_DESK))
    response = client.get(reverse("backoffice:organisation", args=[association.pk]))
    html = response.content.decode()
    assert "Comité des fêtes" in html and "W751234567" in html
    assert reverse("backoffice:citizen", args=[helene.pk]) in html
    assert reverse("backoffice:citizen", args=[treasurer.pk]) in html
    assert by_helene.reference in html and by_marc.reference in html
    assert own.reference not in html
    # Not a read of a citizen's record: nothing in the log.
    assert not AccessLog.objects.exists()
    # The organisation's requests are on its representative's page too, with who filed them.
    html = page(client, helene).content.decode()
    assert by_helene.reference in html and by_marc.reference in html and own.reference in html
    assert "pour le compte de Comité des fêtes" in html
    assert reverse("backoffice:organisation", args=[association.pk]) in html


def test_the_case_screen_links_to_the_citizens_record(client, voirie, helene):
    request = filed(voirie, helene, status=Status.SUBMITTED)
    client.force_login(agent(voirie))
    html = client.get(reverse("backoffice:case", args=[request.reference])).content.decode()
    assert reverse("backoffice:citizen", args=[helene.pk]) in html


def test_the_citizens_profile_shows_the_organisations_they_represent(client, helene):
    user = UserFactory(email="helene.compte@exemple.fr")
    helene.user = user
    helene.save()
    RepresentationFactory(citizen=helene, organisation=OrganisationFactory(name="Les Jardins"))
    client.force_login(user)
    html = client.get(reverse("citizens:profile")).content.decode()
    assert "Les Jardins" in html


def test_a_request_without_an_implicit_decision_date_says_why(client, voirie, helene):
    report = ProcedureFactory(
        default_team=voirie, kind="report", silence_rule="none", silence_delay=""
    )
    version = FormVersionFactory(procedure=report)
    ServiceRequestFactory(form_version=version, team=voirie, citizen=helene)
    client.force_login(agent(voirie))
    assert "pas de décision implicite" in page(client, helene).content.decode()
