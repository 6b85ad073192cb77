"""A real HTTP receiver on 127.0.0.1 (a thread with http.server) that verifies signatures as
the README's recipe does, and the settings that let the platform post to it."""

import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest
from django.core.cache import cache

from webhooks import outbox


def verify(secret: str, headers, body: bytes) -> bool:
    """The README's recipe for receivers."""
    timestamp = headers["X-GRU-Timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    given = [p.strip().removeprefix("v1=") for p in headers["X-GRU-Signature"].split(",")]
    return any(hmac.compare_digest(expected, g) for g in given)


class Receiver:
    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []  # status codes to answer, in turn; then 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/gru"

    def handler(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"headers": dict(self.headers), "body": body, "path": self.path}
                )
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code < 300 else b"boom")

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def receiver():
    r = Receiver()
    r.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), r.handler())
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    _forget()
    yield
    _forget()  # the test's subscriptions are rolled back: so is the set of their kinds


def _forget():
    outbox._local["until"] = 0.0
    cache.delete(outbox.CACHE_KEY)


def payload_of(received: dict) -> dict:
    return json.loads(received["body"])
