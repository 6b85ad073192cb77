import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from gru.selectors import readiness


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_is_200_when_database_and_redis_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "checks": {"database": {"ok": True}, "redis": {"ok": True}},
    }


@pytest.mark.django_db
def test_readyz_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"] == "ConnectionError"


def test_readiness_names_the_database_when_it_is_down(django_db_blocker):
    unreachable = DatabaseWrapper(
        {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": 1, "CONN_MAX_AGE": 0},
        alias="unreachable",
    )
    try:
        with django_db_blocker.unblock():
            checks = readiness(unreachable)
    finally:
        unreachable.close()
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    assert checks["redis"] == {"ok": True}


def test_health_probes_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
