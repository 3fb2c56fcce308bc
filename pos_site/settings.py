"""Settings for the POS project, read from the environment with safe development defaults.

`DJANGO_ENV=production` switches to production mode: SECRET_KEY and ALLOWED_HOSTS must then
come from the environment, and `manage.py check --deploy` reports nothing.
See README.md ("Configuration") for every variable.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from .config import (
    SQLITE_ENGINE,
    ConfigError,
    database_config,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = (env_str("DJANGO_ENV", "development") or "development").lower()
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ConfigError(f"DJANGO_ENV must be development, test or production (got {DJANGO_ENV!r}).")
PRODUCTION = DJANGO_ENV == "production"

# --- Core -------------------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if not SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY is not set. In production set SECRET_KEY to a long random string, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ConfigError("SECRET_KEY must be at least 50 random characters in production.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ConfigError(
            "ALLOWED_HOSTS is not set. In production set ALLOWED_HOSTS to the comma-separated "
            "host names the shop is served under, e.g. pos.example.com."
        )
    DEBUG = False
else:
    # Development only: a fixed, clearly insecure key so sessions survive restarts.
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
    DEBUG = env_bool("DEBUG", DJANGO_ENV == "development")

INSTALLED_APPS = [
    "store",
    "catalog",
    "pos",
    "receipts",
    "analytics",
    "wagtail.contrib.settings",
    "wagtail.snippets",
    "pos_site.users_app.UsersConfig",  # wagtail.users: only administrators make administrators
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.sites",
    "wagtail.api.v3",  # only for Settings → API tokens in the admin; its API is not routed
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "django_filters",
    "djmoney",
    "rest_framework",
    "axes",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
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
    "pos_site.middleware.AdminAccessMiddleware",
    "pos_site.middleware.IdleSessionMiddleware",
    "pos_site.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pos_site.urls"
WSGI_APPLICATION = "pos_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "pos_site.context_processors.store",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {"default": database_config(env_str("DATABASE_URL"), str(BASE_DIR / "db.sqlite3"))}
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait for a writer instead of failing at once with "database is locked".
            "timeout": 20,
            # Write transactions take the write lock when they begin, so two registers never
            # both read and then deadlock upgrading to write; they queue instead.
            "transaction_mode": "IMMEDIATE",
            # WAL: readers never wait for the writer; FULL: a committed sale survives a power cut.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
WAGTAILADMIN_LOGIN_URL = "/login/"
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests (or e-mail hashes) from the admin
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# An idle register or back-office tab signs itself out after this many seconds without a
# request (0 turns it off). The register page polls nothing, so idle means nobody used it.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked for AXES_COOLOFF_MINUTES. Manager approvals on the
# register go through the same check, so a manager's password cannot be guessed there either.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "pos_site.auth_backends.ModelBackend",  # one query for permissions, not two
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pos_site.views.locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "pos_site.client_ip.client_ip"
# How many proxies of ours stand in front of the app and append to X-Forwarded-For (0: none,
# the client is REMOTE_ADDR). Never more than there are: a client could then choose its address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Content Security Policy (django-csp). Our pages have no inline scripts or styles (data for
# scripts travels in <script type="application/json">); Wagtail's admin gets the exception
# described in pos_site.middleware.ContentSecurityPolicyMiddleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en-us")
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
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
# Outside production WhiteNoise serves straight from the app folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
# Request bodies other than files (forms, API JSON): larger ones answer 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail ----------------------------------------------------------------------------
POS_STORE_NAME = env_str("POS_STORE_NAME", "Corner Shop")
WAGTAIL_SITE_NAME = POS_STORE_NAME
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# Product photos only: no SVG (it can carry script), no huge decompression bombs.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_COMMENTS_ENABLED = False

# --- Store ------------------------------------------------------------------------------
POS_DEFAULT_CURRENCY = (env_str("POS_DEFAULT_CURRENCY", "USD") or "USD").upper()
POS_DEFAULT_LOCALE = env_str("POS_DEFAULT_LOCALE", "en_US")
CURRENCIES = (POS_DEFAULT_CURRENCY,)
# Card payments: an adapter class with tokenize/charge/refund (see pos/payments.py).
POS_PAYMENT_GATEWAY = env_str("POS_PAYMENT_GATEWAY", "pos.payments.SimulatedGateway")
DEFAULT_CURRENCY = POS_DEFAULT_CURRENCY

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 with `WWW-Authenticate`,
    # which tells a client how to authenticate (a session-first API answers a bare 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pos_site.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "pos_site.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "POS API",
    "DESCRIPTION": "Catalog, cart, checkout and sales API of the point-of-sale system.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Only our versioned API is documented (Wagtail's internal admin API is not public).
    "PREPROCESSING_HOOKS": ["pos_site.api.public_endpoints_only"],
}

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connection may hang before giving up: low-stock alerts are sent in the
# request that sold the goods (after its commit), so a dead mail server must not hold it.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pos@localhost")

# --- Security ---------------------------------------------------------------------------
DEFAULT_EXCEPTION_REPORTER_FILTER = "pos_site.logging.PanSafeExceptionReporterFilter"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"  # Wagtail lifts this to SAMEORIGIN for its own preview frames.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        # Only behind a proxy that sets this header itself; otherwise clients could forge it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Card numbers are masked in every record as it is created (pos_site/logging.py).
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Wagtail runs its search-index updates as immediate tasks and logs each one at INFO.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "django.request": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
    },
}

# --- Receipts ---------------------------------------------------------------------------
# Receipt printer for ESC/POS output: "host:port" / "tcp://host:port" (raw TCP, usually
# port 9100), or a device or file path such as /dev/usb/lp0. Empty: no printer, the browser
# prints the receipt page instead.
RECEIPT_PRINTER = env_str("RECEIPT_PRINTER", "")
RECEIPT_PRINTER_COLUMNS = env_int("RECEIPT_PRINTER_COLUMNS", 0) or None  # None: by paper
RECEIPT_PRINTER_TIMEOUT = env_int("RECEIPT_PRINTER_TIMEOUT", 10)
# How long an emailed receipt link works without login (seconds; default 30 days).
RECEIPT_LINK_MAX_AGE = env_int("RECEIPT_LINK_MAX_AGE", 30 * 24 * 60 * 60)
# Links in receipt emails sent outside a web request start with this; default: the admin's.
RECEIPT_BASE_URL = env_str("RECEIPT_BASE_URL", "") or WAGTAILADMIN_BASE_URL
# Folder with DejaVuSans*.ttf for PDF receipts; empty: Debian's fonts-dejavu-core location,
# then the fonts bundled with reportlab.
RECEIPT_FONT_DIR = env_str("RECEIPT_FONT_DIR", "")
