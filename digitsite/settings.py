"""Digits settings, read from environment variables.

Defaults are for development (DEBUG on, SQLite under var/). Production sets DEBUG=false, and then
must also set SECRET_KEY and ALLOWED_HOSTS; the security settings below switch on by themselves.
"""
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from digitsite.caches import cache_config
from digitsite.database import database_from_url
from digitsite.env import env_bool, env_int, env_list, env_str
from digitsite.logconfig import logging_config
from digitsite.tasks_config import quick_train_options, tasks_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false (production)")
    SECRET_KEY = "django-insecure-dev-only-digits-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "recognizer",
]

MIDDLEWARE = [
    "digitsite.request_id.RequestIdMiddleware",  # first: every later log line carries the request id
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # with RequestMetricsMiddleware, last
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the language from set_language's cookie, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "recognizer.outages.OutageMiddleware",  # database or Redis down in a plain view: 503, not 500
    "digitsite.request_metrics.RequestMetricsMiddleware",  # last: latency per view
]

ROOT_URLCONF = "digitsite.urls"
WSGI_APPLICATION = "digitsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE, LANGUAGES, LANGUAGE_BIDI
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable host (packets dropped, not refused) would otherwise hold a worker for minutes per
    # request; after this many seconds the request answers 503 (recognizer/outages.py). Health checks on
    # reused connections (DB_CONN_MAX_AGE > 0) replace a connection PostgreSQL dropped, so a restart of
    # PostgreSQL needs no restart here.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages (docs/i18n.md): each visitor gets the one set_language's cookie names, else the best match of the
# browser's Accept-Language, else LANGUAGE_CODE; the page, the admin and the API's error messages alike.
# URLs carry no language prefix (the API's paths never change). Catalogues: locale/<code>/LC_MESSAGES.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest needs collectstatic first, so only production uses it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# --- Digits ---------------------------------------------------------------------------------------
MODEL_DIR = Path(env_str("MODEL_DIR", str(VAR_DIR / "models")))  # retrained model versions
MNIST_DIR = Path(env_str("MNIST_DIR", str(BASE_DIR.parent / "shared" / "data" / "mnist")))
# The number reader's line model (reads touching digits); numbers are read without it if the file is missing.
DIGITS_LINE_MODEL = Path(env_str("DIGITS_LINE_MODEL", str(BASE_DIR / "ml" / "artifacts" / "line.tflite")))
# LiteRT threads per model in each web process; 0: `ml.predictor.SERVING_THREADS` (2 on a machine with 2 cores or more).
DIGITS_INFERENCE_THREADS = env_int("DIGITS_INFERENCE_THREADS", 0)
DIGITS_MAX_UPLOAD_BYTES = env_int("DIGITS_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)  # one image file
DIGITS_MAX_PIXELS = env_int("DIGITS_MAX_PIXELS", 16_000_000)  # width x height of one image
DIGITS_MAX_BATCH = env_int("DIGITS_MAX_BATCH", 64)  # images in one batch request
DIGITS_MAX_REQUEST_BYTES = env_int("DIGITS_MAX_REQUEST_BYTES", 16 * 1024 * 1024)  # a batch request body
# Django's own guard on form fields (base64 images in multipart text fields count here).
DATA_UPLOAD_MAX_MEMORY_SIZE = DIGITS_MAX_REQUEST_BYTES

# Throttle counters live in the cache, so it must be shared by everything that serves: Redis for
# several servers (REDIS_URL), else files every gunicorn worker of one server shares (production's
# default); local memory would give each worker its own count, letting N workers pass N times the rate.
# Development and tests: one process, memory. See digitsite/caches.py.
REDIS_URL = env_str("REDIS_URL")  # e.g. redis://127.0.0.1:6379/0
CACHE_DIR = env_str("CACHE_DIR", "" if DEBUG else str(VAR_DIR / "cache"))
CACHES = cache_config(redis_url=REDIS_URL, cache_dir=CACHE_DIR)
# Redis down: the throttles fail open (decided: a lost rate limit for a while beats a lost site, and
# Redis is shared by every server, so failing closed would take all of them down at once). Requests go
# on unthrottled, /health reports "cache": "error" (still 200), and each request's failure is logged
# once (recognizer/outages.py, below). Nothing to restart when Redis returns: the next call reconnects.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# GET /metrics (digitsite/metrics_view.py): loopback only with DEBUG on; in production hidden until a
# token is set, then only for `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Request latency buckets (seconds): a prediction takes milliseconds, so the default's 10 ms floor is too coarse.
PROMETHEUS_LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["recognizer.permissions.IsStaff"],  # views open up explicitly
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "recognizer.parsers.JSONParser",  # DRF's, with deep nesting a 400
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "recognizer.pagination.DrawingPagination",
    "PAGE_SIZE": 50,
    # recognizer/throttles.py: anonymous clients per address at the scope's rate, signed-in users who
    # are not staff per account at the "user_" rate (higher: they are known), staff never.
    "DEFAULT_THROTTLE_RATES": {
        "predict": env_str("DIGITS_ANON_PREDICT_RATE", "120/min") or None,
        "feedback": env_str("DIGITS_ANON_FEEDBACK_RATE", "30/min") or None,
        "preview": env_str("DIGITS_ANON_PREVIEW_RATE", "600/min") or None,  # live answers while drawing
        "user_preview": env_str("DIGITS_USER_PREVIEW_RATE", "1200/min") or None,
        "user_predict": env_str("DIGITS_USER_PREDICT_RATE", "600/min") or None,
        "user_feedback": env_str("DIGITS_USER_FEEDBACK_RATE", "120/min") or None,
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0) or None,  # trusted proxies in front, for client IPs
    "EXCEPTION_HANDLER": "recognizer.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Digits API",
    "DESCRIPTION": "Draw a digit, get a prediction. Every drawing is stored and can be labelled.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: the docs work offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No online validator badge: it would fetch an image from swagger.io and send it our schema's URL.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # the default
        "recognizer.schema.drop_anonymous_security",  # public operations show no padlock
    ],
    # One name per choice set: `status` and `source` take different sets in different answers.
    "ENUM_NAME_OVERRIDES": {
        "DrawingSourceEnum": "recognizer.models.Drawing.Source",
        "UploadSourceEnum": ["page", "api"],
        "SuccessStatusEnum": ["success"],
        "ErrorStatusEnum": ["error"],
        "HealthStateEnum": ["ok", "error"],
    },
    "TAGS": [
        {"name": "predictions", "description": "Predict, read and label drawings."},
        {"name": "demo API", "description": "The Flask demo's endpoints, kept for its clients."},
        {"name": "health", "description": "For load balancers and monitors."},
    ],
}

# Accounts (recognizer/accounts, docs/accounts.md): sign up, log in and out, password reset by mail.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "recognizer:index"
LOGOUT_REDIRECT_URL = "recognizer:index"
# Password reset mails. The default writes each mail as a file under VAR_DIR/mail (works with nothing
# installed, and sends no reset link anywhere by accident); a real deployment sets EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST... settings below.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Digits <noreply@localhost>")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# JSON lines by default; LOG_FORMAT=text for people reading a terminal. Both carry the request id.
LOGGING = logging_config(
    log_format=env_str("LOG_FORMAT", "json"), level=LOG_LEVEL, django_level=env_str("DJANGO_LOG_LEVEL", "WARNING")
)
# django-redis logs each swallowed Redis error with a traceback: one line per request instead.
LOGGING["filters"]["cache_outage"] = {"()": "recognizer.outages.CacheOutageLogFilter"}
LOGGING["loggers"]["django_redis.cache"] = {"filters": ["cache_outage"]}

# --- Production security (DEBUG off); each overridable for unusual deployments --------------------
# Deploy checks a deployment turns off on purpose, e.g. `make serve-prod` on plain-HTTP loopback
# (ops/serve_prod.py says which and why). Empty by default: production silences nothing.
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    if env_bool("SECURE_PROXY_SSL_HEADER", False):  # only behind a proxy that sets it
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background jobs (recognizer/jobs): the task queue (digitsite/tasks_config.py) and how many threads
# TensorFlow may use in a job, 1 by default so a training leaves the other cores to the web server.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", "redis://127.0.0.1:6379/1")
TASKS, RQ_QUEUES, _TASK_APPS = tasks_config(TASKS_BACKEND, TASKS_REDIS_URL)
INSTALLED_APPS += _TASK_APPS
JOB_TF_THREADS = env_int("JOB_TF_THREADS", 1)
JOB_NICENESS = env_int("JOB_NICENESS", 10)  # a training job's nice value: the web server wins a shared core
JOB_QUICK_TRAIN_OPTIONS = quick_train_options(env_str("JOB_QUICK_TRAIN_OPTIONS", '{"quick": true}'))
