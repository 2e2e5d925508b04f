"""Settings, all read from the environment (INTERFACES.md §1).

Without any variable set the portal runs as the embedded demo of `make run` would, minus
DEBUG: a SQLite file under var/ and Celery tasks executed in-process. Production sets
DATABASE_URL (PostgreSQL), REDIS_URL, DJANGO_SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL.
"""

import secrets
import sys
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = Env()

TESTING = "pytest" in sys.modules
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# Without a key, management commands (migrations, imports) still run on a throw-away key,
# but the web application refuses to start (portal/wsgi.py) and `check --deploy` fails.
SECRET_KEY_CONFIGURED = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = (
        "insecure-development-key-only-for-debug-and-tests-0123456789abcdef"
        if DEBUG or TESTING
        else secrets.token_urlsafe(50)
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "csp",
    "portal",
    "procedures",
    "dossiers",
    "reception",
    "reporting",
    "citizen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RejectNulMiddleware",
    "portal.request_memo.RequestMemoMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy on every response: scripts, styles, images and fonts only from
# the portal itself (no inline script or style on any page: the templates keep theirs in
# static/), nothing embedded elsewhere, no plugins. The API's documentation page adds the
# one inline style its Swagger UI template carries (portal/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
                "portal.context_processors.return_path",
                "reception.context_processors.officer_links",
            ],
        },
    },
]

# Database: SQLite file is the embedded default; PostgreSQL (psycopg 3) everywhere else.
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portal's queries are short, and on a few of them (the live
    # overdue count of a province) PostgreSQL's row estimate is far off and it spends
    # 30 ms compiling a query that runs in 10; the KPI refresh turns it off too.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The province this deployment serves, as shown in page headers and forms.
PORTAL_PROVINCE_NAME = env.str("PORTAL_PROVINCE_NAME", default="Thanh Hóa")
# Where citizens reach the portal: absolute links printed on paper (the receipt's QR code).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

REDIS_URL = env.str("REDIS_URL", default="")

# A one-line view at /bench/bare, the baseline of bench/load/run.py: set only on the
# benchmark's server, so a deployment never serves it.
PORTAL_BENCH_BARE_VIEW = env.bool("PORTAL_BENCH_BARE_VIEW", default=False)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that also takes an email address or a phone number as the username.
    "portal.auth_backends.IdentifierBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's own, with a message the Vietnamese catalogue translates.
    {"NAME": "portal.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# A sign-in without ?next= lands on the person's own page (counter, inbox, indicators…).
LOGIN_REDIRECT_URL = "portal:workspace"

# Login throttling: five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The number of trusted proxies in front of the portal (the TLS proxy: 1). Without one the
# X-Forwarded-For header is ignored; with N the N-th address from its right is the client's.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
# portal.client_ip reads the client's address (through django-ipware, given only the entry
# our outermost proxy wrote) for django-axes and the portal's own throttles alike.
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
# One lock per account whichever identifier was typed (email, phone or username).
AXES_USERNAME_CALLABLE = "portal.auth_backends.axes_username"
# The lockout page, in the visitor's language, with the cool-off time.
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.locked_out"

# Citizen accounts: the emailed verification link expires, resending is throttled, and
# the mail task retries with backoff while the mail server is down.
ACCOUNT_EMAIL_VERIFICATION_MAX_AGE = timedelta(
    hours=env.int("ACCOUNT_EMAIL_VERIFICATION_HOURS", default=72)
)
ACCOUNT_EMAIL_RESEND_SECONDS = env.int("ACCOUNT_EMAIL_RESEND_SECONDS", default=60)
ACCOUNT_EMAIL_MAX_RETRIES = env.int("ACCOUNT_EMAIL_MAX_RETRIES", default=8)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=24 * 60 * 60)

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded dossier files live outside the web root and are served only through views
# that check who may see the dossier.
MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Papers uploaded to a dossier: types recognised from the content, not the file name.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

# Online payment of fees (dossiers.payments): the provider by name, and the key the built-in
# simulated gateway signs its callbacks with. Without a key of its own the simulator signs
# with one derived from SECRET_KEY, so no deployment shares a publicly known key.
# Unset in production: no online payment until a real provider is configured (the simulated
# gateway marks fees paid without money; `make run` and the tests use it).
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="simulated" if DEBUG else "")
PAYMENT_SIMULATOR_SECRET = env.str("PAYMENT_SIMULATOR_SECRET", default="") or (
    f"payment-simulator:{SECRET_KEY}"
)
# A callback older (or further in the future) than this is refused as a replay.
PAYMENT_CALLBACK_MAX_AGE = env.int("PAYMENT_CALLBACK_MAX_AGE_SECONDS", default=300)

# E-mail: console in development, SMTP on localhost unless EMAIL_URL says otherwise.
vars().update(
    env.dj_email_url("EMAIL_URL", default="console://" if DEBUG else "smtp://localhost:25")
)
# RULES.md §5: "due soon" within this many working days of the due time.
DUE_SOON_WORKING_DAYS = env.float("DUE_SOON_WORKING_DAYS", default=1)

# The public status lookup (RULES.md §7), counted per client address (an IPv6 /64) in a
# fixed window: failed attempts per address and per code, and all lookups per address (a
# commune's public Wi-Fi is one address for everyone on it).
LOOKUP_WINDOW_MINUTES = env.int("LOOKUP_WINDOW_MINUTES", default=15)
LOOKUP_FAILURES_PER_ADDRESS = env.int("LOOKUP_FAILURES_PER_ADDRESS", default=5)
LOOKUP_FAILURES_PER_CODE = env.int("LOOKUP_FAILURES_PER_CODE", default=5)
LOOKUPS_PER_ADDRESS = env.int("LOOKUPS_PER_ADDRESS", default=60)
# The rate a new postal partner client gets (each client's own is edited in the admin).
PARTNER_REQUESTS_PER_MINUTE = env.int("PARTNER_REQUESTS_PER_MINUTE", default=120)
# A dashboard's figures are kept in the shared cache until the next snapshot refresh or a
# change of targets, scoring, organisation or catalogue; this bounds what a bulk import
# (which sends no signal) could leave stale. 0 turns the cache off.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=3)  # failed deliveries in a row
SMS_BACKEND = env.str("SMS_BACKEND", default="dossiers.sms.LoggingSmsBackend")
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=12)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng dịch vụ công <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Indicator snapshots (reporting.snapshots): no statement of a refresh runs longer than
# this; an incremental refresh whose changed keys hold more than this share of the counted
# dossiers runs as a full one, which then costs less (docs/PERFORMANCE.md, KPI snapshots).
KPI_REFRESH_TIMEOUT_SECONDS = env.int("KPI_REFRESH_TIMEOUT_SECONDS", default=900)
KPI_REFRESH_FULL_SHARE = env.float("KPI_REFRESH_FULL_SHARE", default=0.4)

# Celery: Redis as broker and result store. Without REDIS_URL (the embedded demo of
# `make run`) tasks run in-process; CI and production always set REDIS_URL.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task gives up on an unreachable broker within a second
# (portal.dispatch); the worker reconnects on its own.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1.0}
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Notifications whose hand-off to the broker failed (Redis down at commit).
    "sweep-notifications": {"task": "dossiers.tasks.sweep_notifications", "schedule": 120.0},
    "mark-deadlines": {"task": "dossiers.tasks.mark_deadlines", "schedule": 15 * 60.0},
    "collect-webhooks": {"task": "reception.tasks.collect_webhooks", "schedule": 60.0},
    # Indicator snapshots: changed dossiers soon after, everything every night.
    "refresh-snapshots-changed": {
        "task": "reporting.tasks.refresh_snapshots_changed",
        "schedule": 5 * 60.0,
    },
    "refresh-snapshots-full": {
        "task": "reporting.tasks.refresh_snapshots_full",
        "schedule": crontab(hour=1, minute=30),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "portal.api_errors.ErrorDocumentingAutoSchema",
    # One JSON body for every refusal: {"code", "message", "field", "errors"}.
    "EXCEPTION_HANDLER": "portal.api_errors.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Per client address (anonymous) or account; many citizens share a carrier's address.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="300/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "One-stop-shop portal API",
    "DESCRIPTION": "Procedures catalogue, dossiers and the postal partner API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Security. Production defaults are safe; `make run` turns DEBUG on for local HTTP.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers and container health checks probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if TESTING:
    SECURE_SSL_REDIRECT = False
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Logs go to stdout as single lines; they carry ids, never personal data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # PDF rendering narrates every step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
