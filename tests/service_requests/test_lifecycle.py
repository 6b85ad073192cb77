"""The lifecycle is declared once (service_requests/lifecycle.py) and everything keeps to it:
the demo and the benchmark dataset write only the events the services write, with the declared
payloads, their statuses reached by declared transitions; no code but the lifecycle assigns a
status; a transition refuses every state it does not declare."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from service_requests import lifecycle
from service_requests.errors import TransitionRefused
from service_requests.models import Event, EventKind, ServiceRequest, Status
from tests.service_requests.status_scan import (
    ROOT,
    project_files,
    project_status_writes,
    status_writes,
)

SERVICES = ROOT / "service_requests" / "services"
TRANSITION_EVENTS = frozenset(t.event for t in lifecycle.TRANSITIONS.values())


def _kind(node: ast.AST) -> str | None:
    """The event kind `EventKind.X` or `Event.Kind.X` names, if the node is one."""
    if isinstance(node, ast.Attribute) and ast.unparse(node.value) in ("EventKind", "Event.Kind"):
        return EventKind[node.attr].value
    return None


def kinds_written_by_services() -> set[str]:
    """The event kinds the services write, read from their code: the events of the lifecycle's
    transitions (`change_status`), the kind given to `record(request, kind, …)` and the kind=
    of an `Event(…)` they build."""
    kinds = {str(kind) for kind in TRANSITION_EVENTS}
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = ast.unparse(node.func)
            if called.endswith("record") and len(node.args) >= 2:
                kinds.add(_kind(node.args[1]))
            if called == "Event":
                kinds.update(_kind(k.value) for k in node.keywords if k.arg == "kind")
    kinds.discard(None)
    return kinds


def test_the_services_write_the_kinds_expected():
    # The reader above finds what it should: a handful of kinds written by record(), Event().
    kinds = kinds_written_by_services()
    assert {"routed", "assigned", "note", "message", "due_date_changed", "reminder"} <= kinds
    assert {"submitted", "decision", "closed", "implicit_decision"} <= kinds


def assert_events_as_the_services_write_them(requests) -> int:
    """Every event of `requests` has a kind the services write and the declared payload keys;
    the status changes follow declared transitions, from the filing to the row's status."""
    services_kinds = kinds_written_by_services()
    checked = 0
    for request in requests.prefetch_related("events"):
        current = Status.DRAFT
        for event in request.events.all():  # in order: created_at, id
            assert event.kind in services_kinds, (request.reference, event.kind)
            lifecycle.check_payload(event.kind, event.payload)
            checked += 1
            if event.kind == EventKind.SUBMITTED:
                assert current == Status.DRAFT, request.reference
                current = Status.SUBMITTED
            elif event.kind in TRANSITION_EVENTS:
                change = (event.payload["from"], event.payload["to"])
                assert change[0] == current, (request.reference, event.kind, change)
                assert any(
                    t.event == event.kind and t.allows(change[0]) and t.target == change[1]
                    for t in lifecycle.TRANSITIONS.values()
                ), (request.reference, event.kind, change)
                current = change[1]
        assert current == request.status, (request.reference, current, request.status)
    return checked


@pytest.fixture
def _commands(settings):
    settings.DEBUG = True  # both commands refuse to run otherwise
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
@pytest.mark.usefixtures("_commands")
def test_the_demo_writes_what_the_services_write():
    call_command("load_demo", stdout=StringIO())
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"submitted", "routed", "assigned", "decision", "closed", "withdrawn"} <= kinds
    assert assert_events_as_the_services_write_them(ServiceRequest.objects.all()) == (
        Event.objects.count()
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("_commands")
def test_the_dataset_writes_what_the_services_write():
    # The smallest run, as tests/bench/test_generate_dataset.py makes it.
    call_command("generate_dataset", "--citizens", "200", "--requests", "600", "--seed", "7",
                 stdout=StringIO())  # fmt: skip
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"transferred", "closed", "completed", "documents_received"} <= kinds
    assert assert_events_as_the_services_write_them(ServiceRequest.objects.all()) == (
        Event.objects.count()
    )


# --- No status is assigned outside the lifecycle -------------------------------------------


def test_no_code_outside_the_lifecycle_assigns_a_status():
    assert project_status_writes() == []


def test_the_scan_reads_the_whole_project():
    files = {str(path.relative_to(ROOT)) for path in project_files()}
    assert {"demo/stories.py", "bench/dataset/timeline.py", "bench/sweep.py"} <= files
    assert "service_requests/lifecycle.py" not in files
    assert not any(name.startswith((".venv", "tests/", "node_modules")) for name in files)
    assert not any("/migrations/" in name for name in files)


BAD = {
    "attribute": "request.status = Status.ACCEPTED",
    "augmented": "request.status += 'x'",
    "annotated": "request.status: str = 'closed'",
    "tuple": "request.status, other = 'closed', 1",
    "loop": "for request.status in ('a', 'b'):\n    pass",
    "setattr": "setattr(request, 'status', 'closed')",
    "model's own": "class ServiceRequest(models.Model):\n"
    "    def close(self):\n        self.status = 'closed'",
    "update": "ServiceRequest.objects.filter(pk=1).update(status=Status.CLOSED)",
    "create": "ServiceRequest.objects.create(reference='X', status=Status.SUBMITTED)",
    "constructor": "ServiceRequest(reference='X', status='in_review')",
    "defaults": "ServiceRequest.objects.get_or_create(defaults={'status': 'closed'})",
}
GOOD = {
    "draft": "ServiceRequest(reference='X', status=Status.DRAFT)",
    "draft created": "ServiceRequest.objects.create(status=Status.DRAFT)",
    "read": "if request.status == Status.DRAFT:\n    pass",
    "filter": "ServiceRequest.objects.filter(status=Status.SUBMITTED)",
    "http status": "render(request, 'page.html', status=403)",
    "an error's own": "class OIDCError(Exception):\n"
    "    def __init__(self, status):\n        self.status = status",
    "saving what a transition set": "request.save(update_fields=['status', 'updated_at'])",
}


@pytest.mark.parametrize("snippet", BAD.values(), ids=BAD.keys())
def test_the_scan_refuses_a_status_written_outside_the_lifecycle(snippet):
    assert len(status_writes(snippet)) == 1


@pytest.mark.parametrize("snippet", GOOD.values(), ids=GOOD.keys())
def test_the_scan_lets_drafts_reads_and_other_statuses_be(snippet):
    assert status_writes(snippet) == []


def test_the_scan_finds_a_bad_file_in_a_project(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text("def close(r):\n    r.status = 'closed'\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("r.status = 'closed'\n")  # tests may
    assert project_status_writes(tmp_path) == ["app/views.py:2: assigns r.status"]


# --- Each transition refuses the states it does not declare ------------------------------


def _payload(t: lifecycle.Transition) -> dict:
    """A payload with the keys the transition's event declares, `from` and `to` aside."""
    return dict.fromkeys(lifecycle.EVENT_PAYLOADS[t.event].required - {"from", "to"})


REFUSED = [
    (name, status)
    for name, t in lifecycle.TRANSITIONS.items()
    for status in Status.values
    if status not in t.sources
]
ALLOWED = [
    (name, status)
    for name, t in lifecycle.TRANSITIONS.items()
    for status in Status.values
    if status in t.sources
]


@pytest.mark.parametrize(("name", "status"), REFUSED, ids=[f"{n}-from-{s}" for n, s in REFUSED])
def test_a_transition_refuses_a_state_it_does_not_declare(name, status):
    request = ServiceRequest(status=status)
    t = lifecycle.TRANSITIONS[name]
    with pytest.raises(TransitionRefused):
        lifecycle.change_status(request, name, actor=None, payload=_payload(t), save=False)
    assert request.status == status


@pytest.mark.parametrize(("name", "status"), ALLOWED, ids=[f"{n}-from-{s}" for n, s in ALLOWED])
def test_a_transition_takes_a_state_it_declares(name, status):
    request = ServiceRequest(status=status)
    t = lifecycle.TRANSITIONS[name]
    event = lifecycle.change_status(request, name, actor=None, payload=_payload(t), save=False)
    assert request.status == t.target
    assert event.kind == t.event and event.pk is None
