"""With no DATABASE_URL / REDIS_URL, the two commands start embedded servers and stop them."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def servers_using(folder: Path) -> list[psutil.Process]:
    """PostgreSQL names its data folder on its command line; Valkey rewrites its process title,
    but runs in its data folder."""
    found = []
    for process in psutil.process_iter(["name", "cmdline", "cwd"]):
        name = process.info["name"] or ""
        cmdline = " ".join(process.info["cmdline"] or [])
        cwd = process.info["cwd"] or ""
        if (name == "postgres" and str(folder) in cmdline) or (
            name.startswith("valkey") and cwd.startswith(str(folder))
        ):
            found.append(process)
    return found


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def environment_without_servers(local: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"GRU_LOCAL_DIR": str(local), "DEBUG": "true", "EMAIL_URL": "consolemail://"})
    return env


@pytest.mark.slow
def test_embedded_servers_start_serve_and_stop_on_sigterm(tmp_path):
    script = (
        "import os, sys, time\n"
        "from gru.embedded import embedded_services\n"
        "with embedded_services() as started:\n"
        "    print(os.environ['DATABASE_URL'], os.environ['REDIS_URL'], flush=True)\n"
        "    time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment_without_servers(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        database_url, redis_url = process.stdout.readline().split()
        assert database_url.startswith("postgres://postgres@")
        assert redis_url.startswith("redis://127.0.0.1:")
        assert len(servers_using(tmp_path)) >= 2, "postgres and valkey should run"

        import psycopg
        import redis

        host = str(tmp_path / "pgdata")
        with psycopg.connect(host=host, user="postgres", dbname="gru") as conn:
            extensions = {
                row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")
            }
        assert {"pg_trgm", "unaccent"} <= extensions
        assert redis.Redis.from_url(redis_url).ping()

        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:  # the test failed half-way: leave no server behind
            os.killpg(process.pid, signal.SIGKILL)
            for server in servers_using(tmp_path):
                server.kill()
    deadline = time.monotonic() + 10
    while servers_using(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert servers_using(tmp_path) == [], "no orphan server after SIGTERM"


@pytest.mark.slow
def test_make_run_serves_the_portal_then_stops_everything(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rundev", f"--port={port}"],
        cwd=ROOT,
        env=environment_without_servers(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 120
        status, body = None, ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/readyz")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, body
        home_status, home = get(f"http://127.0.0.1:{port}/")
        assert home_status == 200
        assert "Ville de Démo" in home
        children = psutil.Process(process.pid).children(recursive=True)
        assert any("celery" in " ".join(c.cmdline()) and "worker" in c.cmdline() for c in children)
        assert any("celery" in " ".join(c.cmdline()) and "beat" in c.cmdline() for c in children)

        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None and not output:  # failed half-way: leave nothing behind
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            for server in servers_using(tmp_path):
                server.kill()
        if not output:
            output, _ = process.communicate()
        print(output)
    assert "GRU est prêt" in output
    assert "GRU est arrêté." in output
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        servers_using(tmp_path)
        or any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
    ):
        time.sleep(0.2)
    assert servers_using(tmp_path) == [], "no orphan database or Redis server"
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE], (
        "no orphan process"
    )
