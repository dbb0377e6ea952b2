"""Settings shared by every context, read from the environment (12-factor).

Every value that differs between a laptop, CI and production comes from an
environment variable; without one, the *embedded default* applies: SQLite, a
Celery broker on the local filesystem and mail written to ``var/mail``. That
is what ``make run`` uses, so a newcomer needs no server at all.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite, local mail, broker folders
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)  # whitenoise warns when STATIC_ROOT is missing

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "audit",
    "alumni",
    "surveys",
    "reports",
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
    # The request for audit receivers that get none (role changes in the admin): audit.middleware.
    "audit.middleware.CurrentRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Hardening (issue 12 item 7): the CSP header; no-store on personal pages.
    "csp.middleware.CSPMiddleware",
    "config.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The "Graduates" link in the navigation (institution admins only).
                "alumni.graduates.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'alumni.sqlite3'}")}
# Persistent connections: 0 closes each after its request (fine for SQLite and
# make run); a web server in front of PostgreSQL wants e.g. 60 (docker-compose).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# Health checks cost a query per request (Django's SELECT 1); on for flaky networks.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=False))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process, the worker and beat share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Lock an account+client after 5 failures for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Per client address across usernames: one address may not try 5 passwords on
# every account (that also covers one account from one address). The address
# is the one the guessing limit and the audit log use (config.clientip), so a
# client cannot dodge the lockout with its own X-Forwarded-For.
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_address"  # a valid address or None (inet column)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- I18n -----------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded cohort files hold personal data: never under a served URL.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Cohort upload limits (cohort-upload.md) ------------------------------
ALUMNI_UPLOAD_MAX_BYTES = env.int("ALUMNI_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024)
ALUMNI_UPLOAD_MAX_ROWS = env.int("ALUMNI_UPLOAD_MAX_ROWS", default=1_000_000)
# --- cohort uploads: limits checked before parsing (engineer D, issue 12 item 7)
# An .xlsx is a zip archive: refused when its members together unpack to more
# than this, before openpyxl reads any XML (a 3 MB "zip bomb" expands to GBs).
ALUMNI_UPLOAD_MAX_UNZIPPED_BYTES = env.int("ALUMNI_UPLOAD_MAX_UNZIPPED_BYTES", default=512 * 1024 * 1024)
# --- end cohort uploads

# --- E-mail -----------------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:port, smtp+tls://…, smtp+ssl://…
# Without it mail is written to var/mail (readable at /dev/mail/ under config.settings.local).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Alumni Monitor <alumnimonitor@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------
# With REDIS_URL: Redis. Without: kombu's filesystem transport, a broker that
# needs no server and works across the web, worker and beat processes.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Cache -------------------------------------------------------------------
# Redis with REDIS_URL (shared by every web process: the survey link's guessing
# counter must be); the process's memory otherwise.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Survey link (surveys/link/ratelimit.py) ------------------------------------
# Unknown-token lookups a client may make per window before its links answer 429.
SURVEYS_GUESS_LIMIT = env.int("SURVEYS_GUESS_LIMIT", default=20)
SURVEYS_GUESS_WINDOW_SECONDS = env.int("SURVEYS_GUESS_WINDOW_SECONDS", default=15 * 60)
SURVEYS_GUESS_KEY_PREFIX = env.str("SURVEYS_GUESS_KEY_PREFIX", default="survey-link-guess")
# Behind a reverse proxy: the request header with the client's address, as
# Django's META key (e.g. HTTP_X_REAL_IP, or HTTP_X_FORWARDED_FOR: its last
# address, the one our proxy added, is used). Empty: REMOTE_ADDR.
SURVEYS_CLIENT_IP_HEADER = env.str("SURVEYS_CLIENT_IP_HEADER", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Survey dispatch (see surveys/sending.py for the delivery guarantee) -------
# E-mails a worker claims and sends in one task, over one SMTP connection.
SURVEYS_BATCH_SIZE = env.int("SURVEYS_BATCH_SIZE", default=200)
# A claim's lease: the sending worker renews it every third of this while it
# works; rows of a worker that died go back to the queue once it ran out.
SURVEYS_CLAIM_LEASE_SECONDS = env.float("SURVEYS_CLAIM_LEASE_SECONDS", default=60)
# Back-off after a temporary SMTP failure: base x 2^(attempt-1), up to the maximum attempts.
SURVEYS_RETRY_BASE_SECONDS = env.float("SURVEYS_RETRY_BASE_SECONDS", default=60)
SURVEYS_MAX_SEND_ATTEMPTS = env.int("SURVEYS_MAX_SEND_ATTEMPTS", default=8)
# PostgreSQL: a sending batch's commits do not wait for the disk (surveys/sending.py,
# step 4, says what that risks: a database-server crash may re-send its last marks).
SURVEYS_ASYNC_COMMIT = env.bool("SURVEYS_ASYNC_COMMIT", default=False)
# How often beat plans the day and hands batches to the workers.
SURVEYS_DISPATCH_EVERY_SECONDS = env.float("SURVEYS_DISPATCH_EVERY_SECONDS", default=60)
# --- Privacy: erasure and retention (alumni.privacy, docs/privacy.md) -------------
# The key of the erasure tombstones (keyed hashes of erased student numbers and
# links); SECRET_KEY when empty. Set it once and keep it: a new key forgets
# every tombstone, so erased students could be imported again.
PRIVACY_HMAC_KEY = env.str("PRIVACY_HMAC_KEY", default="")
# Contact data (names, e-mail addresses) goes this many days after the last
# wave (T3) closed or could no longer be sent, unless the graduate joined the
# alumni network.
PRIVACY_CONTACT_GRACE_DAYS = env.int("PRIVACY_CONTACT_GRACE_DAYS", default=30)
# An upload checked but never confirmed: its file is deleted after this many hours.
PRIVACY_UNCONFIRMED_UPLOAD_HOURS = env.int("PRIVACY_UNCONFIRMED_UPLOAD_HOURS", default=24)
# Upload reports keep the rows to fix and the quoted values this many days, then only codes and counts.
PRIVACY_UPLOAD_REPORT_DAYS = env.int("PRIVACY_UPLOAD_REPORT_DAYS", default=30)
PRIVACY_RETENTION_HOUR = env.int("PRIVACY_RETENTION_HOUR", default=3)  # the daily run, local time
# --- end privacy ------------------------------------------------------------------

CELERY_BEAT_SCHEDULE = {
    "plan-and-dispatch-survey-mail": {
        "task": "surveys.tasks.dispatch",
        "schedule": SURVEYS_DISPATCH_EVERY_SECONDS,
    },
    "refresh-report-cube": {
        "task": "reports.tasks.refresh_cube",
        "schedule": 60.0,  # reports.cube: readers refresh themselves; this keeps it warm
    },
    "apply-retention": {
        "task": "alumni.tasks.apply_retention",
        "schedule": crontab(hour=PRIVACY_RETENTION_HOUR, minute=17),  # daily, alumni.privacy.retention
    },
}

# --- Reports: disclosure thresholds (reporting.md; read by reports.scoping) -----
REPORTS_MIN_GROUP_WITHIN = env.int("REPORTS_MIN_GROUP_WITHIN", default=10)
REPORTS_MIN_GROUP_CROSS = env.int("REPORTS_MIN_GROUP_CROSS", default=20)
REPORTS_MIN_COUNT = env.int("REPORTS_MIN_COUNT", default=5)
REPORTS_ROUNDING_BASE = env.int("REPORTS_ROUNDING_BASE", default=5)

# --- Hardening (issue 12 item 7; config/middleware.py, tests/config/) ------------
# Content-Security-Policy (django-csp 4): nothing but our own origin, no inline
# script or style; a template that needs an inline <script> uses request.csp_nonce.
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only.
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],  # data: for Bootstrap's inline SVG icons (form validation)
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CONTENT_TYPE_NOSNIFF = True
# The local mailbox (/dev/mail/) is mounted only when this is on: config.settings.local turns it on.
DEV_MAILBOX = env.bool("DEV_MAILBOX", default=False)
