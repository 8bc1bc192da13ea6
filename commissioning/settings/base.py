"""Base settings, read from the environment.

Embedded default (nothing set): SQLite in var/, Celery tasks run eagerly in-process.
DATABASE_URL selects PostgreSQL; REDIS_URL selects a real Celery broker.
"""

import datetime
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


IS_PRODUCTION = False

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-change-me"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "commissioning",
    "plans",
    "priorities",
    "finance",
    "governance",
]

MIDDLEWARE = [
    "commissioning.health.ProbeMiddleware",
    # Outside session and auth, which reach the database first: 503, not 500, when it is down.
    "commissioning.database_outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commissioning.urls"
WSGI_APPLICATION = "commissioning.wsgi.application"

TEMPLATES = [
    {
        # Pages: Jinja2 with the NHS.UK design system macros.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "commissioning.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "commissioning.context_processors.navigation",
            ],
        },
    },
    {
        # Django templates stay for the admin and the browsable API.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Development and tests: WhiteNoise reads the app's static folders live (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "commissioning.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery -----------------------------------------------------------------------------
# REDIS_URL unset: tasks run eagerly in-process (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# How long Redis keeps a task a dead worker took before handing it to another worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
}
# PDF packs: seconds to pause after each build step. Only the fault tests set it, to kill a
# worker mid-build; it is 0 everywhere else.
PACK_STEP_DELAY_SECONDS = float(os.environ.get("PACK_STEP_DELAY_SECONDS", "0"))
# Lost builds (plans/packs/recovery.py): a running build whose heartbeat is older than
# PACK_STALE_SECONDS has lost its worker; a queued one older than PACK_QUEUED_GRACE_SECONDS
# whose message the broker no longer holds has lost its message. Workers sweep for them on
# every (re)connection to the broker and every PACK_SWEEP_SECONDS (0: only on connection).
PACK_STALE_SECONDS = int(os.environ.get("PACK_STALE_SECONDS", "600"))
PACK_QUEUED_GRACE_SECONDS = int(os.environ.get("PACK_QUEUED_GRACE_SECONDS", "10"))
PACK_SWEEP_SECONDS = int(os.environ.get("PACK_SWEEP_SECONDS", "60"))
PACK_MAX_ATTEMPTS = int(os.environ.get("PACK_MAX_ATTEMPTS", "4"))
# Largest files the imports read (the whole file is read into memory): the national
# measurements file of every standard for every CCG over six years is about 100 MB, the
# NHS Digital practice register (epraccur.csv) about 3 MB. QIPP trackers: 5 MB (finance).
MEASUREMENT_IMPORT_MAX_BYTES = int(os.environ.get("MEASUREMENT_IMPORT_MAX_BYTES", 512 * 2**20))
PRACTICE_REGISTER_MAX_BYTES = int(os.environ.get("PRACTICE_REGISTER_MAX_BYTES", 64 * 2**20))

# --- Cache ------------------------------------------------------------------------------
# Shared by every process through Redis when REDIS_URL is set (API throttling counts live
# here); the in-process memory cache on the embedded default.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ccg"),
            "TIMEOUT": 300,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "commissioning.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["commissioning.permissions.ReadWithinScopeWriteStaff"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "commissioning.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "commissioning.api_errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "commissioning.throttling.TokenRateThrottle",
        "commissioning.throttling.UserRateThrottle",
        "commissioning.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_TOKEN", "600/min"),
        "user": os.environ.get("API_RATE_USER", "1200/min"),
        "anon": os.environ.get("API_RATE_ANON", "60/min"),
        "auth": os.environ.get("API_RATE_AUTH", "20/min"),
    },
    # Behind a proxy: the number of proxies whose X-Forwarded-For is trusted for the address.
    "NUM_PROXIES": int(os.environ.get("API_NUM_PROXIES") or 0) or None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        # Every list as a spreadsheet, ?format=csv or xlsx: commissioning/api_spreadsheets.py
        "commissioning.api_spreadsheets.CSVRenderer",
        "commissioning.api_spreadsheets.XLSXRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCG commissioning planning API",
    "DESCRIPTION": (
        "Plans, priorities, finance, governance and performance of NHS Clinical "
        "Commissioning Groups. Organisations are addressed by ODS code."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON (uploads declare multipart themselves): the
    # form and multipart twins DRF also parses made generated clients unusable.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "commissioning.api_schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PlanStateEnum": "plans.models.states.PlanState",
        "DeliveryStatusEnum": "priorities.models.status.DeliveryStatus",
        "PlanKindEnum": "plans.models.states.PlanKind",
        "PackKindEnum": "plans.models.packs.PackKind",
        "PackStatusEnum": "plans.models.packs.PackStatus",
    },
}

# --- Demo -------------------------------------------------------------------------------
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Security: CSP, sign-in lockout, sessions, admin path ---------------------------------
# docs/adr/0013-security-headers-and-login-throttling.md says why these and not others.
INSTALLED_APPS += ["csp", "axes"]
# Before django.contrib.auth, so its validating `createsuperuser` is the one found.
INSTALLED_APPS.insert(INSTALLED_APPS.index("django.contrib.auth"), "commissioning.passwords")
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a flagged sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]
# Content-Security-Policy on every response, in every settings module (tests see it too).
# No 'unsafe-inline' and no 'unsafe-eval': every script and style is a file under static/.
# The NHS web fonts are named by nhsuk-frontend's stylesheet at assets.nhs.uk.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in lockout (django-axes): after LOGIN_FAILURE_LIMIT failures for one username from
# one address, that pair is refused for LOGIN_LOCKOUT_MINUTES, on the sign-in page, the
# admin's and POST /api/v1/auth/token/ alike. The backend must come first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "commissioning.security.lockout_response"
# The address as the API throttles see it (API_NUM_PROXIES trusted X-Forwarded-For hops).
AXES_CLIENT_IP_CALLABLE = "commissioning.security.client_ip"

# Sessions: signed out after SESSION_AGE_SECONDS (8 hours) from sign-in; not extended by use.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_AGE_SECONDS", str(8 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# The admin's path (ADMIN_URL, default "admin/"): a deployment may move it off the usual one.
ADMIN_URL = (os.environ.get("ADMIN_URL", "").strip("/") or "admin") + "/"

# Benchmarks (bench/http_load.py): a trivial view at /bench/floor/ through the whole middleware
# stack, the "framework floor" pages are compared with. Off unless BENCH_FLOOR_VIEW=1.
BENCH_FLOOR_VIEW = env_bool("BENCH_FLOOR_VIEW", False)
