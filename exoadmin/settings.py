"""exoadmin settings: everything comes from the environment (django-environ).

Development defaults are safe and need nothing set. EXOADMIN_ENV=production switches on the
production settings and then refuses to start without the secrets it needs.
"""

import base64
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

EXOADMIN_ENV = env.str("EXOADMIN_ENV", default="development")
PRODUCTION = EXOADMIN_ENV == "production"
if EXOADMIN_ENV not in ("development", "production"):
    raise ImproperlyConfigured("EXOADMIN_ENV must be 'development' or 'production'.")


def _required_in_production(name: str, dev_default: str) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when EXOADMIN_ENV=production.")
    return dev_default


SECRET_KEY = _required_in_production("SECRET_KEY", "dev-only-secret-key-never-use-in-production-0123456789abcdefghij")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Where Exotel can reach us (status callbacks). Loopback in development; public HTTPS in production.
EXOADMIN_PUBLIC_URL = env.str("EXOADMIN_PUBLIC_URL", default="" if PRODUCTION else "http://127.0.0.1:8000")
# The secret path segment of the Exotel webhook URL (Exotel signs nothing).
EXOTEL_WEBHOOK_TOKEN = _required_in_production("EXOTEL_WEBHOOK_TOKEN", "dev-webhook-token")

# Exotel secrets (API and app tokens) are encrypted at rest with these Fernet keys. The first
# encrypts; the others still decrypt, so keys can be rotated.
_dev_field_key = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[] if PRODUCTION else [_dev_field_key])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when EXOADMIN_ENV=production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "exoadmin.accounts",
    "exoadmin.health",
    "exoadmin.sandbox",
    "agents",
    "calls",
    "contacts",
    "teams",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "exoadmin.urls"
WSGI_APPLICATION = "exoadmin.wsgi.application"

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
                "exoadmin.accounts.context_processors.role",
                "exoadmin.queueing.jobs_paused",
            ],
        },
    },
]
# Widgets render through TEMPLATES, so templates/ can mend a widget's markup (admin date-time labels).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite is the embedded default; production and CI use PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'exoadmin.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so a Celery worker process can see the test database.
    DATABASES["default"]["TEST"] = {"NAME": env.str("EXOADMIN_TEST_DB", default=str(VAR_DIR / "test-exoadmin.sqlite3"))}
    # Web, worker and beat write at once: WAL lets readers run beside a writer, and IMMEDIATE
    # transactions take the write lock up front instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "exoadmin.postgresql"  # the same, with a breaker on connecting
    # Time limits: connecting (libpq's shortest is 2 s) and any one statement, DB_STATEMENT_TIMEOUT
    # seconds: web processes set 30 (exoadmin/asgi.py), far above the slowest report's query; workers
    # and management commands (migrations) have none: a worker may wait on a job's row lock.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _statement_ms = int(env.float("DB_STATEMENT_TIMEOUT", default=0) * 1000)
    _options["connect_timeout"] = 2
    _options["options"] = f"{_options.get('options', '')} -c statement_timeout={_statement_ms}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6390/0")  # broker and Exotel rate budget
# Seconds any Redis command may take before Redis counts as sick (exoadmin/redis.py): Redis answers
# in microseconds, and a page must still answer within 2 s when Redis hangs (the webhook's push has
# its own, shorter limit: calls/inbox.py).
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.75)


def cache_settings(redis_url: str) -> dict:
    """The cache gets the next Redis database, so clearing it never touches queued Celery tasks."""
    base, _, db = redis_url.rpartition("/")
    location = f"{base}/{int(db) + 1}" if db.isdigit() else f"{redis_url}/1"
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"pool_class": "exoadmin.redis.GuardedPool"},
        }
    }


CACHES = cache_settings(REDIS_URL)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static-collected"  # filled by `manage.py collectstatic` in production
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Exotel: base URLs come from each account's region unless overridden here. In development the
# sandbox (`manage.py exotel_sandbox`) is the default; production talks to Exotel itself.
EXOTEL_SANDBOX_PORT = env.int("EXOTEL_SANDBOX_PORT", default=8001)
_sandbox = "" if PRODUCTION else f"http://127.0.0.1:{EXOTEL_SANDBOX_PORT}"
EXOTEL_CCM_BASE_URL = env.str("EXOTEL_CCM_BASE_URL", default=_sandbox)
EXOTEL_CONTACTS_BASE_URL = env.str("EXOTEL_CONTACTS_BASE_URL", default=_sandbox)
EXOTEL_INTEGRATIONS_BASE_URL = env.str(
    "EXOTEL_INTEGRATIONS_BASE_URL", default=f"{_sandbox}/v2/integrations" if _sandbox else ""
)
# Recordings are fetched server-side only from URLs starting with one of these (Exotel's recording
# storage; seed 002), https only; in development also from the sandbox above. Add your cluster's
# storage if Exotel's recording links for your account point elsewhere.
EXOTEL_RECORDING_URL_PREFIXES = env.list(
    "EXOTEL_RECORDING_URL_PREFIXES",
    default=[
        "https://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings/",
        # The same S3 bucket addressed by name (bucket names are global: only Exotel's can answer here).
        "https://exotel-mum1-recordings.s3.ap-south-1.amazonaws.com/",
        "https://exotel-mum1-recordings.s3.amazonaws.com/",
    ],
)
if any(not prefix.startswith("https://") or len(prefix) <= len("https://") for prefix in EXOTEL_RECORDING_URL_PREFIXES):
    raise ImproperlyConfigured("Every EXOTEL_RECORDING_URL_PREFIXES entry must be an https:// URL (host and folder).")
EXOTEL_RATE_LIMIT_PER_MINUTE = env.int("EXOTEL_RATE_LIMIT_PER_MINUTE", default=200)
# Requests per minute that bulk work may never take, so a supervisor's click never waits.
EXOTEL_INTERACTIVE_RESERVE = env.int("EXOTEL_INTERACTIVE_RESERVE", default=10)
EXOTEL_CONNECT_TIMEOUT = env.float("EXOTEL_CONNECT_TIMEOUT", default=3.05)
EXOTEL_READ_TIMEOUT = env.float("EXOTEL_READ_TIMEOUT", default=15.0)

# Email (the daily report): printed to the log in development; in production SMTP from EMAIL_URL
# (e.g. smtp+tls://user:password@smtp.example.com:587). Without it nothing is sent and /healthz says so.
_email_url = env.str("EMAIL_URL", default="" if PRODUCTION else "consolemail://")
EMAIL_MISSING = not _email_url
if _email_url:
    globals().update(env.email_url_config(_email_url))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="" if PRODUCTION else "exoadmin <exoadmin@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Celery: Redis broker; progress and outcomes live in the database, not in a result backend.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_ROUTES = {"*.bulk_*": {"queue": "bulk"}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish waits no longer on a hung broker than any Redis command does, and is tried once;
# exoadmin/queueing.py stops sending while Redis is sick.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY = False  # redis-py's pool replaces a connection a restart closed by itself
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "exoadmin.health.tasks.record_worker_heartbeat", "schedule": 30.0},
    "calls-poll-stale": {"task": "calls.tasks.bulk_poll_stale_calls", "schedule": 60.0},
    "calls-drain-callback-inbox": {"task": "calls.tasks.drain_callback_inbox", "schedule": 30.0},
    "agents-sync": {"task": "agents.tasks.bulk_agents_sync_all", "schedule": 180.0},
    # Agents open boards show, re-read as their Exotel answer ages (agents.freshness); a sweep
    # that has not started within its interval is dropped: the next one is already queued.
    "agents-freshness": {
        "task": "agents.tasks.bulk_watched_agents_refresh",
        "schedule": 10.0,
        "options": {"expire_seconds": 10},
    },
    "agents-auto-off-rules": {"task": "agents.tasks.auto_off_rules_run_due", "schedule": 60.0},
    "contacts-resume-stalled": {"task": "contacts.tasks.resume_stalled_bulk_edits", "schedule": 15.0},
    # Integrations app tokens live 90 days; renewal starts three weeks before (accounts.integrations_token).
    "accounts-integrations-tokens": {
        "task": "exoadmin.accounts.tasks.bulk_integrations_tokens_renew",
        "schedule": 3600.0,
    },
    "reports-daily-emails": {"task": "reports.tasks.send_due_daily_emails", "schedule": 60.0},
}
# A worker that beat has not seen for this long is reported as down on /healthz.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=90)
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; with no token set it does not exist (404).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "exoadmin.logs.RedactSecrets"}},
    "formatters": {"json": {"()": "exoadmin.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
