"""docker-compose.yml and the Dockerfile, read as data: Docker does not run on the test
machines, so these tests pin what the deployment relies on."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
APP_SERVICES = ["web", "worker", "beat"]
# What the production settings need to start and to reach their servers.
REQUIRED_ENVIRONMENT = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
]


def command(service: dict) -> str:
    value = service.get("command", "")
    return shlex.join(value) if isinstance(value, list) else value


def environment(service: dict) -> dict[str, str]:
    value = service.get("environment") or {}
    if isinstance(value, list):
        return dict(item.split("=", 1) for item in value)
    return {name: str(v) for name, v in value.items()}


def service_with_image(*names: str) -> str:
    found = [
        name
        for name, service in SERVICES.items()
        if service.get("image", "").split("/")[-1].split(":")[0] in names
    ]
    assert found, f"no service runs an image named {' or '.join(names)}"
    return found[0]


DB = service_with_image("postgres")
REDIS = service_with_image("redis", "valkey")
MAIL = service_with_image("mailpit", "mailhog", "mailcatcher")


def one_shot(name: str) -> bool:
    """A job others wait on to finish (migrations), not a server: it needs no health check."""
    return any(
        (service.get("depends_on") or {}).get(name, {}).get("condition")
        == "service_completed_successfully"
        for service in SERVICES.values()
        if isinstance(service.get("depends_on"), dict)
    )


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, and $$ for a literal dollar."""

    def replace(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument if operator == ":-" else ""

    value = re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", replace, value)
    return value.replace("$$", "$")


def test_the_six_services_exist():
    assert {"web", "worker", "beat"} <= SERVICES.keys()
    assert len({DB, REDIS, MAIL}) == 3


def test_web_runs_gunicorn_on_the_wsgi_application():
    web = command(SERVICES["web"])
    assert shlex.split(web)[0] == "gunicorn"
    assert "gru.wsgi:application" in shlex.split(web)
    assert re.search(r"(--bind[= ]|-b )0\.0\.0\.0:8000", web)


def test_web_workers_come_from_the_environment():
    # Either an interpolated --workers, or gunicorn's own WEB_CONCURRENCY variable.
    workers = re.search(r"(?:--workers[= ]|-w )(\S+)", command(SERVICES["web"]))
    if workers:
        assert workers.group(1).startswith("${")
    else:
        assert "WEB_CONCURRENCY" in environment(SERVICES["web"])


def test_worker_and_beat_run_celery():
    assert shlex.split(command(SERVICES["worker"]))[:4] == ["celery", "-A", "gru", "worker"]
    assert shlex.split(command(SERVICES["beat"]))[:4] == ["celery", "-A", "gru", "beat"]


def test_migrations_run_before_the_application_starts():
    migrators = [name for name, s in SERVICES.items() if "manage.py migrate" in command(s)]
    assert migrators or "manage.py migrate" in command(SERVICES["web"])
    for migrator in migrators:
        assert one_shot(migrator)
        assert SERVICES[migrator]["depends_on"][DB]["condition"] == "service_healthy"
        for name in APP_SERVICES:
            condition = SERVICES[name]["depends_on"][migrator]["condition"]
            assert condition == "service_completed_successfully", name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_server_has_a_health_check(name):
    if one_shot(name):
        return
    healthcheck = SERVICES[name].get("healthcheck")
    assert healthcheck, f"{name} has no health check"
    assert not healthcheck.get("disable")
    test = healthcheck["test"]
    assert test and test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1


def health_check(name: str) -> str:
    return " ".join(SERVICES[name]["healthcheck"]["test"][1:])


def test_health_checks_ask_the_right_thing():
    assert "/healthz" in health_check("web")
    assert "celery -A gru inspect ping -d celery@$$HOSTNAME" in health_check("worker")
    assert "celery -A gru beat" in health_check("beat")
    assert "pg_isready" in health_check(DB)
    assert "redis-cli ping" in health_check(REDIS) or "valkey-cli ping" in health_check(REDIS)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_application_waits_for_healthy_servers(name):
    depends_on = SERVICES[name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on must give conditions"
    for server in (DB, REDIS):
        assert depends_on[server]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_application_gets_the_environment_the_settings_need(name):
    env = environment(SERVICES[name])
    missing = [variable for variable in REQUIRED_ENVIRONMENT if not env.get(variable)]
    assert not missing
    assert env["DEBUG"].lower() == "false"
    assert env["SECURE_SSL_REDIRECT"].lower() == "false"
    # The secret comes from the operator's environment, never from this file.
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert f"@{DB}:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith(f"redis://{REDIS}:6379/")
    assert env["EMAIL_URL"] == f"smtp://{MAIL}:1025"


def test_the_web_environment_starts_the_production_settings():
    """The web service's environment, interpolated as compose would, loads gru.settings."""
    operator = {"SECRET_KEY": "s" * 20 + "-operator-secret-0123456789-abcdefghijkl"}
    env = {
        name: interpolate(value, operator) for name, value in environment(SERVICES["web"]).items()
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'gru.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['HOST'], s.EMAIL_HOST, s.EMAIL_PORT, s.REDIS_URL,"
        " '127.0.0.1' in s.ALLOWED_HOSTS)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED_ENVIRONMENT}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", DB, MAIL, "1025", f"redis://{REDIS}:6379/0", "True"]


def test_the_secret_key_is_required():
    with pytest.raises(KeyError, match="SECRET_KEY"):
        interpolate(environment(SERVICES["web"])["SECRET_KEY"], {})


def test_the_database_keeps_its_data_on_a_named_volume():
    volumes = SERVICES[DB]["volumes"]
    data = [v for v in volumes if v.endswith(":/var/lib/postgresql/data")]
    assert data
    assert data[0].split(":")[0] in COMPOSE["volumes"]


def test_web_and_worker_share_the_private_files():
    for name in ("web", "worker"):
        media = environment(SERVICES[name])["PRIVATE_MEDIA_ROOT"]
        mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES[name]["volumes"]}
        assert mounts[media] in COMPOSE["volumes"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_image_is_python_3_11_slim():
    froms = [
        argument for instruction, argument in dockerfile_instructions() if instruction == "FROM"
    ]
    assert froms[-1].startswith("python:3.11-slim")


def test_the_image_installs_weasyprint_libraries():
    runs = " ".join(
        argument for instruction, argument in dockerfile_instructions() if instruction == "RUN"
    )
    installs = re.findall(r"apt-get install ([^&;]+)", runs)
    packages = set(" ".join(installs).split())
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b"} <= packages
    assert any(package.startswith("fonts-") for package in packages)


def test_the_image_installs_the_project_and_collects_static_files():
    runs = [argument for instruction, argument in dockerfile_instructions() if instruction == "RUN"]
    assert any(re.search(r"pip install (--\S+ )*\.(\s|$)", run) for run in runs)
    assert any("manage.py collectstatic --noinput" in run for run in runs)


def test_the_image_runs_as_a_non_root_user():
    users = [
        argument for instruction, argument in dockerfile_instructions() if instruction == "USER"
    ]
    assert users, "no USER instruction: the container would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    for name in APP_SERVICES:
        assert str(SERVICES[name].get("user", users[-1])).split(":")[0] not in {"root", "0"}


# --- The reverse proxy (issue 13, item 6) -----------------------------------------------------

NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def test_a_reverse_proxy_is_the_only_way_in():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["ports"] == ["8000:8000"]
    assert "ports" not in SERVICES["web"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "proxy_pass http://web:8000;" in NGINX


def test_the_proxy_overwrites_the_client_address_and_the_application_trusts_it_once():
    # Overwritten with what nginx saw, never appended to what the client sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX
    assert "$proxy_add_x_forwarded_for;" not in NGINX.split("#")[-1]
    for name in APP_SERVICES:
        assert environment(SERVICES[name])["TRUSTED_PROXY_COUNT"] == "1"


def test_the_proxy_bounds_the_body_as_the_application_does():
    from django.conf import settings

    (size,) = re.findall(r"client_max_body_size (\d+)m;", NGINX)
    assert int(size) * 1024 * 1024 == settings.MAX_REQUEST_BODY_BYTES


def test_the_cache_has_a_redis_of_its_own_capped_and_evicting_the_broker_none():
    cache = command(SERVICES["cache"])
    assert "--maxmemory 256mb" in cache
    assert "--maxmemory-policy allkeys-lru" in cache
    broker = command(SERVICES[REDIS])
    assert "maxmemory" not in broker  # noeviction: a queued message is never dropped
    for name in APP_SERVICES:
        env = environment(SERVICES[name])
        assert env["CACHE_URL"] == "redis://cache:6379/0"
        assert env["REDIS_URL"] == f"redis://{REDIS}:6379/0"
        assert SERVICES[name]["depends_on"]["cache"]["condition"] == "service_healthy"


def test_the_cache_url_defaults_to_the_broker(settings):
    from django.conf import settings as live

    assert live.CACHES["default"]["LOCATION"] == live.CACHE_URL
