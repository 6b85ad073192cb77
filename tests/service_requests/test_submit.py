"""`request_submit`: one transaction, once per idempotency key; the team from the routing
rules; a short random reference; the implicit decision date from the deadline engine; nothing
left behind when any part fails; no PDF rendered: the receipt task is enqueued on commit (the
receipt itself: test_receipt.py).

The helpers at the top (the demo démarches, a real JPEG) serve test_filing.py and
test_receipt.py too."""

import datetime
import io
import threading
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from demo import demo_data
from forms_builder.engine import IncompleteForm
from forms_builder.models import FormVersion
from forms_builder.uploads import validate_upload
from service_requests.deadlines import implicit_decision_date
from service_requests.identifiers import REFERENCE_RE
from service_requests.models import (
    Document,
    Event,
    OutboxMessage,
    RoutingRule,
    ServiceRequest,
    Status,
)
from service_requests.routing import route
from service_requests.services import filing as filing_services
from service_requests.services import receipts
from service_requests.services.errors import TransitionRefused
from service_requests.services.filing import request_submit, upload_store
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    ProcedureFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# --- Helpers shared with test_filing.py and test_receipt.py ---------------------------------


def demo_version(slug: str) -> FormVersion:
    """The demo démarche `slug` (demo/demo_data.py), its team and its published form, as
    `load_demo` makes them, without the rest of the demo."""
    existing = FormVersion.objects.filter(procedure__slug=slug).first()
    if existing is not None:
        return existing
    values = dict(next(p for p in demo_data.procedures() if p["slug"] == slug))
    schema = values.pop("schema")
    team_slug = values.pop("team")
    team = TeamFactory(**next(t for t in demo_data.teams() if t["slug"] == team_slug))
    procedure = ProcedureFactory(default_team=team, **values)
    return FormVersionFactory(procedure=procedure, number=1, schema=schema)


def jpeg_bytes(size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 60, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def jpeg_upload(name: str = "nid de poule.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def stored_photo(name: str = "photo.jpg") -> dict:
    """A photo as the filing pages store it: its descriptor, the file in the storage."""
    return upload_store(validate_upload(jpeg_upload(name), accept=["jpeg"], max_size_mb=10))


SIGNALEMENT = {
    "nature": "nid-de-poule",
    "adresse": {"street": "12 rue de la République", "postcode": "00000", "city": "Démo"},
    "description": "Un trou profond devant le numéro 12.",
}
ACTE = {
    "type_acte": "naissance",
    "forme": "copie-integrale",
    "lien": "soi-meme",
    "nom": "Garnier",
    "prenoms": "Hélène",
    "date_evenement": "1990-04-02",
    "demandeur_prenoms": "Hélène",
    "demandeur_nom": "Garnier",
    "nombre_exemplaires": 1,
    "adresse_envoi": {"street": "3 rue des Lilas", "postcode": "00000", "city": "Démo"},
}


def submit(version: FormVersion, answers: dict, **kwargs):
    kwargs.setdefault("idempotency_key", uuid.uuid4())
    kwargs.setdefault("contact_email", "lea.durand@exemple.fr")
    return request_submit(procedure=version.procedure, version=version, answers=answers, **kwargs)


# --- Idempotency ------------------------------------------------------------------------------


def test_the_same_key_twice_makes_one_request(side_effects, mailoutbox):
    version = demo_version("signalement-voirie")
    key = uuid.uuid4()

    with side_effects():  # the receipt task, run as the worker would on each commit
        first = submit(version, SIGNALEMENT, idempotency_key=key)
        second = submit(version, SIGNALEMENT, idempotency_key=key)

    assert first.created and not second.created
    assert second.request.pk == first.request.pk
    assert ServiceRequest.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.SUBMITTED).count() == 1
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == 1
    assert len(mailoutbox) == 1  # the replay enqueued no second receipt


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_the_same_key_make_one_request(
    eager_celery, mailoutbox, caplog
):
    """Two POSTs at once (a double click): the second waits on the unique key, then gets the
    request the first one committed. Real commits: the receipt task runs on the one that
    created the request (eagerly, in its thread)."""
    version = demo_version("signalement-voirie")
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def file_it():
        try:
            barrier.wait(timeout=10)
            results.append(submit(version, SIGNALEMENT, idempotency_key=key))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(result.created for result in results) == [False, True]
    assert results[0].request.pk == results[1].request.pk
    assert ServiceRequest.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.SUBMITTED).count() == 1
    assert Document.objects.filter(kind=Document.Kind.RECEIPT).count() == 1
    assert len(mailoutbox) == 1
    assert not [r.getMessage() for r in caplog.records if r.levelno >= 40]


def test_an_incomplete_form_writes_nothing():
    version = demo_version("signalement-voirie")
    answers = {**SIGNALEMENT}
    del answers["description"]

    with pytest.raises(IncompleteForm) as incomplete:
        submit(version, answers)

    assert list(incomplete.value.errors) == ["probleme"]
    assert not ServiceRequest.objects.exists()


def test_an_anonymous_request_for_a_decision_needs_a_contact_email():
    """A report may be filed without one (tests/service_requests/test_filing_contacts.py)."""
    with pytest.raises(ValidationError):
        submit(demo_version("acte-etat-civil"), ACTE, contact_email="")
    assert not ServiceRequest.objects.exists()


def test_a_record_merged_since_the_form_was_drawn_takes_no_request():
    kept = CitizenFactory()
    merged = CitizenFactory(merged_into=kept)
    with pytest.raises(ValidationError, match="fusionnée avec une autre"):
        submit(demo_version("signalement-voirie"), SIGNALEMENT, citizen=merged)
    assert not ServiceRequest.objects.exists()


def test_answers_hidden_by_a_condition_are_not_stored_and_their_files_are_deleted(
    django_capture_on_commit_callbacks,
):
    version = FormVersionFactory(
        schema={
            "version": 1,
            "pages": [
                {
                    "id": "p",
                    "title": "Page",
                    "fields": [
                        {"id": "avec_photo", "type": "yesno", "label": "Une photo ?"},
                        {
                            "id": "photo",
                            "type": "file",
                            "label": "Photo",
                            "required": False,
                            "condition": {"field": "avec_photo", "op": "equals", "value": True},
                        },
                    ],
                }
            ],
        },
        procedure__silence_rule="none",
        procedure__silence_delay="",
    )
    photo = stored_photo()
    answers = {"avec_photo": False, "photo": [photo]}

    with django_capture_on_commit_callbacks(execute=True):
        request = submit(version, answers).request

    assert request.data == {"avec_photo": False}
    assert not request.documents.filter(kind=Document.Kind.UPLOAD).exists()
    assert not default_storage.exists(photo["key"])


# --- What the request holds -------------------------------------------------------------------


def test_the_request_its_documents_and_events(side_effects):
    version = demo_version("signalement-voirie")
    photo = stored_photo("Photo du trou.JPG")

    filed_at = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(filed_at), side_effects():
        request = submit(
            version,
            {**SIGNALEMENT, "photo": [photo]},
            contact_name="Léa Durand",
            contact_phone="06 12 34 56 78",
        ).request
        # Not in the submission: the worker makes it once the request is committed.
        assert not request.documents.filter(kind=Document.Kind.RECEIPT).exists()

    request.refresh_from_db()
    assert REFERENCE_RE.match(request.reference)
    assert len(request.tracking_token) >= 43
    assert request.status == Status.SUBMITTED
    assert request.channel == "web"
    assert request.received_on == datetime.date(2026, 4, 1)  # Europe/Paris, already the 1st
    assert request.team == version.procedure.default_team
    assert (request.contact_name, request.contact_phone) == ("Léa Durand", "06 12 34 56 78")
    upload = request.documents.get(kind=Document.Kind.UPLOAD)
    assert upload.original_name == "Photo du trou.jpg"  # sanitised
    assert upload.content_type == "image/jpeg"
    assert upload.file.name == photo["key"]  # the stored file, not a copy
    assert upload.sha256 == photo["sha256"] and upload.size == photo["size"]
    assert upload.visible_to_citizen
    assert request.data["photo"] == [
        {"name": "Photo du trou.jpg", "kind": "jpeg", "size": photo["size"], "document": upload.pk}
    ]
    assert request.data["adresse"] == SIGNALEMENT["adresse"]
    events = list(request.events.order_by("id"))
    assert [(e.kind, e.visibility) for e in events] == [
        (Event.Kind.SUBMITTED, Event.Visibility.CITIZEN),
        (Event.Kind.ROUTED, Event.Visibility.INTERNAL),
    ]
    assert events[1].payload["team"] == request.team_id
    receipt = request.documents.get(kind=Document.Kind.RECEIPT)
    assert receipt.visible_to_citizen and receipt.content_type == "application/pdf"


def test_references_are_short_readable_and_unique():
    version = demo_version("signalement-voirie")
    references = {submit(version, SIGNALEMENT).request.reference for _ in range(5)}
    assert len(references) == 5
    assert all(REFERENCE_RE.match(reference) for reference in references)


def test_a_reference_drawn_twice_is_drawn_again(monkeypatch):
    version = demo_version("signalement-voirie")
    taken = submit(version, SIGNALEMENT).request.reference
    draws = iter([taken, "ZZZZ-0000"])
    monkeypatch.setattr(filing_services, "new_reference", lambda: next(draws))

    assert submit(version, SIGNALEMENT).request.reference == "ZZZZ-0000"


def under_rejection(slug: str) -> FormVersion:
    """The demo's form of `slug` under a silence-means-rejection rule of two months."""
    form = demo_version(slug)
    procedure = ProcedureFactory(
        default_team=form.procedure.default_team, silence_rule="rejection", silence_delay="P2M"
    )
    return FormVersionFactory(procedure=procedure, number=1, schema=form.schema)


@pytest.mark.parametrize(
    ("slug", "answers"),
    [("acte-etat-civil", ACTE), ("demande-information", None)],
)
def test_the_decision_date_comes_from_the_deadline_engine(slug, answers):
    version = demo_version(slug) if answers is not None else under_rejection(slug)
    if answers is None:  # an SVR: the question's form, under a rejection rule
        answers = {
            "sujet": "urbanisme",
            "objet": "Horaires",
            "question": "Quand ouvre le service ?",
            "nom": "Léa Durand",
            "canal_reponse": "email",
            "email": "lea@exemple.fr",
        }

    with time_machine.travel(datetime.datetime(2026, 1, 31, 10, tzinfo=datetime.UTC)):
        request = submit(version, answers).request

    expected = implicit_decision_date(
        received_on=datetime.date(2026, 1, 31),
        rule=version.silence_rule,
        delay=version.silence_delay,
        document_requests=[],
    )
    assert expected is not None
    assert request.decision_due_on == expected
    event = request.events.get(kind=Event.Kind.SUBMITTED)
    assert event.payload["decision_due_on"] == expected.isoformat()


def test_no_decision_date_when_silence_means_nothing():
    request = submit(demo_version("signalement-voirie"), SIGNALEMENT).request
    assert request.decision_due_on is None


# --- Routing ----------------------------------------------------------------------------------


def test_routing_first_matching_rule_by_priority_then_default_team():
    version = demo_version("signalement-voirie")
    procedure = version.procedure
    lighting, night, north, everything = (TeamFactory() for _ in range(4))
    RoutingRule.objects.create(
        name="Éclairage", procedure=procedure, priority=20, team=lighting,
        answer_conditions={"nature": "eclairage"},
    )  # fmt: skip
    RoutingRule.objects.create(
        name="Inactive", procedure=procedure, priority=1, team=night, is_active=False,
    )  # fmt: skip
    RoutingRule.objects.create(
        name="Nord", procedure=procedure, priority=10, team=north,
        answer_conditions={"nature": "eclairage"}, postcode_prefixes=["591"],
    )  # fmt: skip
    RoutingRule.objects.create(
        name="Dépôts, toutes démarches", procedure=None, priority=30, team=everything,
        answer_conditions={"nature": "depot-sauvage"},
    )  # fmt: skip
    other = ProcedureFactory()
    RoutingRule.objects.create(name="Autre démarche", procedure=other, priority=0, team=night)

    def team_for(nature: str, postcode: str):
        address = {**SIGNALEMENT["adresse"], "postcode": postcode}
        return route(procedure, {**SIGNALEMENT, "nature": nature, "adresse": address})

    assert team_for("eclairage", "59100") == (north, RoutingRule.objects.get(name="Nord"))
    assert team_for("eclairage", "75011")[0] == lighting
    assert team_for("depot-sauvage", "75011")[0] == everything
    assert team_for("nid-de-poule", "59100") == (procedure.default_team, None)


def test_the_request_goes_to_the_team_the_rules_choose():
    version = demo_version("signalement-voirie")
    north = TeamFactory(name="Voirie nord")
    RoutingRule.objects.create(
        name="Nord", procedure=version.procedure, team=north, postcode_prefixes=["000"]
    )

    request = submit(version, SIGNALEMENT).request

    assert request.team == north
    routed = request.events.get(kind=Event.Kind.ROUTED)
    assert routed.payload["rule_name"] == "Nord"


# --- All or nothing ---------------------------------------------------------------------------


def _files_under(folder: str) -> list[str]:
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return files + [f for d in directories for f in _files_under(f"{folder}/{d}")]


def _routed_event_fails(monkeypatch):
    """The ROUTED event, written after the request, its upload Document and its SUBMITTED
    event: all of them in the transaction."""
    real_record = filing_services.record

    def record(request, kind, **kwargs):
        if kind == Event.Kind.ROUTED:
            raise RuntimeError("the routed event fails")
        return real_record(request, kind, **kwargs)

    monkeypatch.setattr(filing_services, "record", record)


def _last_step_fails(monkeypatch):
    """The receipt's outbox row, the transaction's last step."""
    from service_requests import outbox

    def enqueue(*args, **kwargs):
        raise RuntimeError("the last step fails")

    monkeypatch.setattr(outbox, "enqueue", enqueue)


@pytest.mark.parametrize("failure", [_routed_event_fails, _last_step_fails])
def test_a_failure_inside_the_submission_leaves_nothing(
    monkeypatch, django_capture_on_commit_callbacks, failure
):
    failure(monkeypatch)
    photo = stored_photo()

    with django_capture_on_commit_callbacks() as enqueued, pytest.raises(RuntimeError):
        submit(demo_version("signalement-voirie"), {**SIGNALEMENT, "photo": [photo]})

    assert enqueued == []  # no receipt task for a request that does not exist
    assert not ServiceRequest.objects.exists()
    assert not Event.objects.exists()
    assert not Document.objects.exists()
    assert _files_under("documents") == []
    assert default_storage.exists(photo["key"])  # still in the answers, for the next try


def test_the_submission_renders_no_pdf_and_enqueues_the_receipt(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The receipt costs several hundred milliseconds to render: the submission leaves it to
    the worker, through an outbox row written with the request and handed over on commit."""
    from gru import pdf
    from service_requests import tasks

    def no_pdf_here(*args, **kwargs):
        raise AssertionError("a PDF rendered during the submission")

    monkeypatch.setattr(pdf, "render_pdf", no_pdf_here)
    monkeypatch.setattr(receipts, "render_pdf", no_pdf_here)
    enqueued = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", lambda *args: enqueued.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(demo_version("signalement-voirie"), SIGNALEMENT)
        assert enqueued == []  # only once committed

    assert submission.created
    assert submission.request.status == Status.SUBMITTED
    assert not Document.objects.filter(kind=Document.Kind.RECEIPT).exists()
    assert _files_under("documents") == []
    [row] = OutboxMessage.objects.all()
    assert (row.task, row.args, row.request_id, row.state) == (
        tasks.send_receipt.name,
        [submission.request.pk],
        submission.request.pk,
        "pending",
    )
    assert enqueued == [(row.pk,)]


# --- Signed-in citizens' drafts ---------------------------------------------------------------


def test_a_draft_becomes_the_request():
    version = demo_version("acte-etat-civil")
    user = UserFactory()
    citizen = CitizenFactory(user=user, email="helene@exemple.fr")
    draft = filing_services.draft_save(
        user=user, procedure=version.procedure, version=version, answers=ACTE
    )
    assert draft.status == Status.DRAFT and draft.citizen == citizen
    key = uuid.uuid4()

    submission = request_submit(
        procedure=version.procedure,
        version=version,
        answers=ACTE,
        idempotency_key=key,
        citizen=citizen,
        actor=user,
        draft=draft,
        contact_email=citizen.email,
    )

    assert submission.created
    assert submission.request.pk == draft.pk
    assert ServiceRequest.objects.get().status == Status.SUBMITTED
    again = request_submit(
        procedure=version.procedure,
        version=version,
        answers=ACTE,
        idempotency_key=key,
        citizen=citizen,
        draft=draft,
    )
    assert not again.created and again.request.pk == draft.pk
    assert submission.request.events.get(kind=Event.Kind.SUBMITTED).actor == user


def test_a_citizen_record_is_made_for_an_account_without_one():
    version = demo_version("acte-etat-civil")
    user = UserFactory(first_name="Hélène", last_name="Garnier", email="helene@exemple.fr")

    draft = filing_services.draft_save(
        user=user, procedure=version.procedure, version=version, answers={}
    )

    citizen = draft.citizen
    assert (citizen.user, citizen.given_names, citizen.family_name, citizen.email) == (
        user,
        "Hélène",
        "Garnier",
        "helene@exemple.fr",
    )


def test_a_draft_filed_meanwhile_is_not_saved_again():
    version = demo_version("acte-etat-civil")
    user = UserFactory()
    draft = filing_services.draft_save(
        user=user, procedure=version.procedure, version=version, answers={"nom": "Garnier"}
    )
    ServiceRequest.objects.update(status=Status.SUBMITTED, received_on="2026-01-15")

    with pytest.raises(TransitionRefused):
        filing_services.draft_save(
            user=user, procedure=version.procedure, version=version, answers={}, draft=draft
        )
    assert ServiceRequest.objects.get().data == {"nom": "Garnier"}


def test_an_agent_filing_for_a_citizen_is_recorded_with_the_day_the_letter_arrived():
    from tests.factories import CitizenFactory, OrganisationFactory, UserFactory

    version = demo_version("signalement-voirie")
    agent, citizen = UserFactory(), CitizenFactory()
    organisation = OrganisationFactory()
    arrived = timezone.localdate() - datetime.timedelta(days=3)
    request = request_submit(
        procedure=version.procedure,
        version=version,
        answers=SIGNALEMENT,
        idempotency_key=uuid.uuid4(),
        citizen=citizen,
        actor=agent,
        channel="mail",
        organisation=organisation,
        received_on=arrived,
    ).request
    assert (request.filed_by, request.organisation, request.received_on) == (
        agent,
        organisation,
        arrived,
    )
    assert request.events.get(kind="submitted").payload["filed_on_behalf"] is True


@pytest.mark.parametrize(("channel", "days"), [("web", -1), ("mail", 1)])
def test_a_receipt_date_is_refused_online_or_in_the_future(channel, days):
    version = demo_version("signalement-voirie")
    with pytest.raises(ValidationError):
        request_submit(
            procedure=version.procedure,
            version=version,
            answers=SIGNALEMENT,
            idempotency_key=uuid.uuid4(),
            contact_email="a@exemple.fr",
            channel=channel,
            received_on=timezone.localdate() + datetime.timedelta(days=days),
        )
    assert not ServiceRequest.objects.exists()
