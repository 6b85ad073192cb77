"""The implicit decisions sweep against the real PostgreSQL, run by real Celery workers: two sweeps
at once, a sweep killed half-way, an agent's decision racing the sweep. Each request is decided
once, whatever happens.

To make the races deterministic rather than lucky, a trigger installed for the test holds the
sweep inside its batch transaction (its rows locked, its first decisions written but not
committed) on a PostgreSQL advisory lock that the test takes and releases.
"""

import contextlib
import datetime
import os
import subprocess
import sys
import threading
import uuid
from email import message_from_string
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from gru.celery import app
from service_requests import tasks
from service_requests.models import Document, Event, ServiceRequest, Status
from service_requests.services import (
    TransitionRefused,
    implicit_decisions_apply_due,
    request_decide,
)
from tests.factories import FormVersionFactory, ServiceRequestFactory, UserFactory
from tests.gru.test_celery import database_url_of_test_database, wait_for

ROOT = Path(__file__).resolve().parents[2]
GATE = 4_242_001  # the advisory lock key the trigger waits on

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _empty_default_queue():
    """Tasks other tests left on the default queue (a live server's on-commit notices) would be
    run by these workers too and counted among the emails."""
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)


@contextlib.contextmanager
def celery_worker(*queues: str, tmp_path: Path, batch_size: int = 200):
    """A worker process on its own queues and the default one (where the decisions' notices
    go), emails written to files under `tmp_path`."""
    hostname = f"{queues[0]}@localhost"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "GRU_SWEEP_BATCH_SIZE": str(batch_size),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
    }
    log = (tmp_path / f"{queues[0]}.log").open("w")  # not a pipe: a full pipe would block it
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "gru",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--queues={','.join((*queues, 'celery'))}",
            f"--hostname={hostname}",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        started = wait_for(
            lambda: process.poll() is None and app.control.ping([hostname], timeout=0.5)
        )
        assert started, f"worker {hostname} did not start"
        yield process
    finally:
        if process.poll() is None:
            process.terminate()  # warm shutdown: the task at hand finishes
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print((tmp_path / f"{queues[0]}.log").read_text())


def queue_name() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def execute(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@contextlib.contextmanager
def gate(*, request_id: int | None = None, shared: bool = False, pause: float = 0.0):
    """Until the block releases it, a sweep stops when it writes the implicit decision event
    (of `request_id` only, if given), inside its batch transaction."""
    lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    when = "NEW.kind = 'implicit_decision'"
    if request_id is not None:
        when += f" AND NEW.request_id = {int(request_id)}"
    execute(
        f"""
        CREATE FUNCTION test_sweep_gate() RETURNS trigger AS $$
        BEGIN
            PERFORM {lock}({GATE});
            PERFORM pg_sleep({float(pause)});
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER test_sweep_gate BEFORE INSERT ON service_requests_event
            FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION test_sweep_gate();
        """
    )
    execute("SELECT pg_advisory_lock(%s)", [GATE])
    held = True

    def release():
        nonlocal held
        if held:
            execute("SELECT pg_advisory_unlock(%s)", [GATE])
            held = False

    try:
        yield release
    finally:
        release()
        execute("DROP TRIGGER IF EXISTS test_sweep_gate ON service_requests_event")
        execute("DROP FUNCTION IF EXISTS test_sweep_gate()")


def backends_waiting_at_the_gate() -> list[int]:
    rows = execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted",
        [GATE],
    )
    return [pid for (pid,) in rows]


def backend_alive(pid: int) -> bool:
    return bool(execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]))


def due_requests(count: int) -> list[int]:
    """`count` requests whose implicit decision holds from today, half under each rule."""
    versions = [
        FormVersionFactory(procedure__silence_rule=rule, procedure__silence_delay="P30D")
        for rule in ("acceptance", "rejection")
    ]
    today = timezone.localdate()
    received_on = today - datetime.timedelta(days=31)  # 30 days end yesterday
    requests = [
        ServiceRequestFactory(
            form_version=versions[i % 2], received_on=received_on, decision_due_on=today
        )
        for i in range(count)
    ]
    return sorted(request.pk for request in requests)


def implicit_decisions_per_request() -> dict[int, int]:
    rows = (
        Event.objects.filter(kind=Event.Kind.IMPLICIT_DECISION)
        .values("request_id")
        .annotate(n=Count("id"))
    )
    return {row["request_id"]: row["n"] for row in rows}


def runs() -> set[str]:
    events = Event.objects.filter(kind=Event.Kind.IMPLICIT_DECISION)
    return {event.payload["run"] for event in events}


def decided_count() -> int:
    return ServiceRequest.objects.filter(implicit_decision_triggered_at__isnull=False).count()


def subjects(tmp_path: Path) -> list[str]:
    """The decoded subjects of the emails the workers wrote (Django's file backend: messages
    one after the other, each followed by a line of 79 dashes; long headers are folded)."""
    folder = tmp_path / "mail"
    if not folder.exists():
        return []
    found = []
    for path in folder.iterdir():
        for raw in path.read_text(errors="replace").split("-" * 79):
            if raw.strip():
                message = message_from_string(raw.lstrip("\n"))
                found.append(str(make_header(decode_header(message["Subject"] or ""))))
    return found


def emails_per_request(tmp_path: Path, ids: list[int]) -> dict[int, int]:
    """How many emails name each of these requests in their subject; emails about other
    requests (a task another test left behind) are not theirs to count."""
    references = dict(ServiceRequest.objects.filter(pk__in=ids).values_list("reference", "pk"))
    found = dict.fromkeys(ids, 0)
    for subject in subjects(tmp_path):
        for reference, pk in references.items():
            found[pk] += reference in subject
    return found


def test_two_sweeps_at_once_decide_each_request_once(tmp_path):
    ids = due_requests(40)
    first, second = queue_name(), queue_name()
    with (
        celery_worker(first, tmp_path=tmp_path, batch_size=5),
        celery_worker(second, tmp_path=tmp_path, batch_size=5),
        gate(shared=True, pause=0.01) as release,
    ):
        tasks.apply_implicit_decisions.apply_async(queue=first)
        tasks.apply_implicit_decisions.apply_async(queue=second)
        # Both are inside a batch, rows locked, before either writes a decision.
        assert wait_for(lambda: len(backends_waiting_at_the_gate()) == 2), "sweeps not at gate"
        release()
        assert wait_for(lambda: decided_count() == len(ids)), f"{decided_count()} decided"
        assert wait_for(lambda: Document.objects.count() == len(ids), timeout=120)
        twice_each = dict.fromkeys(ids, 2)  # the citizen and the team, once each
        assert wait_for(lambda: emails_per_request(tmp_path, ids) == twice_each, timeout=60), (
            emails_per_request(tmp_path, ids),
            subjects(tmp_path),
        )

    assert implicit_decisions_per_request() == dict.fromkeys(ids, 1)
    assert len(runs()) == 2, "both sweeps decided some requests"
    assert Document.objects.values("request").distinct().count() == len(ids)
    assert emails_per_request(tmp_path, ids) == twice_each


def test_a_sweep_killed_half_way_is_finished_by_the_next_without_doubles(tmp_path):
    ids = due_requests(30)
    stuck = ids[12]  # batch 3 of 5, after two requests of that batch were decided
    queue = queue_name()
    with gate(request_id=stuck) as release:
        with celery_worker(queue, tmp_path=tmp_path, batch_size=5) as worker:
            tasks.apply_implicit_decisions.apply_async(queue=queue)
            assert wait_for(lambda: len(backends_waiting_at_the_gate()) == 1)
            [backend] = backends_waiting_at_the_gate()
            # Batches 1 and 2 are committed; batch 3 is written up to the stuck request.
            assert decided_count() == 10
            worker.kill()  # SIGKILL in the middle of batch 3
            worker.wait()
        release()
        # PostgreSQL finds its client gone and rolls batch 3 back, releasing its rows.
        if not wait_for(lambda: not backend_alive(backend), timeout=20):
            execute("SELECT pg_terminate_backend(%s)", [backend])
            assert wait_for(lambda: not backend_alive(backend))
    assert decided_count() == 10
    assert ServiceRequest.objects.get(pk=ids[10]).status == Status.SUBMITTED  # rolled back

    queue = queue_name()
    with celery_worker(queue, tmp_path=tmp_path, batch_size=5):
        tasks.apply_implicit_decisions.apply_async(queue=queue)
        assert wait_for(lambda: decided_count() == len(ids))
        # The notices of the first run's committed batches, and of this run's.
        assert wait_for(lambda: Document.objects.count() == len(ids), timeout=120)
    assert implicit_decisions_per_request() == dict.fromkeys(ids, 1)
    assert len(runs()) == 2
    assert not ServiceRequest.objects.filter(pk__in=ids, status__in=["submitted"]).exists()


def test_a_request_decided_a_minute_before_the_sweep_is_left_alone(tmp_path):
    ids = due_requests(4)
    agent = UserFactory()
    request_decide(
        request=ServiceRequest.objects.get(pk=ids[1]),
        actor=agent,
        outcome="rejected",
        motive="Emplacement réservé au marché.",
    )
    queue = queue_name()
    with celery_worker(queue, tmp_path=tmp_path):
        tasks.apply_implicit_decisions.apply_async(queue=queue)
        assert wait_for(lambda: decided_count() == 3)
        # The three attestations, beside the letter of the explicit decision.
        assert wait_for(lambda: Document.objects.exclude(kind=Document.Kind.DECISION).count() == 3)
    explicit = ServiceRequest.objects.get(pk=ids[1])
    assert (explicit.status, explicit.implicit_decision_triggered_at) == (Status.REJECTED, None)
    assert set(implicit_decisions_per_request()) == {ids[0], ids[2], ids[3]}
    assert list(explicit.events.values_list("kind", flat=True)) == [Event.Kind.DECISION]


def in_thread(target) -> tuple[threading.Thread, dict]:
    """Run `target` in a thread with its own database connection; its outcome in the dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as exc:  # handed to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_an_agent_holding_the_request_wins_over_the_sweep():
    ids = due_requests(3)
    agent = UserFactory()
    decided, commit = threading.Event(), threading.Event()

    def agent_decides_slowly():
        from django.db import transaction

        with transaction.atomic():
            request_decide(
                request=ServiceRequest.objects.get(pk=ids[0]),
                actor=agent,
                outcome="accepted",
                motive="",
            )
            decided.set()
            commit.wait(30)  # the row stays locked meanwhile

    thread, outcome = in_thread(agent_decides_slowly)
    assert decided.wait(30)
    result = implicit_decisions_apply_due(notify=False)
    commit.set()
    thread.join(30)
    assert "error" not in outcome
    assert result.decided == 2  # the locked one was skipped
    assert implicit_decisions_apply_due(notify=False).decided == 0
    assert ServiceRequest.objects.get(pk=ids[0]).status == Status.ACCEPTED
    assert set(implicit_decisions_per_request()) == set(ids[1:])


def test_an_agent_deciding_while_the_sweep_holds_the_request_is_refused():
    [request_id] = due_requests(1)
    agent = UserFactory()
    with gate(request_id=request_id) as release:
        sweep, swept = in_thread(lambda: implicit_decisions_apply_due(notify=False))
        assert wait_for(lambda: len(backends_waiting_at_the_gate()) == 1)
        decision, decided = in_thread(
            lambda: request_decide(
                request=ServiceRequest.objects.get(pk=request_id),
                actor=agent,
                outcome="rejected",
                motive="Trop tard.",
            )
        )
        # The agent's transaction waits for the row the sweep holds.
        assert wait_for(
            lambda: execute("SELECT count(*) FROM pg_locks WHERE NOT granted")[0][0] >= 2
        )
        release()
        sweep.join(30)
        decision.join(30)
    assert swept["value"].decided == 1
    assert isinstance(decided.get("error"), TransitionRefused)
    request = ServiceRequest.objects.get(pk=request_id)
    assert request.status == Status.ACCEPTED_IMPLICITLY
    assert list(request.events.values_list("kind", flat=True)) == [Event.Kind.IMPLICIT_DECISION]
