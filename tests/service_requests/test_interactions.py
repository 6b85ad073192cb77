"""Logging a contact (`interaction_log`) and counting contacts per channel for the dashboards."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gru.models import Membership
from service_requests.interaction_stats import contacts_by_channel, day_bounds
from service_requests.models import Event, Interaction, InteractionMotive, Status
from service_requests.services.interactions import contact_team, interaction_log
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


@pytest.fixture
def desk():
    """A front desk agent who also instructs in a team whose name comes first."""
    user = UserFactory(first_name="Nadia", last_name="Benali")
    MembershipFactory(user=user, team=TeamFactory(name="Action sociale", slug="social"))
    MembershipFactory(
        user=user, team=TeamFactory(name="Guichet unique", slug="guichet"), role=Role.FRONT_DESK
    )
    return user


@pytest.fixture
def citizen():
    return CitizenFactory(given_names="Hélène", family_name="Garnier")


@pytest.fixture
def motive():
    return InteractionMotive.objects.create(label="Motif de test", position=5)


def log(**fields):
    defaults = {"channel": "phone", "direction": "inbound", "summary": "Horaires de la mairie."}
    return interaction_log(**{**defaults, **fields})


def test_a_contact_is_logged_for_the_agents_front_desk_team_now(desk, citizen, motive):
    before = timezone.now()
    contact = log(
        agent=desk,
        citizen=citizen,
        motive=motive,
        summary="  Demande d'acte de naissance : orientée vers l'état civil.  ",
        outcome="redirected",
        duration_minutes=4,
    )
    contact.refresh_from_db()
    assert contact.team.slug == "guichet"  # front desk first, whatever the names' order
    assert contact.agent == desk and contact.citizen == citizen and contact.motive == motive
    assert contact.summary == "Demande d'acte de naissance : orientée vers l'état civil."
    assert (contact.outcome, contact.duration_minutes, contact.caller) == ("redirected", 4, "")
    assert before <= contact.occurred_at <= timezone.now()


def test_a_key_logs_one_contact_whoever_replays_it(desk, citizen):
    key = uuid.uuid4()
    first = log(agent=desk, citizen=citizen, idempotency_key=key)
    again = log(agent=desk, citizen=citizen, idempotency_key=key, summary="Autre chose.")
    assert again == first and Interaction.objects.count() == 1
    # Another agent's contact is never taken for this one: a forged key is refused.
    with pytest.raises(ValidationError, match="Rechargez la page"):
        log(agent=UserFactory(), citizen=citizen, idempotency_key=key)
    assert Interaction.objects.count() == 1


def test_the_team_is_the_first_case_team_without_front_desk_else_the_one_given():
    user = UserFactory()
    archives = TeamFactory(name="Archives", slug="archives")
    MembershipFactory(user=user, team=archives, role=Role.OFFICIAL)
    MembershipFactory(user=user, team=TeamFactory(name="Voirie", slug="voirie"))
    MembershipFactory(user=user, team=TeamFactory(name="Zones vertes", slug="zones"))
    assert contact_team(user).slug == "voirie"
    assert log(agent=user).team.slug == "voirie"
    other = TeamFactory(name="Urbanisme", slug="urbanisme")
    with pytest.raises(ValidationError) as refused:
        log(agent=user, team=other)
    assert "pas membre" in refused.value.message_dict["team"][0]
    assert log(agent=user, team=archives).team == archives


def test_an_anonymous_caller_is_logged_with_how_they_introduced_themselves(desk):
    contact = log(agent=desk, caller=" M. X, n'a pas souhaité donner son nom ")
    assert contact.citizen is None and contact.caller == "M. X, n'a pas souhaité donner son nom"


REFUSED = [
    ({"channel": "fax"}, "channel"),
    ({"channel": ""}, "channel"),
    ({"direction": "sideways"}, "direction"),
    ({"summary": ""}, "summary"),
    ({"summary": " \n "}, "summary"),
    ({"summary": "x" * 5001}, "summary"),
    ({"outcome": "maybe"}, "outcome"),
    ({"duration_minutes": -1}, "duration_minutes"),
    ({"duration_minutes": 601}, "duration_minutes"),
    ({"caller": "x" * 201}, "caller"),
]


@pytest.mark.parametrize(("fields", "key"), REFUSED)
def test_bad_input_is_refused_in_french_and_nothing_is_written(desk, citizen, fields, key):
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, citizen=citizen, **fields)
    message = refused.value.message_dict[key][0]
    assert message.endswith(".") and " " in message  # a sentence, in French, for the screen
    assert not Interaction.objects.exists()


def test_every_problem_is_given_at_once(desk):
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, channel="fax", summary="", duration_minutes=700)
    assert set(refused.value.message_dict) == {"channel", "summary", "duration_minutes"}


def test_a_deactivated_motive_is_refused(desk, motive):
    motive.is_active = False
    motive.save()
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, motive=motive)
    assert "n'est plus proposé" in refused.value.message_dict["motive"][0]
    assert not Interaction.objects.exists()


def test_the_limits_are_accepted(desk):
    assert log(agent=desk, duration_minutes=0).duration_minutes == 0
    assert log(agent=desk, duration_minutes=600, summary="x" * 5000, caller="y" * 200)


def test_a_request_of_another_citizen_is_refused(desk, citizen):
    theirs = ServiceRequestFactory(citizen=CitizenFactory())
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, citizen=citizen, request=theirs)
    assert refused.value.message_dict["request"] == [
        f"La demande {theirs.reference} n'est pas une demande de cet usager."
    ]
    anonymous = ServiceRequestFactory(citizen=None)  # filed without an account
    with pytest.raises(ValidationError):
        log(agent=desk, citizen=citizen, request=anonymous)
    assert not Interaction.objects.exists()


def test_a_draft_is_refused(desk, citizen):
    draft = ServiceRequestFactory(citizen=citizen, status=Status.DRAFT)
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, citizen=citizen, request=draft)
    assert "pas encore été déposée" in refused.value.message_dict["request"][0]


def test_a_contact_about_a_request_is_read_from_the_request_and_writes_no_event(desk, citizen):
    mine = ServiceRequestFactory(citizen=citizen)
    events = Event.objects.count()
    contact = log(agent=desk, citizen=citizen, request=mine, outcome="answered")
    assert list(mine.interactions.all()) == [contact]
    assert list(citizen.interactions.all()) == [contact]
    assert Event.objects.count() == events


def test_an_anonymous_caller_may_ask_about_a_request(desk):
    about = ServiceRequestFactory(citizen=CitizenFactory())  # a neighbour asks about a report
    contact = log(agent=desk, request=about)
    assert contact.request == about and contact.citizen is None


def test_a_merged_record_takes_no_new_contact(desk, citizen):
    tombstone = CitizenFactory(merged_into=citizen)
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, citizen=tombstone)
    assert "fusionnée" in refused.value.message_dict["citizen"][0]
    assert not Interaction.objects.exists()


def test_a_contact_in_the_future_is_refused_one_earlier_is_kept(desk):
    with pytest.raises(ValidationError) as refused:
        log(agent=desk, occurred_at=timezone.now() + timedelta(minutes=5))
    assert "futur" in refused.value.message_dict["occurred_at"][0]
    assert not Interaction.objects.exists()
    yesterday = timezone.now() - timedelta(days=1)
    assert log(agent=desk, occurred_at=yesterday).occurred_at == yesterday


def test_a_naive_date_is_read_in_the_authoritys_time_zone(desk):
    contact = log(agent=desk, occurred_at=datetime(2024, 3, 1, 9, 30))
    local = timezone.localtime(contact.occurred_at)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2024-03-01", 9, 30)
    assert str(local.tzinfo) == "Europe/Paris"


# --- Counted per channel -------------------------------------------------------------------

DAY = datetime(2026, 3, 10).date()


def at(hour: int, minute: int = 0, *, day=DAY):
    return timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(
        hour=hour, minute=minute
    )


# (contacts as (channel, direction, outcome, when), team filter, per channel, per direction)
COUNTS = [
    pytest.param([], None, {}, {"inbound": 0, "outbound": 0}, id="nothing"),
    pytest.param(
        [
            ("phone", "inbound", "", at(9)),
            ("phone", "outbound", "answered", at(10)),
            ("counter", "inbound", "request_filed", at(11)),
        ],
        None,
        {"phone": 2, "counter": 1},
        {"inbound": 2, "outbound": 1},
        id="two-channels",
    ),
    pytest.param(
        [
            ("email", "inbound", "", at(0)),
            ("email", "inbound", "", at(23, 59)),
            ("email", "inbound", "", at(0, day=DAY + timedelta(days=1))),
            ("email", "inbound", "", at(23, 59, day=DAY - timedelta(days=1))),
        ],
        None,
        {"email": 2},
        {"inbound": 2, "outbound": 0},
        id="the-day-only-in-paris-time",
    ),
    pytest.param(
        [("sms", "outbound", "appointment", at(9)), ("mail", "inbound", "", at(9))],
        "own",
        {"sms": 1},
        {"inbound": 0, "outbound": 1},
        id="one-team",
    ),
    pytest.param(
        [("social", "inbound", "", at(9)), ("web", "inbound", "", at(9))],
        None,
        {"social": 1, "web": 1},
        {"inbound": 2, "outbound": 0},
        id="web-counted-when-named",
    ),
]


@pytest.mark.parametrize(("contacts", "team", "by_channel", "by_direction"), COUNTS)
def test_contacts_are_counted_per_channel_in_one_query(
    django_assert_num_queries, contacts, team, by_channel, by_direction
):
    own, other = TeamFactory(slug="guichet"), TeamFactory(slug="voirie")
    for index, (channel, direction, outcome, when) in enumerate(contacts):
        InteractionFactory(
            channel=channel,
            direction=direction,
            outcome=outcome,
            occurred_at=when,
            team=own if index % 2 == 0 else other,
        )
    since, until = day_bounds(DAY)
    with django_assert_num_queries(1):
        counts = contacts_by_channel(since=since, until=until, team=own if team else None)
    assert counts.by_channel == by_channel
    assert counts.by_direction == by_direction
    assert counts.total == sum(by_channel.values())
    assert sum(counts.by_outcome.values()) == counts.total
    rows = counts.channel_rows()
    listed = [c for c, _label, _n in rows][:6]
    assert listed == ["counter", "phone", "email", "mail", "sms", "social"]
    assert {c: n for c, _label, n in rows if n} == by_channel


def test_counts_per_outcome_and_per_channel_and_direction():
    for channel, direction, outcome in [
        ("phone", "inbound", "answered"),
        ("phone", "inbound", "answered"),
        ("phone", "outbound", "appointment"),
        ("counter", "inbound", ""),
    ]:
        InteractionFactory(channel=channel, direction=direction, outcome=outcome, occurred_at=at(9))
    counts = contacts_by_channel(since=day_bounds(DAY)[0], until=day_bounds(DAY)[1])
    assert counts.by_outcome == {
        "": 1,
        "answered": 2,
        "request_filed": 0,
        "redirected": 0,
        "appointment": 1,
    }
    assert counts.by_channel_and_direction == {
        ("phone", "inbound"): 2,
        ("phone", "outbound"): 1,
        ("counter", "inbound"): 1,
    }


def test_the_seeded_motives_are_offered_in_order():
    labels = list(InteractionMotive.objects.filter(is_active=True).values_list("label", flat=True))
    assert labels[0].startswith("État civil") and labels[-1] == "Autre"
    assert {"Réclamation", "Prise de rendez-vous", "Déchets et encombrants"} <= set(labels)


def test_the_administrator_reorders_and_deactivates_motives_in_the_admin(admin_client, desk):
    url = reverse("admin:service_requests_interactionmotive_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200 and "Réclamation" in page.content.decode()
    claim = InteractionMotive.objects.get(label="Réclamation")
    other = InteractionMotive.objects.get(label="Autre")
    response = admin_client.post(
        url, {"action": "deactivate", "_selected_action": [claim.pk, other.pk]}
    )
    assert response.status_code == 302
    assert not InteractionMotive.objects.filter(pk__in=[claim.pk, other.pk], is_active=True)
    # A motive past contacts name stays: the admin refuses to delete it.
    log(agent=desk, motive=InteractionMotive.objects.get(label="Logement"))
    used = InteractionMotive.objects.get(label="Logement")
    delete = reverse("admin:service_requests_interactionmotive_delete", args=[used.pk])
    admin_client.post(delete, {"post": "yes"})
    assert InteractionMotive.objects.filter(pk=used.pk).exists()
