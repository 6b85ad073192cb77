"""Production settings refuse to start without their secrets and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "-production-secret-0123456789-abcdefghij"


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    clean.update({"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"]})
    clean.update(env)
    for name in [k for k, v in clean.items() if v is None]:
        del clean[name]
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'gru.settings'; django.setup()"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY and ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_SECRET}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "gru.example.fr"}, "SECRET_KEY"),
        ({"DEBUG": "false", "ALLOWED_HOSTS": "gru.example.fr"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secrets(env, missing):
    result = run_python(SETUP, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"need {missing} in the environment" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run_python(SETUP, SECRET_KEY="django-insecure-short", ALLOWED_HOSTS="gru.example.fr")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_debug_settings_start_without_secrets():
    result = run_python(
        SETUP + "; from django.conf import settings; print(settings.DEBUG)", DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_python(
        "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'];"
        "from manage import main; main()",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="gru.example.fr",
        # The test environment relaxes these for plain HTTP; production keeps the defaults.
        SECURE_SSL_REDIRECT=None,
        SESSION_COOKIE_SECURE=None,
        CSRF_COOKIE_SECURE=None,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults(settings):
    """The running test settings are production ones but for plain HTTP."""
    assert settings.DEBUG is False
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.SECURE_HSTS_SECONDS >= 31_536_000
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_REFERRER_POLICY == "same-origin"
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["default-src"] == ["'self'"]
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
