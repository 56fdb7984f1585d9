"""The portal's one settings module: everything comes from the environment.

With nothing set the portal runs on the embedded default (SQLite, a file cache and
media under ``var/`` (or ``VAR_DIR``), eager Celery, console e-mail, DEBUG off so that a
visitor sees the site's own error pages). Setting ``DATABASE_URL`` switches to the
production shape: a real SECRET_KEY required, secure cookies, HTTPS and HSTS. See
README.md and docs/architecture.md.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# The embedded default's database, cache and files (another folder lets a second copy run
# beside the first).
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
EMBEDDED = "DATABASE_URL" not in env
# Off unless asked for, on the embedded default too: a person trying the portal gets the
# site's own 403/404/500 pages, never Django's debug page listing every URL.
DEBUG = env.bool("DEBUG", default=False)
# The production hardening (a real SECRET_KEY, HTTPS, HSTS, secure cookies, hashed static
# files, staff MFA): everywhere but the embedded default and an explicit DEBUG.
HARDENED = not (EMBEDDED or DEBUG)

_DEV_SECRET_KEY = "django-insecure-embedded-default-only"  # noqa: S105 - never hardened
SECRET_KEY = env("SECRET_KEY", default="" if HARDENED else _DEV_SECRET_KEY)
if HARDENED and (
    len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

# The portal's public address, for links in e-mails, "Cite as" and PDF covers. bin/serve
# sets it to the address it serves (PORT); links built in a request use that request's.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
_LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=sorted({*_LOCAL_HOSTS, urlsplit(SITE_URL).hostname or "127.0.0.1"}),
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_NAME = "LeadIT"
CONTACT_EMAIL = env("CONTACT_EMAIL", default="secretariat@leadit.example")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "simple_history",
    "import_export",
    "django_filters",
    "django_countries",
    "leadit",
    "tracker",
    "members",
    "partnerships",
    "technology",
    "summits",
    "workplan",
    "publications",
]

MIDDLEWARE = [
    # Answers anonymous visitors from the page cache before anything else runs; it stores
    # the headers the middleware below adds (CSP, security) with the page.
    "leadit.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "leadit.middleware.StaffMFARequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = env("ROOT_URLCONF", default="leadit.urls")
WSGI_APPLICATION = "leadit.wsgi.application"

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
                "leadit.context_processors.portal",
            ],
            # ``{% url %}`` without arguments reversed once per process (the layout's links).
            "builtins": ["leadit.templatetags.plain_urls"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": env.db_url_config(f"sqlite:///{VAR_DIR / 'leadit.sqlite3'}")}
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    # Pool options are set here, not in DATABASE_URL: django-environ would pass them as
    # strings. A pool requires CONN_MAX_AGE = 0.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection before handing it out (psycopg_pool's
    # ConnectionPool.check_connection), so a connection that died while idle (a backend
    # terminated, PostgreSQL restarted) is replaced instead of failing a request. Django
    # 5.2 passes that check itself when CONN_HEALTH_CHECKS is on; "check" in the pool
    # options below would be passed twice (TypeError).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }

# --- Redis: cache and Celery broker ------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # A Redis that is down or hung degrades the cache, it does not break requests: short
    # socket timeouts, then leadit.redis_cache's breaker and fallback (docs/architecture.md).
    CACHES = {
        "default": {
            "BACKEND": "leadit.redis_cache.ResilientRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="leadit"),
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
else:
    # A cache every local process shares (bin/serve, management commands, a shell): an
    # import or an edit made elsewhere invalidates the cached pages the server answers from.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("CACHE_DIR", default=str(VAR_DIR / "cache")),
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# acks_late alone loses a job whose worker process dies; this puts it back on the queue.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# PDF rendering grows a worker's memory; recycle worker processes regularly.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=100)
# Must stay above the longest task, or Redis hands an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # A hung Redis must not hold a request that queues a job (the job row is kept and the
    # sweep sends it later): give up on the broker's socket after two seconds.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
# Sending a message tries the broker a few times, briefly, then gives up (job stays queued).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Tighter limits for tasks whose normal run time is known (publications.documents: a 50-page
# PDF renders in a few seconds).
CELERY_TASK_ANNOTATIONS = {
    "publications.render_document": {"soft_time_limit": 90, "time_limit": 120},
    "partnerships.render_factsheet": {"soft_time_limit": 90, "time_limit": 120},
    "technology.render_guideline_version": {"soft_time_limit": 90, "time_limit": 120},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A running job renews its lease in the database every JOB_HEARTBEAT_SECONDS; one not heard
# of for JOB_LEASE_SECONDS lost its worker and is queued again by the sweep (leadit.jobs).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=10.0)
JOB_LEASE_SECONDS = env.float("JOB_LEASE_SECONDS", default=30.0)
# Periodic jobs; each app's issue adds its entries here.
CELERY_BEAT_SCHEDULE: dict = {
    # Every 20 s: a job whose worker was killed is queued again within 50 s.
    "requeue-stale-jobs": {"task": "leadit.requeue_stale_jobs", "schedule": 20.0},
    # Events: agendas and minutes due in the next 3 days or overdue, once per day.
    "summits-deadline-reminders": {
        "task": "summits.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # PDFs on disk that no row references (a render whose row could not be saved).
    "publications-sweep-orphaned-pdfs": {
        "task": "publications.sweep_orphaned_pdfs",
        "schedule": 3600.0,
    },
    # Newsletter sends whose worker died (killed, machine lost) carry on within a minute.
    "publications-resume-stalled-sends": {
        "task": "publications.resume_stalled_sends",
        "schedule": 60.0,
    },
    # Partnerships: last week's digest to the secretariat, Mondays (once per week).
    "partnerships-secretariat-digest": {
        "task": "partnerships.send_secretariat_digest",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon"),
    },
    # Members who have not reported for a milestone yet, at its reminder steps (30 and 7
    # days before by default): daily, and at most once per person and step.
    "members-milestone-reminders": {
        "task": "members.send_milestone_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    # Last month's technology needs that fit each member's solutions, to its editors.
    "technology-needs-digest": {
        "task": "technology.send_needs_digests",
        "schedule": crontab(hour=6, minute=30, day_of_month=1),
    },
}

# --- Files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if HARDENED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without collectstatic (the embedded default, DEBUG) WhiteNoise serves the source folders.
WHITENOISE_USE_FINDERS = not HARDENED
WHITENOISE_AUTOREFRESH = not HARDENED
# Uploaded files under these prefixes of MEDIA_ROOT are public and served at MEDIA_URL
# (leadit.media); everything else (event documents under private/) only through views
# that check who asks.
PUBLIC_MEDIA_PREFIXES = ("members/logos/", "publications/covers/")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest event document (agenda, minutes, presentation) accepted.
EVENT_DOCUMENT_MAX_BYTES = env.int("EVENT_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A mail server that accepts the connection and then says nothing must not hold a request
# (on the embedded default jobs run inside it) or a worker for ever.
EMAIL_TIMEOUT = EMAIL_CONFIG.get("EMAIL_TIMEOUT") or env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"LeadIT Secretariat <{CONTACT_EMAIL}>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Secretariat", a) for a in env.list("ADMIN_EMAILS", default=[])]
# Where the secretariat is told about members' activity (besides every staff user).
ADMIN_NOTIFICATION_EMAILS = env.list("SECRETARIAT_NOTIFICATION_EMAILS", default=[])
# How long a newsletter sign-up's confirmation link works.
NEWSLETTER_CONFIRMATION_DAYS = env.int("NEWSLETTER_CONFIRMATION_DAYS", default=3)

# --- Accounts (django-allauth) ----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:dashboard"
ACCOUNT_ADAPTER = "leadit.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Five failed logins for one address within 15 minutes lock that address out for a while.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key"}
# How many proxies in front of the portal append to X-Forwarded-For (1 behind the one
# reverse proxy the README describes). 0 trusts no such header: each connection's own
# address counts. Without it, behind a proxy every client would share one rate-limit bucket.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[LeadIT] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HARDENED else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "LeadIT Portal"
# Accept the code of the neighbouring 30-second step too: phone clocks drift (RFC 6238 §5.2).
MFA_TOTP_TOLERANCE = 1
# Staff must have TOTP before they reach the admin: on in production, off on the
# embedded default so the demo staff user can log in straight away.
LEADIT_STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=HARDENED)

# --- Security ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "leadit.views.csrf_failure"
if HARDENED:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds every subdomain of the organisation's domain to HTTPS for
        # years: the operator opts in with SECURE_HSTS_PRELOAD=true, we do not assume it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# A strict policy: no inline script or style anywhere. Charts are server-rendered SVG.
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
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Import/export (see DESIGN.md §7 for why each is set) ---------------------------------
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: dozens of lines per PDF.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
