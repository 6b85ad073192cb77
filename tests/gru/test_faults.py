"""Nothing lost under faults (issue 13, items 4, 5 and 11), with real processes: a broker of the
test's own (Valkey) stopped or frozen while a citizen files, a mail server down for longer than
the old retry window, a Celery worker killed with SIGKILL in the middle of a task. PostgreSQL
restarts are not covered here."""

import contextlib
import datetime
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from kombu import pools

from gru.celery import app
from service_requests import outbox, tasks
from service_requests.models import OutboxMessage, ServiceRequest, Status
from tests.gru.test_cache_fallback import OwnRedis
from tests.gru.test_celery import database_url_of_test_database, wait_for
from tests.service_requests.test_filing import PROBLEME, session_entry, url
from tests.service_requests.test_filing import page_url as filing_page
from tests.service_requests.test_submit import SIGNALEMENT, demo_version, submit

ROOT = Path(__file__).resolve().parents[2]
CELERY_WORKER = [sys.executable, "-m", "celery", "-A", "gru", "worker", "--pool=solo", "-l", "INFO"]
pytestmark = pytest.mark.slow


# --- The test's own broker and worker ---------------------------------------------------------


def _point_celery_at(url: str) -> None:
    """The project's Celery app publishes to `url` from now on (its pools are dropped)."""
    app.conf.broker_url = url
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_broker(tmp_path):
    server = OwnRedis(tmp_path / "valkey")
    saved = app.conf.broker_url
    _point_celery_at(server.url)
    yield server
    _point_celery_at(saved)
    with contextlib.suppress(Exception):
        os.kill(server.server._process.pid, signal.SIGCONT)
    if server.server.is_running():
        server.server.stop()


@contextlib.contextmanager
def celery_worker(broker_url: str, tmp_path: Path, *, visibility_timeout: int = 1800):
    """A worker process on `broker_url`'s default queue, emails written as files."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
    }
    log_path = tmp_path / f"worker-{time.monotonic_ns()}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [*CELERY_WORKER, "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: "ready" in log_path.read_text(), timeout=60), "no worker"
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        print(log_path.read_text())


def mail_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "mail"
    return [path.read_text() for path in sorted(folder.glob("*"))] if folder.exists() else []


def file_through_the_web(client) -> tuple:
    """A citizen files the demo's road report through the pages; the last POST and its time."""
    version, slug = demo_version("signalement-voirie"), "signalement-voirie"
    assert client.get(url("start", slug)).status_code == 200
    assert client.post(filing_page(slug, "probleme"), PROBLEME).status_code == 302
    assert client.get(url("review", slug)).status_code == 200
    assert client.get(url("contact", slug)).status_code == 200
    key = session_entry(client, version)["key"]
    started = time.monotonic()
    response = client.post(
        url("contact", slug),
        {
            "email": "lea.durand@exemple.fr",
            "email_confirmation": "lea.durand@exemple.fr",
            "name": "Léa Durand",
            "idempotency_key": key,
        },
    )
    return response, time.monotonic() - started


# --- The broker down or frozen while a citizen files -----------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_a_citizen_files_with_the_broker_away_and_gets_the_email_once_it_is_back(
    client, own_broker, tmp_path, fault
):
    if fault == "stopped":
        own_broker.stop()
    else:
        os.kill(own_broker.server._process.pid, signal.SIGSTOP)

    response, took = file_through_the_web(client)

    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("confirmation", "signalement-voirie", request.reference)
    assert client.get(response["Location"]).status_code == 200  # the confirmation page
    assert took < 8  # the broker's timeouts, not a hung web worker
    assert request.status == Status.SUBMITTED
    [row] = OutboxMessage.objects.all()
    assert (row.task, row.request_id, row.state) == (tasks.send_receipt.name, request.pk, "pending")

    if fault == "stopped":
        own_broker.start()
    else:
        os.kill(own_broker.server._process.pid, signal.SIGCONT)
    _point_celery_at(own_broker.url)  # a fresh connection, as a new beat tick would open
    with celery_worker(own_broker.url, tmp_path):
        # The beat's next minute: the row is due (the hand-over at commit failed).
        caught_up = outbox.outbox_catch_up(now=timezone.now() + datetime.timedelta(minutes=2))
        assert caught_up.handed_over == 1
        assert wait_for(lambda: OutboxMessage.objects.get().state == "done", timeout=60)
    [email] = mail_files(tmp_path)
    assert "lea.durand@exemple.fr" in email and request.reference in email
    assert outbox.outbox_catch_up(now=timezone.now() + datetime.timedelta(hours=1)).due == 0


@pytest.mark.django_db(transaction=True)
def test_four_citizens_filing_at_once_on_a_frozen_broker_all_see_their_confirmation(
    own_broker, tmp_path
):
    """Issue 13, item 4: four citizens at once with Redis frozen (SIGSTOP) hung every gunicorn
    worker and got 500s for requests that were filed. Each answer now comes within the broker's
    timeouts, each request has its outbox row, and each email goes once Redis thaws."""
    demo_version("signalement-voirie")
    os.kill(own_broker.server._process.pid, signal.SIGSTOP)
    outcomes, errors = [], []
    barrier = threading.Barrier(4)

    def citizen():
        try:
            client = Client()
            barrier.wait(timeout=30)
            outcomes.append(file_through_the_web(client))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=citizen) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert [response.status_code for response, _ in outcomes] == [302] * 4
    print("answer times (s):", sorted(round(took, 2) for _, took in outcomes))
    assert max(took for _, took in outcomes) < 15, outcomes
    assert time.monotonic() - started < 60
    assert ServiceRequest.objects.count() == 4
    assert OutboxMessage.objects.filter(state="pending").count() == 4

    os.kill(own_broker.server._process.pid, signal.SIGCONT)
    _point_celery_at(own_broker.url)
    with celery_worker(own_broker.url, tmp_path):
        later = timezone.now() + datetime.timedelta(minutes=2)
        assert outbox.outbox_catch_up(now=later).handed_over == 4
        assert wait_for(lambda: not OutboxMessage.objects.exclude(state="done").exists(), 90)
    emails = mail_files(tmp_path)
    assert len(emails) == 4
    for request in ServiceRequest.objects.all():
        assert sum(request.reference in email for email in emails) == 1


# --- The mail server down for longer than the old retry window (75 s) ------------------------


class SmtpSink(socketserver.ThreadingTCPServer):
    """A mail server that accepts every message and keeps it (enough SMTP for smtplib)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int):
        self.messages: list = []
        super().__init__(("127.0.0.1", port), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(message_from_bytes(data))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def smtp_port(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return port


@pytest.mark.django_db
def test_a_mail_server_down_for_twenty_minutes_loses_nothing(smtp_port, eager_celery):
    """The old task gave up after 5 retries in 75 s. Through the outbox, the receipt is tried at
    0, 1, 3, 8 and 18 minutes and goes out, once, when the mail server is back."""
    t0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(t0, tick=False), TestCaseCallbacks():
        request = submit(demo_version("signalement-voirie"), SIGNALEMENT).request
    row = OutboxMessage.objects.get()
    assert (row.state, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    tried_at = []
    for _ in range(3):  # the mail server still down at each attempt
        moment = row.next_attempt_at + datetime.timedelta(seconds=1)
        tried_at.append(round((moment - t0).total_seconds() / 60))
        with time_machine.travel(moment):
            assert outbox.outbox_catch_up().handed_over == 1
        row.refresh_from_db()
        assert row.state == "pending"
    assert (row.attempts, tried_at) == (4, [1, 3, 8])
    assert row.next_attempt_at - t0 > datetime.timedelta(minutes=18)
    sink = SmtpSink(smtp_port)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        with time_machine.travel(row.next_attempt_at + datetime.timedelta(seconds=1)):
            assert outbox.outbox_catch_up().handed_over == 1
            assert outbox.outbox_catch_up().due == 0
        with time_machine.travel(t0 + datetime.timedelta(hours=3)):
            assert outbox.outbox_catch_up().due == 0
    finally:
        sink.shutdown()
        sink.server_close()
    [email] = sink.messages
    assert email["To"] == request.contact_email
    assert request.reference in email["Subject"] or request.reference in str(email)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("done", 5)


class TestCaseCallbacks:
    """The on-commit callbacks of the block run at its end, as after a real commit."""

    def __enter__(self):
        from django.test import TestCase

        self._context = TestCase.captureOnCommitCallbacks(execute=True)
        return self._context.__enter__()

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


# --- A worker killed with SIGKILL in the middle of a task -------------------------------------

GATE = 4_242_013  # the advisory lock the receipt's document insert waits on


def execute(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextlib.contextmanager
def receipt_gate():
    """Until released, a worker making a receipt stops when it inserts the document, inside
    its transaction: killed there, it has done nothing that lasts."""
    execute(
        f"""
        CREATE FUNCTION test_receipt_gate() RETURNS trigger AS $$
        BEGIN PERFORM pg_advisory_xact_lock({GATE}); RETURN NEW; END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER test_receipt_gate BEFORE INSERT ON service_requests_document
            FOR EACH ROW EXECUTE FUNCTION test_receipt_gate();
        """
    )
    execute("SELECT pg_advisory_lock(%s)", [GATE])
    try:
        yield
    finally:
        execute("SELECT pg_advisory_unlock(%s)", [GATE])
        execute("DROP TRIGGER IF EXISTS test_receipt_gate ON service_requests_document")
        execute("DROP FUNCTION IF EXISTS test_receipt_gate()")


def waiting_at_the_gate() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted",
            [GATE],
        )
        return bool(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("comes_back_by", ["broker", "catch_up"])
def test_a_worker_killed_mid_task_has_its_task_run_again_once(own_broker, tmp_path, comes_back_by):
    """SIGKILL while the worker makes the receipt: the message was not acknowledged (late
    acknowledgement) and the row not done. The broker gives the message back once its
    visibility timeout is over (seconds here, half an hour in production); if the message is
    lost too, the outbox's catch-up hands the row over again once the dead worker's lease is
    over (5 minutes, moved back here rather than waited for). Either way: one receipt, one
    email."""
    with receipt_gate():
        with celery_worker(own_broker.url, tmp_path, visibility_timeout=3) as worker:
            request = submit(demo_version("signalement-voirie"), SIGNALEMENT).request
            assert wait_for(waiting_at_the_gate, timeout=60), "the worker never got there"
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        row = OutboxMessage.objects.get()
        assert (row.state, row.attempts) == ("pending", 1)
        assert row.running_until > timezone.now()  # the dead worker's lease
    assert not request.documents.exists()  # its transaction died with it
    time.sleep(3)  # the visibility timeout: a worker starting now gives the message back
    # Five minutes later, as far as the lease is concerned.
    OutboxMessage.objects.filter(pk=row.pk).update(
        running_until=timezone.now() - datetime.timedelta(seconds=1),
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    if comes_back_by == "catch_up":
        with app.connection_for_write() as broker:
            broker.default_channel.client.flushall()  # the message is lost as well
    with celery_worker(own_broker.url, tmp_path, visibility_timeout=3):
        if comes_back_by == "catch_up":
            assert outbox.outbox_catch_up().handed_over == 1
        assert wait_for(lambda: OutboxMessage.objects.get().state == "done", timeout=60)
        time.sleep(4)  # a second redelivery, if any, would come now: it must find it done
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("done", 2)
    assert request.documents.count() == 1
    [email] = mail_files(tmp_path)
    assert request.reference in email
