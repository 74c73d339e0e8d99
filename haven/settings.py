"""Django settings for Haven, read from the environment.

HAVEN_ENV selects the mode: "development" (the default: `make run`, tests) creates a
secret key and data keys under var/ on first use; "production" requires every secret to
be given and turns on the transport security settings. DEBUG is off unless HAVEN_DEBUG
asks for it, in either mode.
"""

from __future__ import annotations

import os
import re
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
if PRODUCTION and DEBUG:
    raise ConfigError("HAVEN_DEBUG must be off in production: debug pages show personal data.")


def _private_var_dir() -> None:
    """var/ holds the development secret key, key ring and database: its owner only."""
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(VAR_DIR, 0o700)


def _owner_only(path: Path, mode: int = 0o600) -> None:
    """Narrow a file Haven created earlier with a looser mode (before this rule)."""
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(mode)


def _create_private(path: Path, content: str = "") -> None:
    """Create `path` readable by its owner only from the first byte (no chmod race)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(content)


def _development_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    _private_var_dir()
    if not path.exists():
        _create_private(path, secrets.token_urlsafe(64))
    _owner_only(path)
    return path.read_text().strip()


# Keys anyone could guess: the word "secret" and friends, and what Django's startproject
# writes (django-insecure-...). Length alone would let "x" * 50 through.
WEAK_SECRET_KEYS = frozenset({"changeme", "change-me", "secret", "password", "x", "haven"})
MIN_SECRET_KEY_LENGTH = 50


def _production_secret_key() -> str:
    key = env_str("HAVEN_SECRET_KEY")
    if (
        len(key) < MIN_SECRET_KEY_LENGTH
        or key.strip().lower() in WEAK_SECRET_KEYS
        or key.startswith("django-insecure-")
        or len(set(key)) < 5  # Django's own check (security.W009) asks for 5
    ):
        raise ConfigError(
            f"HAVEN_SECRET_KEY is too weak for production: give at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters (e.g. from `python -c "
            f"'import secrets; print(secrets.token_urlsafe(64))'`)."
        )
    return key


SECRET_KEY = (
    _production_secret_key()
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
if PRODUCTION and "*" in ALLOWED_HOSTS:
    raise ConfigError("HAVEN_ALLOWED_HOSTS must name the host names in production, not '*'.")
CSRF_TRUSTED_ORIGINS = env_list("HAVEN_CSRF_TRUSTED_ORIGINS", [])

# Keys for personal data live apart from SECRET_KEY: HAVEN_KEYS holds the key ring as
# JSON, or HAVEN_KEY_FILE names a file holding it. In development a key file is created
# under var/ on first use; production refuses to start without one (see haven.core.crypto).
HAVEN_KEYS_JSON = env_str("HAVEN_KEYS", "")
HAVEN_KEY_FILE = env_path("HAVEN_KEY_FILE", VAR_DIR / "keys.json")
HAVEN_CREATE_MISSING_KEYS = not PRODUCTION
if PRODUCTION and not HAVEN_KEYS_JSON and not HAVEN_KEY_FILE.is_file():
    raise ConfigError(
        "No Haven key ring in production: set HAVEN_KEYS, or HAVEN_KEY_FILE to an existing "
        "key file (see README, Key management)."
    )
# This deployment's private keys for cross-border referral files (`haven exchange init`).
HAVEN_EXCHANGE_KEY_FILE = env_path("HAVEN_EXCHANGE_KEY_FILE", VAR_DIR / "exchange.json")
# Days without an answer before a referral raises a reminder on both sides.
HAVEN_REFERRAL_REMINDER_DAYS = env_int("HAVEN_REFERRAL_REMINDER_DAYS", 3, minimum=1)
# Longest an emergency override may last, in hours.
HAVEN_OVERRIDE_MAX_HOURS = env_int("HAVEN_OVERRIDE_MAX_HOURS", 72, minimum=1)
# PostgreSQL: the application's role, which owns nothing. `haven migrate`, run as the
# owner, grants it exactly the application's privileges (haven.core.dbroles).
HAVEN_APP_DB_ROLE = env_str("HAVEN_APP_DB_ROLE", "")
if HAVEN_APP_DB_ROLE and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", HAVEN_APP_DB_ROLE):
    raise ConfigError("HAVEN_APP_DB_ROLE must be a plain PostgreSQL role name (a-z, 0-9, _).")

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
    "haven.care",
    "haven.justice",
    "haven.directory",
    "haven.referrals",
    "haven.translations",
    "haven.stats",
    "haven.interop",
    "haven.api",
    "haven.rights",
    "haven.hotline",
    "haven.training",
    # The API's documentation pages (Swagger UI, Redoc) are served from its own static files.
    "ninja",
    # After Haven's apps, so that Haven's templates for allauth's pages are found first.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]

MIDDLEWARE = [
    "haven.core.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before the language is chosen: wordings accepted in another process are in place.
    "haven.translations.middleware.TranslationRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (its refusal is translated), before CSRF reads a body.
    "haven.core.middleware.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which space the request is in: a training organisation's pages and PDFs say TRAINING.
    "haven.core.training.TrainingSpaceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "haven.accounts.middleware.IdleTimeoutMiddleware",
    "haven.accounts.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "haven.accounts.middleware.SecurityStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "haven.core.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a request that locked an account into the
    # sign-in page's answer.
    "axes.middleware.AxesMiddleware",
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
    _sqlite = Path(str(DATABASES["default"]["NAME"]))
    if not PRODUCTION and _sqlite.parent == VAR_DIR:
        # Created empty here, owner-only, before SQLite would create it with the umask;
        # SQLite gives its journal and WAL files the database file's mode.
        _private_var_dir()
        if not _sqlite.exists():
            _create_private(_sqlite)
        _owner_only(_sqlite)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked account before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "haven.accounts.backends.OrganisationModelBackend",
]
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"

# Lockout after repeated failed sign-ins (password or second factor).
HAVEN_LOCKOUT_THRESHOLD = env_int("HAVEN_LOCKOUT_THRESHOLD", 5, minimum=1)
HAVEN_LOCKOUT_MINUTES = env_int("HAVEN_LOCKOUT_MINUTES", 15, minimum=1)
# Idle sessions end after this many seconds without a request.
HAVEN_IDLE_TIMEOUT = env_int("HAVEN_IDLE_TIMEOUT", 30 * 60, minimum=60)
# API calls allowed per minute: per token, and per address for the public directory.
HAVEN_API_RATE = env_int("HAVEN_API_RATE", 120, minimum=1)
HAVEN_API_PUBLIC_RATE = env_int("HAVEN_API_PUBLIC_RATE", 60, minimum=1)
# How long the password step stays valid while the second factor is asked for.
HAVEN_PENDING_LOGIN_SECONDS = 5 * 60
# Who can give a staff member a new password: "admin" (an organisation admin sets a
# temporary one, changed at the next sign-in) or "email" (also a link sent to the
# member's verified work e-mail). Neither signs anyone in: the second factor is still asked.
HAVEN_PASSWORD_RESET = env_str("HAVEN_PASSWORD_RESET", "admin")
if HAVEN_PASSWORD_RESET not in {"admin", "email"}:
    raise ConfigError('HAVEN_PASSWORD_RESET must be "admin" or "email".')

# --- Sign-in: django-allauth (account, mfa) and django-axes ------------------------
# Haven's own pages and forms (haven.accounts) on allauth's flows. No sign-up: accounts
# are created by an organisation admin or `haven user create`.
ACCOUNT_ADAPTER = "haven.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "haven.accounts.forms.LoginForm",
    "change_password": "haven.accounts.forms.ChangePasswordForm",
    "reset_password": "haven.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "haven.accounts.forms.ResetPasswordKeyForm",
    "reauthenticate": "haven.accounts.forms.ReauthenticateForm",
}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_TIMEOUT = HAVEN_PENDING_LOGIN_SECONDS
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# No mail to addresses that are not a verified work address of an account.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
# Lockout per account is django-axes' (below); allauth keeps its per-address limits on
# password reset and password change, and none on failed sign-ins, which would
# otherwise lock a whole office behind one shared address.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None}
MFA_ADAPTER = "haven.accounts.adapter.MFAAdapter"
MFA_FORMS = {
    "authenticate": "haven.accounts.forms.AuthenticateForm",
    "authenticate_webauthn": "haven.accounts.forms.AuthenticateWebAuthnForm",
    "reauthenticate": "haven.accounts.forms.MFAReauthenticateForm",
    "activate_totp": "haven.accounts.forms.ActivateTOTPForm",
    "add_webauthn": "haven.accounts.forms.AddWebAuthnForm",
    "generate_recovery_codes": "haven.accounts.forms.GenerateRecoveryCodesForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Haven"
# One step of clock drift either side, as before the move to allauth.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TRUST_ENABLED = False
# Staff accounts have no allauth e-mail rows unless reset by e-mail is on.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# Lockout by account name (never by address: field offices share one), counted over
# wrong passwords and wrong second-factor codes; `haven user unlock` and the users page
# clear it. Limits are read from HAVEN_LOCKOUT_* on each request.
AXES_FAILURE_LIMIT = "haven.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "haven.accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
# By design (above): an address-based lockout would shut out a whole field office.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "haven.accounts.lockout.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "haven.accounts.lockout.locked_out"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = [
    "password",
    "code",
    "credential",
    "oldpassword",
    "password1",
    "password2",
    "csrfmiddlewaretoken",
]

# A cache every worker shares: allauth marks a used TOTP code there (cache.add, atomic
# on the cache table's key), so a code is refused a second time whichever worker gets it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "haven_cache",
    }
}

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

# Request limits, chosen rather than inherited. Forms are short text: 256 KiB of fields
# (file uploads excluded) and 400 fields are far above the longest form (the screening
# interview). Uploads above 256 KiB are spooled to a temporary file rather than held in
# memory; the only upload (a cross-border exchange file) is refused above 2 MB by its
# form, and HAVEN_MAX_REQUEST_BYTES refuses any larger body before it is read (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
HAVEN_MAX_REQUEST_BYTES = env_int("HAVEN_MAX_REQUEST_BYTES", 4 * 1024 * 1024, minimum=1024 * 1024)
# Powerful browser features Haven never uses, refused for every page (and any frame).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
}
# Passkeys and security keys (sign-in's second step): Haven's own pages only, no frame.
PERMISSIONS_POLICY["publickey-credentials-create"] = ["self"]
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]

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
# How often (seconds) each process looks for translation reviews and accepted wordings
# made in another process (haven.translations.live); a change applies at once in its own.
HAVEN_TRANSLATION_REFRESH_SECONDS: int | None = env_int(
    "HAVEN_TRANSLATION_REFRESH_SECONDS", 15, minimum=1
)
# Statistics: counts below the threshold are hidden (with complementary suppression) and
# every published count is rounded to a multiple of the base (haven.stats.disclosure).
HAVEN_STATS_THRESHOLD = env_int("HAVEN_STATS_THRESHOLD", 11, minimum=2)
HAVEN_STATS_ROUNDING = env_int("HAVEN_STATS_ROUNDING", 5, minimum=1)
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
    _private_var_dir()
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
        # django-axes logs account names at INFO; Haven's audit trail keeps sign-in events.
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
ADMINS: list[tuple[str, str]] = []
