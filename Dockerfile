# One image for the web process (gunicorn), the Celery worker and Celery beat.
# Build: docker compose build   (see docker-compose.yml for the services)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Run the source tree in /app, where the settings find templates/, static/ and locale/,
    # rather than the copy `pip install .` leaves in site-packages (celery -A imports from it).
    PYTHONPATH=/app \
    # gru.embedded creates this folder at start-up even when DATABASE_URL and REDIS_URL are
    # set (nothing is started then): it must be writable by the non-root user.
    GRU_LOCAL_DIR=/tmp/gru-local \
    # Uploaded and generated files: private, on a volume shared by web and worker.
    PRIVATE_MEDIA_ROOT=/data/media

# WeasyPrint's system libraries (Debian names from its installation guide: Pango, its
# FreeType backend, HarfBuzz with its subsetter, libffi for cffi) and fonts for the PDFs.
# procps gives `pgrep` to beat's health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libffi8 \
        fontconfig \
        fonts-dejavu-core \
        fonts-liberation2 \
        procps \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 gru \
    && useradd --system --uid 1000 --gid gru --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin gru

WORKDIR /app

# Dependencies first, so that a change in templates or static files reuses this layer.
# Only what the image needs is copied (no .venv, .local, .git, node_modules).
COPY pyproject.toml ./
COPY gru/ gru/
COPY citizens/ citizens/
COPY forms_builder/ forms_builder/
COPY service_requests/ service_requests/
COPY backoffice/ backoffice/
COPY demo/ demo/
RUN pip install . \
    && rm -rf build *.egg-info

COPY manage.py ./
COPY templates/ templates/
COPY static/ static/
# locale/ holds no catalogue yet (and git keeps no empty folder): when it does, copy it here
# and compile it (`manage.py compilemessages`, which needs Debian's gettext).

# Static files are collected at build time and served by WhiteNoise. The production settings
# need a secret and hosts to load, and the variables below keep manage.py from starting the
# embedded servers: none of these values is used at run time.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-build-only-value-not-a-secret-0123456789abcdef \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    python manage.py collectstatic --noinput

RUN mkdir -p /data/media \
    && chown gru:gru /data/media \
    && chmod 0750 /data/media

USER gru

EXPOSE 8000
CMD ["gunicorn", "gru.wsgi:application", "--bind", "0.0.0.0:8000"]
