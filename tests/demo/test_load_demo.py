import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from citizens.duplicates import likely_duplicates
from citizens.models import Citizen, Organisation, Relationship, Representation
from demo import demo_data
from demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRET
from forms_builder.models import FormVersion, Procedure
from gru.models import Membership, Team, User
from service_requests.deadlines import implicit_decision_date
from service_requests.identifiers import is_reference
from service_requests.models import (
    DECIDED_STATES,
    Event,
    Interaction,
    Message,
    ServiceRequest,
    Status,
)
from service_requests.services import request_start_review

MODELS = [
    Team,
    User,
    Membership,
    Citizen,
    Organisation,
    Representation,
    Relationship,
    Procedure,
    FormVersion,
    ServiceRequest,
    Event,
    Message,
    Interaction,
]
# A second run must not even save unchanged rows: field history would grow.
HISTORIES = [model.history.model for model in (Team, Membership, Citizen, Procedure)]
FIELD_TYPES = {
    "text", "textarea", "email", "phone", "date", "choice", "multichoice", "yesno", "file",
    "address", "siret", "rna", "integer", "decimal",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _demo_settings(settings):
    settings.DEBUG = True  # the command refuses to run otherwise
    # Hashing a dozen passwords with the production hasher would make each test seconds long.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts(models=MODELS + HISTORIES) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load()
    first = counts()
    snapshot = list(ServiceRequest.objects.order_by("reference").values())
    output = load()
    assert counts() == first
    assert list(ServiceRequest.objects.order_by("reference").values()) == snapshot
    assert "Rien à changer" in output


@pytest.mark.django_db
def test_a_demo_row_changed_by_an_agent_is_put_back_without_crashing():
    load()
    Team.objects.filter(slug="voirie").update(name="Voirie et propreté", phone="")
    Procedure.objects.filter(slug="acte-etat-civil").update(silence_delay="P2M")
    theo = User.objects.get(email="theo.marchand@ville-demo.invalid")
    request_start_review(request=ServiceRequest.objects.get(reference="D3M0-4K7Q"), actor=theo)
    before = counts(MODELS)

    output = load()

    assert counts(MODELS) == before
    voirie = Team.objects.get(slug="voirie")
    assert (voirie.name, voirie.phone) == ("Voirie", "01 00 00 00 20")
    assert Procedure.objects.get(slug="acte-etat-civil").silence_delay == "P1M"
    # Requests belong to whoever works them once loaded.
    assert ServiceRequest.objects.get(reference="D3M0-4K7Q").status == Status.IN_REVIEW
    assert "mises à jour : 2" in output


@pytest.mark.django_db
def test_a_database_loaded_by_an_older_demo_gets_the_new_form_as_a_new_version():
    load()
    procedure = Procedure.objects.get(slug="signalement-voirie")
    current = procedure.versions.get(number=1)
    # An older demo published another form as version 1 (published versions never change,
    # so the test makes the older state by hand: a version 2 with the old form).
    old_schema = {"version": 1, "pages": [{"id": "ancien", "title": "Ancien", "fields": []}]}
    FormVersion.objects.create(
        procedure=procedure,
        number=2,
        schema=old_schema,
        silence_rule=current.silence_rule,
        silence_delay=current.silence_delay,
        published_at=timezone.now(),
    )

    load()

    latest = procedure.versions.order_by("-number").first()
    assert latest.number == 3
    assert latest.schema == current.schema
    assert latest.published_at is not None
    assert procedure.versions.get(number=2).schema == old_schema
    load()
    assert procedure.versions.count() == 3


@pytest.mark.django_db
def test_the_procedures_and_their_legal_frame():
    load()
    expected = {
        "signalement-voirie": ("report", "none", "none", "", "voirie"),
        "demande-information": ("information", "none", "none", "", "accueil"),
        "occupation-domaine-public": ("decision", "account", "rejection", "P2M", "voirie"),
        "subvention-association": ("grant", "account", "rejection", "P2M", "vie-associative"),
        "acte-etat-civil": ("decision", "none", "acceptance", "P1M", "etat-civil"),
        # Financial, filed without an account: silence is a rejection (L231-4 3°).
        "remise-gracieuse": ("decision", "none", "rejection", "P2M", "finances"),
        # A drinks stall at a fête, filed for an association: silence is an acceptance.
        "buvette-temporaire": ("decision", "account", "acceptance", "P2M", "vie-associative"),
    }
    procedures = Procedure.objects.select_related("default_team")
    actual = {
        p.slug: (p.kind, p.identification, p.silence_rule, p.silence_delay, p.default_team.slug)
        for p in procedures
    }
    assert actual == expected
    for slug in ("subvention-association", "buvette-temporaire"):
        assert Procedure.objects.get(slug=slug).audiences == ["associations"]
    types_used = set()
    for procedure in procedures:
        assert procedure.is_published
        assert procedure.title and procedure.summary and procedure.description
        version = procedure.versions.get()
        assert version.number == 1 and version.is_published
        assert (version.silence_rule, version.silence_delay) == (
            procedure.silence_rule,
            procedure.silence_delay,
        )
        assert version.schema["version"] == 1
        fields = [f for page in version.schema["pages"] for f in page["fields"]]
        # Static blocks (a section's heading, a notice) take no answer.
        answered = [f for f in fields if f["type"] not in {"section", "info"}]
        assert all({"id", "type", "label", "required"} <= set(f) for f in answered)
        assert all(f["options"] for f in fields if f["type"] in {"choice", "multichoice"})
        types_used |= {f["type"] for f in fields}
    assert types_used - {"section", "info"} == FIELD_TYPES


@pytest.mark.django_db
def test_every_role_and_the_teams():
    load()
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
    assert Team.objects.get(slug="accueil").kind == Team.Kind.ONE_STOP_SHOP
    assert Team.objects.filter(kind=Team.Kind.BUSINESS).count() == 5
    for slug in ("voirie", "etat-civil", "finances"):
        roles = set(Membership.objects.filter(team__slug=slug).values_list("role", flat=True))
        assert {"instructor", "team_manager"} <= roles
    admin = User.objects.get(memberships__role=Membership.Role.ADMINISTRATOR)
    assert admin.is_staff and admin.is_superuser
    assert User.objects.filter(is_superuser=True).count() == 1
    assert all(user.job_title for user in User.objects.filter(memberships__isnull=False))


@pytest.mark.django_db
def test_citizens_the_association_and_the_company():
    load()
    kinds = {
        r.organisation.kind: r
        for r in Representation.objects.select_related("organisation", "citizen")
    }
    assert set(kinds) == {Organisation.Kind.ASSOCIATION, Organisation.Kind.COMPANY}
    assert all(r.role == Representation.Role.LEGAL_REPRESENTATIVE for r in kinds.values())
    assert kinds[Organisation.Kind.ASSOCIATION].organisation.rna.startswith("W")
    assert len(kinds[Organisation.Kind.COMPANY].organisation.siret) == 14
    link = Relationship.objects.get()
    assert link.kind == Relationship.Kind.PARENT and link.to_citizen.user is None
    # The likely duplicate the front desk merges in the demo.
    germaine = Citizen.objects.get(usage_name="Besson")
    candidates = likely_duplicates(
        given_names="Germaine",
        family_name="Besson",
        birth_date=germaine.birth_date,
        phone="01 00 11 22 33",
        exclude=Citizen.objects.get(family_name="Besson"),
    )
    assert [c.citizen for c in candidates] == [germaine]
    # Contacts are logged with a motive and an outcome; one caller stayed anonymous.
    contacts = Interaction.objects.select_related("motive")
    assert all(c.motive and c.outcome for c in contacts)
    anonymous = contacts.get(citizen__isnull=True, request__isnull=True)
    assert anonymous.caller and anonymous.duration_minutes
    fc = Citizen.objects.get(identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT)
    assert fc.franceconnect_sub and fc.user
    assisted = Citizen.objects.get(needs_assistance=True)
    assert assisted.user is None
    assert Interaction.objects.filter(citizen=assisted).count() == 2
    assert Citizen.objects.filter(user__isnull=False).count() == 4


@pytest.mark.django_db
def test_requests_across_statuses_channels_and_dates():
    load()
    requests = ServiceRequest.objects.all()
    assert len({r.status for r in requests}) >= 6
    assert {"web", "counter", "phone", "mail"} <= {r.channel for r in requests}
    today = timezone.localdate()
    for request in requests:
        assert is_reference(request.reference)
        if request.status == Status.DRAFT:
            assert not request.events.exists()
            continue
        assert request.team == request.procedure.default_team
        assert today - timedelta(days=92) <= request.received_on <= today
        assert request.events.first().kind == Event.Kind.SUBMITTED
        if request.status in DECIDED_STATES:
            assert request.received_on <= request.decided_on <= today
        else:  # open, closed without a decision, withdrawn
            assert request.decided_on is None
    counter = requests.get(channel="counter")
    assert counter.filed_by.memberships.get().role == Membership.Role.FRONT_DESK
    assert counter.citizen.needs_assistance
    assert requests.filter(citizen__isnull=True).exclude(contact_email="").exists()
    assert Message.objects.filter(direction="to_citizen").exists()
    assert Message.objects.filter(direction="from_citizen").exists()


@pytest.mark.django_db
def test_implicit_acceptance_and_its_timeline():
    load()
    request = ServiceRequest.objects.get(status=Status.ACCEPTED_IMPLICITLY)
    assert request.decided_on == request.decision_due_on
    assert request.decision_due_on == implicit_decision_date(
        received_on=request.received_on, rule="acceptance", delay="P1M"
    )
    assert request.events.last().kind == Event.Kind.IMPLICIT_DECISION
    # The story is dated when it happened, not when it was loaded.
    assert timezone.localtime(request.events.first().created_at).date() == request.received_on


@pytest.mark.django_db
def test_output_lists_every_account_and_the_password():
    output = load()
    assert "Données de démonstration chargées" in output
    assert "6 équipes" in output and "7 démarches" in output
    assert DEMO_PASSWORD in output
    for email in User.objects.values_list("email", flat=True):
        assert email in output
    assert len(DEMO_PASSWORD) >= 12


@pytest.mark.django_db
def test_demo_accounts_log_in_and_the_administrator_reaches_the_admin(client):
    load()
    admin = User.objects.get(memberships__role=Membership.Role.ADMINISTRATOR)
    # The admin's login is allauth's: password, then the code of the published demo secret.
    response = client.post(
        "/compte/login/?next=/admin/", {"login": admin.email, "password": DEMO_PASSWORD}
    )
    assert response["Location"] == "/compte/2fa/authenticate/"
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    response = client.post("/compte/2fa/authenticate/", {"code": code})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())


@pytest.mark.django_db
def test_every_demo_account_has_a_verified_primary_address():
    load()
    for user in User.objects.all():
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.verified, address.primary) == (user.email, True, True)
    # A citizen logs in with the password alone.
    citizen = User.objects.get(email="helene.garnier@exemple.invalid")
    assert not Authenticator.objects.filter(user=citizen).exists()


@pytest.mark.django_db
def test_every_demo_agent_has_the_published_totp_secret_and_recovery_codes():
    output = load()
    assert DEMO_TOTP_SECRET in output
    agents = User.objects.filter(memberships__isnull=False).distinct()
    assert agents.count() == len(demo_data.AGENTS)
    for agent in agents:
        totp = Authenticator.objects.get(user=agent, type=Authenticator.Type.TOTP)
        assert decrypt(totp.data["secret"]) == DEMO_TOTP_SECRET
        assert Authenticator.objects.filter(
            user=agent, type=Authenticator.Type.RECOVERY_CODES
        ).exists()


@pytest.mark.django_db
def test_a_changed_totp_secret_is_put_back_and_a_second_run_writes_nothing():
    load()
    agent = User.objects.get(email="theo.marchand@ville-demo.invalid")
    Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).update(
        data={"secret": "AAAAAAAAAAAAAAAA"}
    )
    EmailAddress.objects.filter(user=agent).update(verified=False)
    load()
    totp = Authenticator.objects.get(user=agent, type=Authenticator.Type.TOTP)
    assert decrypt(totp.data["secret"]) == DEMO_TOTP_SECRET
    assert EmailAddress.objects.get(user=agent).verified
    counts = (Authenticator.objects.count(), EmailAddress.objects.count())
    assert "Rien à changer" in load()
    assert (Authenticator.objects.count(), EmailAddress.objects.count()) == counts


@pytest.mark.django_db
def test_kept_passwords_are_reset_on_request():
    load()
    user = User.objects.get(email="theo.marchand@ville-demo.invalid")
    user.set_password("un-autre-mot-de-passe")
    user.save()
    load()
    user.refresh_from_db()
    assert not user.check_password(DEMO_PASSWORD)
    load("--reset-passwords")
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_refuses_outside_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        load()
    assert not Team.objects.exists()
    load("--force")
    assert Team.objects.count() == 6


def test_the_readme_publishes_the_demo_totp_secret():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert DEMO_TOTP_SECRET in readme


@pytest.mark.django_db
def test_the_demo_leaves_no_agent_news_to_send():
    """Its assignments and citizens' answers happened in the past: no morning digest tells
    them."""
    from service_requests.models import AgentNotification

    load()
    assert AgentNotification.objects.exists()
    assert not AgentNotification.objects.filter(state=AgentNotification.State.PENDING).exists()


@pytest.mark.django_db
def test_the_demo_leaves_nothing_in_the_outbox_for_the_worker_to_send():
    """The services wrote receipts and emails to send in the outbox: the loader drops them
    with the rest of its side effects, or beat's catch-up would email the demo's past."""
    from service_requests.models import OutboxMessage

    load()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_new_procedures_have_requests_played_through_the_services():
    load()
    waiver = ServiceRequest.objects.filter(procedure__slug="remise-gracieuse")
    # One filed without an account (a contact address only), one rejected by silence.
    anonymous = waiver.get(citizen__isnull=True)
    assert anonymous.contact_email and anonymous.assignee.memberships.get().team.slug == "finances"
    rejected = waiver.get(status=Status.REJECTED_IMPLICITLY)
    assert (
        rejected.decided_on
        == rejected.decision_due_on
        == implicit_decision_date(received_on=rejected.received_on, rule="rejection", delay="P2M")
    )
    stall = ServiceRequest.objects.get(procedure__slug="buvette-temporaire")
    assert stall.organisation.rna == demo_data.ASSOCIATION_RNA
    assert stall.citizen.user is not None and stall.decision_due_on is not None
