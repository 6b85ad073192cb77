"""A real Celery worker, started as a process, consumes a task from the real Redis and changes
the real database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from gru.celery import app
from gru.tasks import clear_expired_sessions

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_database() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    """A worker on a queue of its own, so that no other worker on the same Redis steals the task."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
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
            f"--queues={queue}",
            f"--hostname={queue}@localhost",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_real_worker_clears_expired_sessions(worker_queue):
    now = timezone.now()
    Session.objects.create(
        session_key="expired" + "x" * 25, session_data="{}", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="current" + "x" * 25, session_data="{}", expire_date=now + timedelta(days=1)
    )

    clear_expired_sessions.apply_async(queue=worker_queue)

    assert wait_for(
        lambda: not Session.objects.filter(session_key__startswith="expired").exists()
    ), "the worker did not run the task"
    assert Session.objects.filter(session_key__startswith="current").exists()


def test_celery_configuration_is_safe_for_long_and_lost_tasks():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert "clear-expired-sessions" in conf.beat_schedule
    assert "gru.tasks.clear_expired_sessions" in app.tasks
