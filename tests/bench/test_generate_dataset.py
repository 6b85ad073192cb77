import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from bench.dataset.writer import DatasetError, Table
from citizens.models import Citizen
from demo import demo_data
from forms_builder.models import FormVersion, Procedure
from gru.models import Membership, Team, User
from service_requests.identifiers import is_reference
from service_requests.models import (
    FINAL_STATES,
    OPEN_STATES,
    DocumentRequest,
    Event,
    Interaction,
    Message,
    NotificationSent,
    ServiceRequest,
    Status,
)
from service_requests.selectors import decision_date_of

CITIZENS, REQUESTS = 200, 600
DEMO_REFERENCES = [request.reference for request in demo_data.REQUESTS]


@pytest.fixture(autouse=True)
def _dataset_settings(settings):
    settings.DEBUG = True  # the command refuses to run otherwise
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def generate(*args, seed: int = 7) -> str:
    out = StringIO()
    call_command("generate_dataset", "--citizens", str(CITIZENS), "--requests", str(REQUESTS),
                 "--seed", str(seed), *args, stdout=out)  # fmt: skip
    return out.getvalue()


def generated_requests():
    return ServiceRequest.objects.exclude(reference__in=DEMO_REFERENCES)


def digest() -> str:
    """What a seed decides, independent of ids: references, tokens, names, statuses, dates."""
    rows = [
        *generated_requests()
        .order_by("reference")
        .values_list("reference", "tracking_token", "status", "channel", "received_on", "data"),
        *Citizen.objects.order_by("family_name", "given_names", "email").values_list(
            "given_names", "family_name", "email", "street", "birth_date"
        ),
        *Event.objects.values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
        .values_list("kind", "n"),
        *Team.objects.order_by("slug").values_list("slug", "name"),
        *Procedure.objects.order_by("slug").values_list("slug", "title", "default_team__slug"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_a_small_dataset_has_the_counts_and_the_variety_asked():
    output = generate()

    demo_citizens, demo_contacts = (
        len(demo_data.CITIZENS),
        sum(len(request.contacts) for request in demo_data.REQUESTS) + len(demo_data.CONTACTS),
    )
    assert Citizen.objects.count() == CITIZENS + demo_citizens
    assert generated_requests().count() == REQUESTS
    assert Interaction.objects.count() == 2 * REQUESTS + demo_contacts
    # Contacts as the contact screen records them: a motive and an outcome, timed when spoken.
    assert not Interaction.objects.filter(Q(motive=None) | Q(outcome="")).exists()
    spoken = Interaction.objects.filter(channel__in=["counter", "phone"])
    assert spoken.exists() and not spoken.filter(duration_minutes=None).exists()
    assert (Procedure.objects.count(), Team.objects.count()) == (30, 10)  # the small scale's
    events = Event.objects.filter(request__in=generated_requests()).count()
    messages = Message.objects.filter(request__in=generated_requests()).count()
    assert 4 * REQUESTS < events < 6 * REQUESTS
    assert 0.3 * REQUESTS < messages < 0.7 * REQUESTS
    assert "Jeu de données généré (graine 7)" in output

    statuses = dict(generated_requests().values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Status.values)
    open_share = sum(statuses[status] for status in OPEN_STATES) / REQUESTS
    assert 0.1 < open_share < 0.25
    assert sum(statuses[status] for status in FINAL_STATES) > 0.7 * REQUESTS
    channels = dict(generated_requests().values_list("channel").annotate(n=Count("id")))
    assert len(channels) >= 4 and channels["web"] == max(channels.values())

    assert all(
        is_reference(ref) for ref in generated_requests().values_list("reference", flat=True)
    )
    names = " ".join(
        f"{g} {f}" for g, f in Citizen.objects.values_list("given_names", "family_name")
    )
    assert any(letter in names for letter in "éèëêïîôç") and "-" in names

    # A long tail: someone files far more than the average citizen.
    per_citizen = generated_requests().filter(citizen__isnull=False).values("citizen")
    busiest = per_citizen.annotate(n=Count("id")).aggregate(Max("n"))["n__max"]
    assert busiest >= 10 * REQUESTS / CITIZENS

    # Due dates on both sides of today among open requests: the sweep has work, and more ahead.
    today = timezone.localdate()
    due = generated_requests().filter(status__in=OPEN_STATES, decision_due_on__isnull=False)
    assert due.filter(decision_due_on__lte=today).exists()
    assert due.filter(decision_due_on__gt=today).exists()
    received = generated_requests().aggregate(first=Min("received_on"), last=Max("received_on"))
    assert (today - received["first"]).days > 4 * 365 and received["last"] <= today

    # Accounts for a share of citizens; agents in every team; a published version everywhere.
    with_account = Citizen.objects.filter(user__isnull=False).count() / Citizen.objects.count()
    assert 0.3 < with_account < 0.6
    assert not Team.objects.exclude(memberships__isnull=False).exists()
    published = FormVersion.objects.filter(published_at__isnull=False).values("procedure")
    assert published.distinct().count() == Procedure.objects.count()


@pytest.mark.django_db
def test_timelines_follow_the_requests():
    generate()
    requests = generated_requests().exclude(status=Status.DRAFT)
    assert not Event.objects.filter(request__status=Status.DRAFT).exists()
    for request in requests.order_by("?")[:50]:
        moments = list(request.events.values_list("created_at", flat=True))
        assert moments == sorted(moments) and moments[0] == request.submitted_at
        assert moments[-1] <= timezone.now()
        assert timezone.localtime(moments[0]).date() >= request.received_on
        kinds = set(request.events.values_list("kind", flat=True))
        if request.status in (Status.ACCEPTED, Status.REJECTED):
            assert Event.Kind.DECISION in kinds
        if request.status in (Status.ACCEPTED_IMPLICITLY, Status.REJECTED_IMPLICITLY):
            assert request.decided_on == request.decision_due_on
            assert request.implicit_decision_triggered_at is not None
    assigned = requests.filter(assignee__isnull=False).select_related("team")
    for request in assigned[:50]:
        assert Membership.objects.filter(user=request.assignee, team=request.team).exists()


@pytest.mark.django_db
def test_legal_dates_are_the_deadline_engines_and_nothing_is_owed_to_its_nightly_jobs():
    generate()
    today = timezone.localdate()
    requests = generated_requests().exclude(status=Status.DRAFT).select_related("form_version")
    for request in requests.filter(document_requests__isnull=False).distinct()[:40]:
        assert request.decision_due_on == decision_date_of(request)
    for request in requests.order_by("?")[:60]:
        assert request.decision_due_on == decision_date_of(request)
    assert not requests.filter(status=Status.AWAITING_CITIZEN, document_requests__isnull=True)

    # What the first night would find: reminders already sent, alerts and notices stamped.
    soon = requests.filter(
        status__in=OPEN_STATES,
        decision_due_on__gt=today,
        decision_due_on__lte=today + timedelta(days=max(settings.GRU_REMINDER_DAYS)),
    )
    assert soon.exists()
    stamped = NotificationSent.objects.filter(kind=NotificationSent.Kind.DECISION_REMINDER)
    for request in soon:
        days_left = (request.decision_due_on - today).days
        threshold = min(days for days in settings.GRU_REMINDER_DAYS if days >= days_left)
        reminded = stamped.filter(
            request=request, due_on=request.decision_due_on, days_before=threshold
        )
        filed_today = timezone.localdate(request.submitted_at) == today  # tonight's first run
        assert reminded.exists() or filed_today
    assert not DocumentRequest.objects.filter(
        answered_on__isnull=True, overdue_alerted_at__isnull=True, answer_deadline__lt=today
    ).exists()
    implicit = requests.filter(implicit_decision_triggered_at__isnull=False)
    assert implicit.exists()
    assert not implicit.exclude(
        notifications_sent__kind=NotificationSent.Kind.IMPLICIT_DECISION_TEAM
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate()
    first = digest()
    generate("--replace")
    assert digest() == first
    generate("--replace", seed=8)
    assert digest() != first
    assert generated_requests().count() == REQUESTS  # replaced, not added


@pytest.mark.django_db
def test_a_second_run_without_replace_is_refused():
    generate()
    before = (User.objects.count(), ServiceRequest.objects.count(), Event.objects.count())
    with pytest.raises(CommandError, match="--replace"):
        generate(seed=8)
    assert (User.objects.count(), ServiceRequest.objects.count(), Event.objects.count()) == before


@pytest.mark.django_db
def test_refused_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        generate()
    assert not generated_requests().exists()


def test_columns_come_from_the_model():
    # What the generator does not fill: nullable left out, a default written on every row.
    table = Table.of(Event, ("id", "request_id", "kind", "visibility", "created_at"))
    assert "actor_id" not in table.columns
    assert table.columns[-1] == "payload" and table.extra == ("{}",)
    with pytest.raises(DatasetError, match="kind"):  # NOT NULL, no default: cannot be guessed
        Table.of(Event, ("id", "request_id", "visibility", "created_at"))
    with pytest.raises(DatasetError, match="colour"):  # a field the model no longer has
        Table.of(Event, ("id", "request_id", "kind", "visibility", "created_at", "colour"))
