"""Settings for confguide.

One module for every environment: whatever differs between a laptop, CI and
production comes from environment variables (see .env.example and the README).
"""

import sys
from pathlib import Path

import environ
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for development; the real environment wins.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
# With DEBUG on, a missing page still shows the site's own 404 (confguide.errors);
# true shows Django's technical 404 (the URL patterns tried) instead.
DEBUG_TECHNICAL_ERRORS = env.bool("DEBUG_TECHNICAL_ERRORS", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or in .env); "
            "only DEBUG=true runs with a throwaway development key."
        )
    SECRET_KEY = "django-insecure-development-only-key"
# Old keys still accepted for signatures made before a rotation (comma-separated).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])


def _weak(key: str) -> bool:
    """Weak as Django's own deploy check (security.W009) defines it."""
    return (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


# In production a guessable key is a forged session or reset link away: refuse to start.
if not DEBUG and any(_weak(key) for key in (SECRET_KEY, *SECRET_KEY_FALLBACKS)):
    raise ImproperlyConfigured(
        f"SECRET_KEY (or one of SECRET_KEY_FALLBACKS) is too weak for production: use at "
        f"least {SECRET_KEY_MIN_LENGTH} random characters, for example the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    # allauth's passkey list shows "added 3 days ago".
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    # Accounts: sign-up, sign-in by password, emailed code or passkey, reset (confguide.accounts).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "confguide",
    "sessions.apps.ConferenceConfig",
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body larger than its endpoint accepts is a 413 before anything reads it.
    "confguide.limits.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip pages; WhiteNoise above serves static files pre-compressed. BREACH needs a secret
    # repeated beside reflected text: Django masks the CSRF token afresh on every response and
    # pads each gzip body with up to 100 random bytes (Heal the Breach), enough for these pages.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # allauth's request context, and its answers (a 429) raised from inside a form.
    "allauth.account.middleware.AccountMiddleware",
    # Signing in, out or deleting the account clears the browser's offline copies.
    "confguide.offline.ClearSiteDataMiddleware",
    # After authentication, so a signed-in reader's saved zone can win later.
    "confguide.timezones.ReaderTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last but the 404 below, so it sees the finished page first on the way out: fills in each
    # reader's own parts of pages that are cached for everyone (confguide.pagecache).
    "confguide.personal.PersonalPartsMiddleware",
    # Inside it, so the site's 404 it renders under DEBUG gets its per-reader parts.
    "confguide.errors.DesignedNotFoundMiddleware",
]

ROOT_URLCONF = "confguide.urls"
WSGI_APPLICATION = "confguide.wsgi.application"
ASGI_APPLICATION = "confguide.asgi.application"

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
                "django.template.context_processors.csp",
                "confguide.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# SQLite needs nothing installed; production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling (Kubernetes' web pods) a server-side cursor
# (QuerySet.iterator()) would outlive the transaction that holds its server connection.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # A database that stops answering must not hang a request until gunicorn
    # kills the worker: connecting gives up after this many seconds...
    _options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    # ...and, in the web server only (gunicorn imports itself before these
    # settings), a statement taking longer is cancelled: migrations and
    # commands may run as long as they need. PgBouncer refuses the startup
    # option that carries it: through a pooler, set 0 and use its query_timeout.
    _statement_timeout = env.int("DATABASE_STATEMENT_TIMEOUT", default=5)
    if _statement_timeout and "gunicorn" in sys.modules:
        _options.setdefault("options", f"-c statement_timeout={_statement_timeout * 1000}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ------------------------------------------------------------------

AUTH_USER_MODEL = "confguide.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Editors sign in to the admin with their username (ModelBackend); attendees sign in
# on the site with their email address, an emailed code or a passkey (allauth).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Failed sign-ins allowed per account and per client address in each window.
SIGN_IN_ATTEMPTS_PER_ACCOUNT = env.int("SIGN_IN_ATTEMPTS_PER_ACCOUNT", default=5)
SIGN_IN_ATTEMPTS_PER_ADDRESS = env.int("SIGN_IN_ATTEMPTS_PER_ADDRESS", default=20)
SIGN_IN_LOCKOUT_SECONDS = env.int("SIGN_IN_LOCKOUT_SECONDS", default=15 * 60)
# Accounts one client address may create in that same window.
SIGN_UPS_PER_ADDRESS = env.int("SIGN_UPS_PER_ADDRESS", default=5)
# Password reset mails (and sign-in codes) one client address may ask for in that same window.
PASSWORD_RESET_REQUESTS_PER_ADDRESS = env.int("PASSWORD_RESET_REQUESTS_PER_ADDRESS", default=5)
# Client addresses for the limits come from TRUSTED_PROXY_COUNT (see Contact form).
# Password reset links stay valid this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 60 * 60)

# --- Accounts (django-allauth) ----------------------------------------------

ACCOUNT_ADAPTER = "confguide.accounts.adapter.AccountAdapter"
# Attendees sign up and in with their email address; the username the user model
# keeps (editors type it at the admin's sign-in) is made up from it, never asked for.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Signing in keeps the session for SESSION_COOKIE_AGE, as before: no "remember me" box.
ACCOUNT_SESSION_REMEMBER = True
# A new address is confirmed with a code typed in the same browser, before the account
# signs in: so sign-up can answer the same for an address that has an account (its
# owner is mailed instead), and the schedule picked in this browser moves into it.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
# Nothing says whether an address has an account: sign-up, reset and code requests
# answer alike and mail the address either way.
ACCOUNT_PREVENT_ENUMERATION = True
# Attendees without a password (or who forgot it) sign in with a code sent by mail.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_SIGNUP_REDIRECT_URL = "myschedule:index"
# The owner hears of a changed password, address or passkey (when, from where).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[confguide] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# allauth's limits, counted in the cache (the shared Redis with REDIS_URL). A failed
# sign-in counts per client address, and per account from that address (the adapter
# puts the address in the account's key), so nobody can lock an owner out from elsewhere.
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{SIGN_IN_ATTEMPTS_PER_ADDRESS}/{SIGN_IN_LOCKOUT_SECONDS}s/ip,"
        f"{SIGN_IN_ATTEMPTS_PER_ACCOUNT}/{SIGN_IN_LOCKOUT_SECONDS}s/key"
    ),
    "signup": f"{SIGN_UPS_PER_ADDRESS}/{SIGN_IN_LOCKOUT_SECONDS}s/ip",
    # Mails to one inbox are limited too, whoever asks; briefly, as a stranger can use
    # that limit up for the owner.
    "reset_password": (
        f"{PASSWORD_RESET_REQUESTS_PER_ADDRESS}/{SIGN_IN_LOCKOUT_SECONDS}s/ip,3/5m/key"
    ),
    "request_login_code": (
        f"{PASSWORD_RESET_REQUESTS_PER_ADDRESS}/{SIGN_IN_LOCKOUT_SECONDS}s/ip,3/5m/key"
    ),
}
# Passkeys: sign up and sign in without a password. A passkey also serves as the
# second factor after a password or code; recovery codes stand in for a lost one.
MFA_SUPPORTED_TYPES = ["webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = True
# The relying party is the request's host: http://localhost is a secure origin to
# browsers and to fido2, so local servers and tests need no insecure-origin switch.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

# A visitor's schedule (kept without an account) is deleted after this many
# days unused, by a daily task of the worker (sessions.tasks).
ANONYMOUS_SCHEDULE_DAYS = env.int("ANONYMOUS_SCHEDULE_DAYS", default=90)

# --- Caches -----------------------------------------------------------------

# Local memory by default; REDIS_URL shares the cache (and rate limits)
# between gunicorn workers in production.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            # Django's RedisCache, answering as an empty cache while Redis is out
            # (pages render afresh, sessions come from the database): see confguide/cache.py.
            "BACKEND": "confguide.cache.FailSoftRedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "OPTIONS": {
                # A hanging Redis must cost a fraction of a second, not the request.
                "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
    # Sessions stay in the database alone (one query per signed-in request):
    # kept in the cache too, a sign-out while Redis was unreachable would leave
    # the session alive there once Redis came back.
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from (`make cluster` keeps its own).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm package pinned in package-lock.json.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Mail -------------------------------------------------------------------

# Django 6.1 configures mail through MAILERS; django-environ does not build it.
# SMTP in production; the console (mail printed, not sent) only when DEBUG is on.
# Mail goes out from the task worker, never inside a request (confguide.tasks).
EMAIL_BACKEND_NAME = env.str("EMAIL_BACKEND", default="console" if DEBUG else "smtp")
_MAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKENDS.get(EMAIL_BACKEND_NAME, EMAIL_BACKEND_NAME),
        "OPTIONS": (
            {
                "host": env.str("EMAIL_HOST", default="localhost"),
                "port": env.int("EMAIL_PORT", default=587),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": env.str("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=True),
                "timeout": env.int("EMAIL_TIMEOUT", default=10),
            }
            if EMAIL_BACKEND_NAME == "smtp"
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="confguide <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EDITORS_EMAIL = env.list("EDITORS_EMAIL", default=["editors@localhost"])

# --- Tasks ------------------------------------------------------------------

# Slow work (mail) runs in the task worker (`manage.py db_worker`), from tasks
# kept in the project's own database, so nothing more is needed to run it.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Schedule ---------------------------------------------------------------

# A session's star says how many attendees saved it once at least this many did:
# popular sessions fill their rooms. Below it the count says little, so none is shown.
SAVED_COUNT_THRESHOLD = 10

# --- Contact form -----------------------------------------------------------

# Form posts (sent or refused) per client address per window in seconds; beyond it, a 429.
CONTACT_RATE_LIMIT = env.int("CONTACT_RATE_LIMIT", default=10)
CONTACT_RATE_WINDOW = env.int("CONTACT_RATE_WINDOW", default=3600)
# A contact message is a few kilobytes; larger bodies are refused with a 400.
CONTACT_MAX_BODY_BYTES = env.int("CONTACT_MAX_BODY_BYTES", default=65_536)
# Messages are deleted this many days after they arrived (24 months), by a
# daily task of the worker (confguide.contact.tasks); the privacy page says so.
CONTACT_RETENTION_DAYS = env.int("CONTACT_RETENTION_DAYS", default=730)
if CONTACT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("CONTACT_RETENTION_DAYS must be at least 1.")
# How many reverse proxies in front of the site append to X-Forwarded-For; 0 means
# trust REMOTE_ADDR only (the header is then ignored, as a visitor can forge it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Schedule import --------------------------------------------------------

# Outbound fetches (confguide.fetch: https to public addresses only). One deadline
# in seconds for a whole fetch, redirects and body included, so a trickling feed
# cannot hold a worker; and the internal hosts an organisation's own schedule may
# live on (names, addresses or networks such as 10.1.0.0/16), default none.
FETCH_TIMEOUT = env.float("FETCH_TIMEOUT", default=30.0)
FETCH_ALLOWED_INTERNAL_HOSTS = env.list("FETCH_ALLOWED_INTERNAL_HOSTS", default=[])
# One import (the admin's, in the task worker, or the command) reads at most this
# many entries, and stops, writing nothing, after this many seconds of reading and
# applying: the largest real schedules have a few thousand entries and take seconds.
IMPORT_MAX_ENTRIES = env.int("IMPORT_MAX_ENTRIES", default=20_000)
IMPORT_TIME_BUDGET_SECONDS = env.int("IMPORT_TIME_BUDGET_SECONDS", default=120)
# An import previewed in the admin waits this long for the editor's confirmation;
# then the worker deletes it and its file (sessions.tasks.expire_schedule_imports).
IMPORT_CONFIRM_WITHIN_HOURS = env.int("IMPORT_CONFIRM_WITHIN_HOURS", default=24)

# --- Security ---------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Nothing from elsewhere, images included (the privacy page promises it):
    # data: is Bootstrap's own inline icons.
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    # The offline service worker and the web app manifest (confguide.offline).
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS is sent on https responses only (behind a TLS proxy: BEHIND_TLS_PROXY), so a
# year by default costs nothing over plain http in development.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
# Both commit every subdomain (and, with preload, browsers' built-in lists) to https.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
# Request bodies are refused with a 413, from their Content-Length, above
# MAX_BODY_BYTES (1 MB), or ADMIN_MAX_BODY_BYTES (11 MB: a 10 MB schedule upload
# and its form) under the editors' admin.
MAX_BODY_BYTES = env.int("MAX_BODY_BYTES", default=1_048_576)
ADMIN_MAX_BODY_BYTES = env.int("ADMIN_MAX_BODY_BYTES", default=11_534_336)
ADMIN_PATH_PREFIX = "/admin/"
# Form fields Django keeps in memory; bigger non-file bodies are a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- Third-party apps -------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
