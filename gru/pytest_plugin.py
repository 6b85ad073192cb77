"""Loaded first by pytest (`-p gru.pytest_plugin`): decides which PostgreSQL and Redis the
tests use before Django reads its settings.

DATABASE_URL / REDIS_URL from the environment win. Otherwise the servers on 127.0.0.1 are used
when they answer, and embedded ones (gru/embedded.py) are started when they do not, then
stopped at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import socket

import pytest

# What the test settings need, set explicitly: production settings (DEBUG off) served over
# plain HTTP by the test client and the live server.
TEST_ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "STATIC_MANIFEST": "false",
    "WHITENOISE_USE_FINDERS": "true",
    "EMAIL_URL": "consolemail://",
    "LOG_LEVEL": "WARNING",
}

_stack = contextlib.ExitStack()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _choose_services() -> None:
    for name, value in TEST_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if not os.environ.get("DATABASE_URL") and _answers(5432):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/gru"
    if not os.environ.get("REDIS_URL") and _answers(6379):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/1"
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        from gru.embedded import embedded_services

        _stack.enter_context(embedded_services())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # A wrapper runs before pytest-django's own hook, which reads the settings.
    _choose_services()
    return (yield)


def pytest_unconfigure(config):
    _stack.close()
