"""One settings module, driven by environment variables.

Nothing set → the embedded default: SQLite, Celery tasks in-process, DEBUG off (so `make run` sets
DEMO_MODE and DEBUG). `DATABASE_URL` → PostgreSQL; `REDIS_URL` → a Redis broker and real workers.
"""

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    """Read a yes/no setting; anything but the usual truthy words is false."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    """Read a whole-number setting, failing loudly on nonsense rather than guessing."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str) -> list[str]:
    """Read a comma-separated setting such as ALLOWED_HOSTS."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


TESTING = "pytest" in sys.modules or envbool("TESTING")
DEBUG = envbool("DEBUG")
# Demo mode: a banner on every page, MFA offered but not forced. Never for patient data.
DEMO_MODE = envbool("DEMO_MODE")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if DEBUG or TESTING:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-not-for-production-use-0123456789"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]
else:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        raise ImproperlyConfigured(
            f"{' and '.join(missing)} must be set when DEBUG is off (see .env.example). "
            "For a local demo use `make run`."
        )
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")  # old keys, kept while rotating (docs/operations.md)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "crispy_forms",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "web",
    "accounts",
    "referrals",
    "notices",
    "cycles",
    "vault",
    "letters",
    "outcomes",
    "governance",
    "audit",
    "discharge",
    "interop",
    "dashboards",
    "tooling",
]

MIDDLEWARE = [
    "web.middleware.RequestContextMiddleware",  # outermost: request id, log context, latency, database scope
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.ResolvedUserMiddleware",  # request.user itself, not two lazy proxies (hot attribute reads)
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "web.tombstones.GoneMiddleware",
    "web.pages.SavedOnceMiddleware",  # a form sent again lands on the first submission's page (web.submissions)
    "web.errors.ApiErrorsAsJson",  # innermost: JSON errors under /api/ even where DEBUG shows its own pages
]

ROOT_URLCONF = "vig_service.urls"
WSGI_APPLICATION = "vig_service.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.site_settings",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL is given.
# Persistent connections: each gunicorn worker thread and each Celery worker process keeps one connection to each
# database for CONN_MAX_AGE seconds (checked before reuse with CONN_HEALTH_CHECKS), so the connections a machine
# holds are about (gunicorn workers x threads) + Celery concurrency + 1 for beat; docs/operations.md has the sums
# and PgBouncer for when the machines together need more than PostgreSQL's max_connections.
CONN_MAX_AGE = envint("CONN_MAX_AGE", 60)
CONN_HEALTH_CHECKS = envbool("CONN_HEALTH_CHECKS", default=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# A streaming replica for reads that tolerate a second's lag (core/replica.py, ADR 0017).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")


def _postgres(url: str) -> dict:
    """One PostgreSQL (or SQLite) database from its URL, with the app's connection settings."""
    database = dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=CONN_HEALTH_CHECKS)
    if database["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: PostgreSQL compiles any plan it costs above jit_above_cost, which for the dashboard's
        # correlated counts costs 20-40 ms of compiling to save less; these are short queries. DATABASE_PG_OPTIONS
        # replaces this (e.g. "" to leave the server's setting alone, as behind PgBouncer, which refuses it).
        pg_options = os.environ.get("DATABASE_PG_OPTIONS", "-c jit=off")
        if pg_options:
            database.setdefault("OPTIONS", {})["options"] = pg_options
        # Behind PgBouncer in transaction mode a named cursor cannot outlive its transaction: `.iterator()` then
        # fetches in chunks from a client-side cursor instead (docs/operations.md).
        database["DISABLE_SERVER_SIDE_CURSORS"] = envbool("DATABASE_DISABLE_SERVER_SIDE_CURSORS")
    return database


if DATABASE_URL:
    DATABASES = {"default": _postgres(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) to be set too.")
    # Tests use the primary's test database for the replica's alias: the router is tested against a real replica
    # by tests/core/test_replica_streaming.py.
    DATABASES["replica"] = {**_postgres(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserBackend",  # Django's ModelBackend, its per-request read compiled once
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's PBKDF2-SHA256 at its own iterations, computed in lower-priority threads so that many sign-ins at once
# do not stall other people's pages (accounts/hashers.py); then Django's other hashers, for older hashes.
PASSWORD_HASHERS = [
    "accounts.hashers.GivingWayPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASHING_THREADS = envint("PASSWORD_HASHING_THREADS", 2)  # per worker process; more sign-ins queue
PASSWORD_HASHING_NICE = envint("PASSWORD_HASHING_NICE", 10)  # how far the hashing threads give way (0-19)
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG or TESTING  # serve straight from static/ without collectstatic in demo and tests
# Private files (letters, signed consent forms, dashboard exports, and any kind added later): never served as static
# or media; downloads go through access-checked, logged views. Each kind is one STORAGES alias with its own prefix:
# a folder under PRIVATE_FILES_ROOT, or, with OBJECT_STORAGE_BUCKET set, that prefix in one private S3-compatible
# bucket that every web and worker machine shares (core/storage.py, ADR 0015).
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", BASE_DIR / "private-files"))
OBJECT_STORAGE_BUCKET = os.environ.get("OBJECT_STORAGE_BUCKET", "").strip()
OBJECT_STORAGE_ENDPOINT_URL = os.environ.get("OBJECT_STORAGE_ENDPOINT_URL", "").strip()
OBJECT_STORAGE_OPTIONS = (
    {
        "bucket_name": OBJECT_STORAGE_BUCKET,
        "endpoint_url": OBJECT_STORAGE_ENDPOINT_URL or None,  # empty: AWS S3 itself
        "region_name": os.environ.get("OBJECT_STORAGE_REGION", "").strip() or None,
        # Empty: boto3's own chain (an instance role, AWS_* variables).
        "access_key": os.environ.get("OBJECT_STORAGE_ACCESS_KEY_ID", "") or None,
        "secret_key": os.environ.get("OBJECT_STORAGE_SECRET_ACCESS_KEY", "") or None,
        # MinIO and most S3-compatible servers want the bucket in the path, not the host name.
        "addressing_style": os.environ.get(
            "OBJECT_STORAGE_ADDRESSING_STYLE", "path" if OBJECT_STORAGE_ENDPOINT_URL else ""
        )
        or None,
        "signature_version": "s3v4",
        "querystring_auth": True,  # moot: these storages give no URL at all
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    if OBJECT_STORAGE_BUCKET
    else {}
)


def private_files(prefix: str) -> dict:
    """The STORAGES entry of one kind of private file: `prefix` under PRIVATE_FILES_ROOT, or in the bucket."""
    if OBJECT_STORAGE_OPTIONS:
        return {
            "BACKEND": "core.storage.PrivateObjectStorage",
            "OPTIONS": {**OBJECT_STORAGE_OPTIONS, "location": prefix},
        }
    return {"BACKEND": "core.storage.PrivateFolderStorage", "OPTIONS": {"subfolder": prefix}}


# The film vault (vault/, ADR 0026): films and clips encrypted per family, stored under "films/" in the private
# bucket (or folder). VAULT_KEY_ENCRYPTION_KEY wraps every family's data key and is held outside the database:
# "id:base64-of-32-bytes", the current key first, older ones after a comma while they are being rotated out.
# Demo mode and tests have a fixed development key; anywhere else an unset key leaves the vault closed.
VAULT_KEY_ENCRYPTION_KEY = os.environ.get("VAULT_KEY_ENCRYPTION_KEY", "").strip()
if not VAULT_KEY_ENCRYPTION_KEY and (DEMO_MODE or TESTING):
    VAULT_KEY_ENCRYPTION_KEY = "dev1:ZGV2LWtleS1ub3QtZm9yLXJlYWwtZmlsbXMtMzJieXQ="
VAULT_TEMP_DIR = os.environ.get("VAULT_TEMP_DIR", "").strip() or None  # private temp folders for ffmpeg; None: system
VAULT_CUT_SWEEP_AFTER_SECONDS = int(os.environ.get("VAULT_CUT_SWEEP_AFTER_SECONDS", "300"))
VAULT_CUT_SOFT_TIME_LIMIT = int(os.environ.get("VAULT_CUT_SOFT_TIME_LIMIT", "900"))
VAULT_CUT_DELAY_SECONDS = float(os.environ.get("VAULT_CUT_DELAY_SECONDS", "0") or 0)  # tests: kill a worker mid-cut

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "letters": private_files("letters"),
    # Dashboard exports prepared in the background (dashboards/storage.py): deleted after DASHBOARD_EXPORT_KEEP_DAYS.
    "dashboard_exports": private_files("dashboard-exports"),
    # Signed consent forms (cycles/uploads.py): their names already begin "consent-forms/".
    "consent_forms": private_files(""),
    # The film vault's ciphertext only (vault/storage.py): nothing readable without the family's key.
    "films": private_files("films"),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "web.static.StaticFiles"  # whitenoise's, each address remembered (web/static.py)
        )
    },
}

# The largest signed consent form accepted (cycles/uploads.py).
CONSENT_FORM_MAX_BYTES = envint("CONSENT_FORM_MAX_BYTES", 10 * 1024 * 1024)

# Sessions: the idle and absolute time-outs are both enforced by accounts.middleware, which ends the server-side
# session. The stored session lives as long as the absolute time-out so that the middleware, not a silently expired
# session, meets the first request after an idle spell: it knows who wrote a posted form and keeps it as their draft.
# Database sessions; a save is one UPDATE, not a transaction around a model save (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_IDLE_TIMEOUT_SECONDS = envint("SESSION_IDLE_TIMEOUT_MINUTES", 30) * 60
SESSION_ABSOLUTE_TIMEOUT_SECONDS = envint("SESSION_ABSOLUTE_TIMEOUT_HOURS", 10) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
# The session is saved when it changes: the idle time-out's "last seen" moves at most once a minute (the middleware),
# not on every request, which cost each page an UPDATE and a commit.
SESSION_TOUCH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A POST to one of these pages arriving after the idle time-out is kept as the writer's draft before signing out.
DRAFTABLE_URL_NAMES = ["cycles:visit_record"]
SESSION_TIMEOUT_DRAFT_SAVER = "cycles.drafts.save_from_request"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = envbool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

# Security headers (checked by `manage.py check --deploy` in `make test`).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY") else None
# How many proxies we run in front of the app; the client address is read from the header they append.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1 if envbool("BEHIND_TLS_PROXY") else 0)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
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

# Sign in with the trust's OpenID Connect provider (NHS CIS2 or another), off unless OIDC_ISSUER and
# OIDC_CLIENT_ID are set (accounts/oidc.py, ADR 0028; README "Sign in with your organisation's identity").
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256").strip()
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid").strip()
OIDC_ACR_CLAIM = os.environ.get("OIDC_ACR_CLAIM", "acr").strip()  # or amr, or authentication_assurance_level
OIDC_REQUIRED_ACR = envlist("OIDC_REQUIRED_ACR")  # values that skip our own second step; empty: it always applies
OIDC_ACR_VALUES = os.environ.get("OIDC_ACR_VALUES", "").strip()  # sent as acr_values when set
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "NHS Care Identity Service").strip()
OIDC_ACCOUNT_CONTACT = os.environ.get("OIDC_ACCOUNT_CONTACT", "a service admin of your VIG service").strip()
OIDC_TIMEOUT = envint("OIDC_TIMEOUT_SECONDS", 10)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
if OIDC_ISSUER:  # signing out sends the browser on to the provider's end-session page from the sign-out form
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("{0.scheme}://{0.netloc}".format(urlsplit(OIDC_ISSUER)))

# Failed log-ins: 5 tries per username+IP, then a 15-minute cool-off. Keyed on the pair, so an attacker
# elsewhere cannot lock a real user out, and the lock lifts by itself.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = envbool("AXES_ENABLED", default=True)
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_ip"  # one notion of "the caller's address" for axes and the log

OTP_TOTP_ISSUER = "VIG Service"

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.TokenAuthentication",  # knox's, without reading the user's other tokens each call
        "accounts.api_auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "web.pagination.HasNextPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "web.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: a referral's parents and children do not fit a form body, so the schema must not offer one.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=envint("API_TOKEN_TTL_HOURS", 8)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 5,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "VIG Service API",
    "DESCRIPTION": "Referrals, triage, allocation and caseloads of a Video Interaction Guidance service.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Each triage decision's own serializer names its one decision (the oneOf of POST .../triage/); shared enums.
    "ENUM_NAME_OVERRIDES": {
        "AcceptDecisionEnum": ["accept"],
        "DeclineDecisionEnum": ["decline"],
        "RequestInformationDecisionEnum": ["request_information"],
        "ActivityKindEnum": "cycles.models.ActivityKind",
        "ConsentItemEnum": "cycles.models.ConsentItem.choices",
    },
    # Every operation's 401, 403, 404, 400 and 413, as the API answers them (vig_service/api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "web.api.add_error_responses",
    ],
}

# Celery: a real broker with REDIS_URL, otherwise tasks run eagerly in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING  # tests opt in to a real worker explicitly
CELERY_TASK_EAGER_PROPAGATES = True
# Every task is idempotent and keeps its state in the database, so a task whose worker dies is delivered again
# (late acknowledgement, rejected when the worker is lost); time limits stop a stuck task, and the broker's
# visibility timeout (how long Redis waits before redelivering an unacknowledged task) is well above the longest
# time limit, so a slow task is never run twice at once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 180)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Publishing to a broker that is down fails fast (the letter waits as `queued` and the sweep sends it later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = envint("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_BEAT_SCHEDULE = {
    "purge-expired-api-tokens": {"task": "web.tasks.purge_expired_api_tokens", "schedule": 3600.0},
    "worker-heartbeat": {"task": "web.tasks.worker_heartbeat", "schedule": 60.0},
    "purge-used-submissions": {"task": "web.tasks.purge_used_submissions", "schedule": 3600.0},
    "overdue-visit-notices": {
        "task": "cycles.tasks.raise_overdue_visit_notices",
        "schedule": crontab(hour=6, minute=15),
    },
    # A risk answer nobody acted on within the service's working hours escalates (notices/escalation.py).
    "escalate-risk-notices": {"task": "notices.tasks.escalate_risk_notices", "schedule": 300.0},
    # Information a coordinator asked for, not received after the service's days (notices/awaiting_information.py).
    "remind-awaiting-information": {
        "task": "notices.tasks.remind_awaiting_information",
        "schedule": crontab(hour=7, minute=30),
    },
    "sweep-letters": {"task": "letters.tasks.sweep_letters", "schedule": 60.0},
    "sweep-dashboard-exports": {"task": "dashboards.tasks.sweep_exports", "schedule": 60.0},
    "sweep-clip-cuts": {"task": "vault.tasks.sweep_cuts", "schedule": 60.0},
    "sweep-dashboard-summaries": {"task": "dashboards.tasks.sweep_summaries", "schedule": 60.0},
    "flag-overdue-footage": {"task": "cycles.tasks.flag_overdue_footage", "schedule": crontab(hour=6, minute=0)},
    # The film vault destroys films due today or earlier (two-person services: a notice instead); vault/tasks.py.
    "destroy-due-films": {"task": "vault.tasks.destroy_due_films", "schedule": crontab(hour=5, minute=45)},
    # The access log's coming months, created ahead (accounts/partitions.py, ADR 0023); retention drops whole
    # months once ACCESS_LOG_RETENTION_MONTHS is set (governance).
    "access-log-partitions": {
        "task": "accounts.tasks.ensure_access_log_partitions",
        "schedule": crontab(hour=4, minute=10),
    },
    "access-log-retention": {
        "task": "governance.tasks.drop_expired_access_log_partitions",
        "schedule": crontab(day_of_month=2, hour=4, minute=40),
    },
    "retention-reviews-due": {
        "task": "governance.tasks.list_retention_reviews_due",
        "schedule": crontab(day_of_month=1, hour=5, minute=30),
    },
}
# Each worker records its own heartbeat this often (web/tasks.py), beat or no beat; /healthz calls the workers stale
# when the last heartbeat is older than WORKER_HEARTBEAT_STALE_SECONDS.
WORKER_HEARTBEAT_INTERVAL_SECONDS = envint("WORKER_HEARTBEAT_INTERVAL_SECONDS", 30)
WORKER_HEARTBEAT_STALE_SECONDS = envint("WORKER_HEARTBEAT_STALE_SECONDS", 300)
# A worker that starts re-sends letters and exports left in the pipeline longer than this (0: all of them; a
# duplicate of one another worker holds does nothing), so a crashed worker's work need not wait for beat.
WORKER_START_SWEEP_AFTER_SECONDS = envint("WORKER_START_SWEEP_AFTER_SECONDS", 0)

# Letters (letters/): a letter left queued or rendering this long is sent to the workers again by the sweep;
# a letter that fails this many render attempts stops as `failed` with its error.
LETTER_SWEEP_AFTER_SECONDS = envint("LETTER_SWEEP_AFTER_SECONDS", 180)
LETTER_RENDER_MAX_ATTEMPTS = envint("LETTER_RENDER_MAX_ATTEMPTS", 3)
LETTER_RENDER_SOFT_TIME_LIMIT = envint("LETTER_RENDER_SOFT_TIME_LIMIT", 60)
# The PDF template; tests point it at a missing template to make every render fail.
LETTER_TEMPLATE = os.environ.get("LETTER_TEMPLATE", "letters/pdf/letter.html")
# Test hook only: seconds each render waits first, so a test can kill the worker mid-render.
LETTER_RENDER_DELAY_SECONDS = float(os.environ.get("LETTER_RENDER_DELAY_SECONDS", "0") or 0)

# Dashboard exports (dashboards/): a figure's CSV of more rows than this (or with free text) is prepared in the
# background; an export left queued, or running without progress, this long is sent to the workers again; a
# prepared file is deleted this many days after it was made; an export running longer than the time limit fails.
DASHBOARD_EXPORT_INLINE_LIMIT = envint("DASHBOARD_EXPORT_INLINE_LIMIT", 5000)
DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS = envint("DASHBOARD_EXPORT_SWEEP_AFTER_SECONDS", 180)
DASHBOARD_EXPORT_KEEP_DAYS = envint("DASHBOARD_EXPORT_KEEP_DAYS", 7)
DASHBOARD_EXPORT_SOFT_TIME_LIMIT = envint("DASHBOARD_EXPORT_SOFT_TIME_LIMIT", 600)

# Key for hashing search terms in the access log (so the log holds no personal values).
ACCESS_LOG_HASH_KEY = os.environ.get("ACCESS_LOG_HASH_KEY", SECRET_KEY)
# Months of the access log kept on PostgreSQL, counted back from the start of this month; older months are dropped
# whole by a monthly beat task (governance, ADR 0023). 0 (the default) keeps every month: set it with the records
# manager. SQLite keeps every row whatever it says.
ACCESS_LOG_RETENTION_MONTHS = envint("ACCESS_LOG_RETENTION_MONTHS", 0)

# Email: SMTP when EMAIL_HOST is set; the console in demo mode (so the demo shows what would be sent); otherwise
# none. Risk-answer alerts are emailed as well as raised in the app only when EMAIL_CONFIGURED.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", default=True)
elif DEMO_MODE and not TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_CONFIGURED = bool(EMAIL_HOST) or DEMO_MODE
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vig-service@localhost")

# Logs: JSON lines on standard error, each with the request id, user id and route (core/logs.py). SQL is never
# logged (its parameters are families' data), whatever LOG_LEVEL says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonLinesFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # runserver's request lines quote the query string (searches carry names): our own line replaces them.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Metrics (/metrics, web/metrics.py): readable only from METRICS_ALLOWED_IPS (addresses or networks) and/or with
# the bearer token METRICS_TOKEN (both needed when both are set); neither set, nobody reads them.
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_network!r} is not an address or network") from exc
# Records counted by state at each scrape: kind -> (model, state field).
# kind: (model, state field, states left out). A letter that is ready stays ready for ever, and an export expires and
# stays expired: counting them at every scrape would read rows that only grow with the years (seconds at a national
# install), so only the states that are work in hand, a failure or (exports) a file still held are counted, from
# each table's status index.
METRICS_STATE_COUNTS = {
    "letters": ("letters.Letter", "status", ("ready",)),
    "exports": ("dashboards.DashboardExport", "status", ("expired",)),
}
METRICS_CELERY_QUEUES = ["celery"]
