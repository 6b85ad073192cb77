"""The local OpenID provider (server.js, npm oidc-provider) as pytest fixtures.

`oidc_provider` (session scope) starts `node server.js` with the live server's redirect URIs,
waits for its discovery document, yields a `LocalProvider` (issuer and client credentials)
and stops it at the end. Use it from a test module with
`from tests.oidc_provider.fixtures import oidc_provider  # noqa: F401`.
Node.js and `npm ci` (node_modules/oidc-provider) are required: without them the tests fail
and say how to install them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SERVER = HERE / "server.js"
CLIENT_ID = "gru-test-client"
CLIENT_SECRET = "gru-test-secret-that-is-long-enough-0123456789"
START_TIMEOUT = 20


@dataclass(frozen=True)
class LocalProvider:
    issuer: str
    client_id: str
    client_secret: str

    def settings(self, prefix: str = "FRANCECONNECT") -> dict[str, str]:
        return {
            f"{prefix}_ISSUER": self.issuer,
            f"{prefix}_CLIENT_ID": self.client_id,
            f"{prefix}_CLIENT_SECRET": self.client_secret,
        }


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """The provider gets SIGTERM if the test process dies without stopping it (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def local_provider(
    redirect_uris: list[str], post_logout_redirect_uris: list[str], identity: str = "{}"
) -> Iterator[LocalProvider]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js is missing: install it (Debian: `apt-get install nodejs npm`) to run the "
            "local OpenID provider of the FranceConnect tests.",
            pytrace=False,
        )
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            f"{ROOT / 'node_modules' / 'oidc-provider'} is missing: run `npm ci` at the "
            "repository root to install the local OpenID provider.",
            pytrace=False,
        )
    env = {
        **os.environ,
        "OP_CLIENT_ID": CLIENT_ID,
        "OP_CLIENT_SECRET": CLIENT_SECRET,
        "OP_REDIRECT_URIS": ",".join(redirect_uris),
        "OP_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "OP_IDENTITY": identity,
        "OP_PORT": "0",
    }
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [node, str(SERVER)],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        try:
            issuer = _wait_ready(process, stderr)
            yield LocalProvider(issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            process.stdout.close()


def _wait_ready(process: subprocess.Popen, stderr) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    issuer = ""
    while not issuer and time.monotonic() < deadline and process.poll() is None:
        readable, _, _ = select.select([process.stdout], [], [], 0.5)
        if readable:
            line = process.stdout.readline().decode().strip()
            if line.startswith("READY "):
                issuer = line.split(" ", 1)[1]
    while issuer and time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            if response.ok and response.json().get("issuer") == issuer:
                return issuer
        time.sleep(0.2)
    stderr.seek(0)
    pytest.fail(
        "The local OpenID provider did not start:\n" + stderr.read().decode(errors="replace"),
        pytrace=False,
    )


@pytest.fixture(scope="session")
def oidc_provider(live_server) -> Iterator[LocalProvider]:
    base = live_server.url
    redirect_uris = [f"{base}/compte/franceconnect/retour/", f"{base}/agents/proconnect/retour/"]
    post_logout = [
        f"{base}/compte/franceconnect/deconnexion/retour/",
        f"{base}/agents/proconnect/deconnexion/retour/",
    ]
    with local_provider(redirect_uris, post_logout) as provider:
        yield provider
