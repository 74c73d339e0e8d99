"""Django settings for Haven, read from the environment.

HAVEN_ENV selects the mode: "development" (the default: `make run`, tests) creates a
secret key and data keys under var/ on first use; "production" requires every secret to
be given and turns on the transport security settings. DEBUG is off unless HAVEN_DEBUG
asks for it, in either mode.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from haven.config import ConfigError, env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

HAVEN_ENV = env_str("HAVEN_ENV", "development")
if HAVEN_ENV not in {"development", "production"}:
    raise ConfigError("HAVEN_ENV must be 'development' or 'production'.")
PRODUCTION = HAVEN_ENV == "production"

VAR_DIR = env_path("HAVEN_VAR_DIR", PROJECT_DIR / "var")

DEBUG = env_bool("HAVEN_DEBUG", default=False)


def _development_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = (
    env_str("HAVEN_SECRET_KEY")
    if PRODUCTION
    else env_str("HAVEN_SECRET_KEY", "") or _development_secret_key()
)

ALLOWED_HOSTS = (
    env_list("HAVEN_ALLOWED_HOSTS", [])
    if PRODUCTION
    else env_list("HAVEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("HAVEN_ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("HAVEN_CSRF_TRUSTED_ORIGINS", [])

# Keys for personal data live apart from SECRET_KEY: HAVEN_KEYS holds the key ring as
# JSON, or HAVEN_KEY_FILE names a file holding it. In development a key file is created
# under var/ on first use; production refuses to start without one (see haven.core.crypto).
HAVEN_KEYS_JSON = env_str("HAVEN_KEYS", "")
HAVEN_KEY_FILE = env_path("HAVEN_KEY_FILE", VAR_DIR / "keys.json")
HAVEN_CREATE_MISSING_KEYS = not PRODUCTION
# This deployment's private keys for cross-border referral files (`haven exchange init`).
HAVEN_EXCHANGE_KEY_FILE = env_path("HAVEN_EXCHANGE_KEY_FILE", VAR_DIR / "exchange.json")
# Days without an answer before a referral raises a reminder on both sides.
HAVEN_REFERRAL_REMINDER_DAYS = env_int("HAVEN_REFERRAL_REMINDER_DAYS", 3, minimum=1)
# Longest an emergency override may last, in hours.
HAVEN_OVERRIDE_MAX_HOURS = env_int("HAVEN_OVERRIDE_MAX_HOURS", 72, minimum=1)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "haven.core",
    "haven.accounts",
    "haven.audit",
    "haven.people",
    "haven.cases",
    "haven.screening",
    "haven.identification",
    "haven.assistance",
    "haven.directory",
    "haven.referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "haven.accounts.middleware.IdleTimeoutMiddleware",
    "haven.accounts.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "haven.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "haven.urls"
WSGI_APPLICATION = "haven.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haven.core.context_processors.haven",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haven.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

# Lockout after repeated failed sign-ins (password or second factor).
HAVEN_LOCKOUT_THRESHOLD = env_int("HAVEN_LOCKOUT_THRESHOLD", 5, minimum=1)
HAVEN_LOCKOUT_MINUTES = env_int("HAVEN_LOCKOUT_MINUTES", 15, minimum=1)
# Idle sessions end after this many seconds without a request.
HAVEN_IDLE_TIMEOUT = env_int("HAVEN_IDLE_TIMEOUT", 30 * 60, minimum=60)
# How long the password step stays valid while the second factor is asked for.
HAVEN_PENDING_LOGIN_SECONDS = 5 * 60

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "haven.core.views.csrf_failure"

# --- Security block --------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-haven-session"
    CSRF_COOKIE_NAME = "__Host-haven-csrf"
    SECURE_SSL_REDIRECT = env_bool("HAVEN_SSL_REDIRECT", default=True)
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HAVEN_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HAVEN_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("HAVEN_HSTS_PRELOAD", default=True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# --- Languages --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("id", _("Bahasa Indonesia")),
    ("th", _("Thai")),
    ("km", _("Khmer")),
    ("vi", _("Vietnamese")),
    ("my", _("Burmese")),
]
# Catalogues drafted by machine and not yet reviewed by a fluent speaker; the interface
# says so while one of these languages is active.
HAVEN_DRAFT_LANGUAGES = env_list("HAVEN_DRAFT_LANGUAGES", ["id", "th", "km", "vi", "my"])
LOCALE_PATHS = [BASE_DIR / "locale"]
# Unambiguous dates ("5 Jan 2026"), never the US month-first default.
FORMAT_MODULE_PATH = ["haven.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("HAVEN_TIME_ZONE", "UTC")
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

# --- Static files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or env_bool("HAVEN_COLLECTED_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the app folders when static files were not collected (tests).
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Logging ----------------------------------------------------------------------
# Log lines carry paths (which never hold personal data) and record references, never
# request bodies or form values.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HAVEN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering narrates every step at INFO; only problems matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
ADMINS: list[tuple[str, str]] = []
