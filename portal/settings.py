"""Settings of the beschut werk portal.

Every value comes from the environment, with a working embedded default, so that
``make run`` needs nothing but Python and production needs nothing but variables:

- no ``DATABASE_URL``  → SQLite in ``var/``;           ``DATABASE_URL=postgres://…`` → PostgreSQL
- no ``REDIS_URL``     → Celery on kombu's filesystem transport in ``var/broker`` and a
                         file-based cache in ``var/cache``; ``REDIS_URL=redis://…`` → Redis for both
- no ``EMAIL_HOST``    → mail written as files to ``var/mail``; ``EMAIL_HOST=…`` → SMTP

With ``DEBUG`` off, ``SECRET_KEY`` and ``ALLOWED_HOSTS`` must be set (the portal refuses to start
otherwise) and ``manage.py check --deploy`` passes with no warnings.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.oidc import config as oidc_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-not-for-production-use"  # noqa: S105

# The key of the hashes that stand for a BSN (a DigiD account's identifier, the BSNs a citizen
# entered today). Its own variable, so that SECRET_KEY can be rotated without losing them.
BSN_HASH_KEY = env("BSN_HASH_KEY") or SECRET_KEY
# Earlier secret keys, still accepted for sessions and signed links while SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# -- applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # OpClass in index expressions (the trigram index, issue #19)
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "crispy_forms",
    "csp",
    "oauth2_provider",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "municipalities",
    "cases",
    "cases.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.NeverCachePrivateMiddleware",
    "portal.middleware.RequestBodyLimitMiddleware",  # before anything reads the body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "portal.middleware.StaffMFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so templates/django/forms/ can replace Django's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# -- data ---------------------------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
        # Behind PgBouncer in transaction mode: the exports' server-side cursors do not survive.
        disable_server_side_cursors=env_bool("DISABLE_SERVER_SIDE_CURSORS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks, use WAL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short queries only: PostgreSQL's JIT compiler costs more on them than it could save.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # Redis speeds pages up; it is never needed for one to work. django-redis turns a
    # connection error into a cache miss (IGNORE_EXCEPTIONS), and the short timeouts keep an
    # unreachable Redis from holding up a request. Sessions are in PostgreSQL (below).
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": float(env("REDIS_CONNECT_TIMEOUT", "0.25")),
                "SOCKET_TIMEOUT": float(env("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "portal.cache"
else:
    # A real, shared cache for the embedded default: allauth's rate limits need one.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# -- i18n ---------------------------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
# Our own strings, then formal Dutch ("u") for the allauth pages, which take precedence over
# allauth's own informal and partly missing Dutch.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# -- static and uploaded files -------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded documents live outside the web root and are served only by permission-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "uploads")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
# Supporting documents (cases.documents.files): limits per file and per case (or application draft).
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DOCUMENTS_MAX_PER_CASE = env_int("DOCUMENTS_MAX_PER_CASE", 20)
DOCUMENTS_MAX_TOTAL_BYTES = env_int("DOCUMENTS_MAX_TOTAL_BYTES", 50 * 1024 * 1024)
# A request body larger than this is refused with 413 before it is read (the file plus room
# for the form around it); a file part is never kept beyond DOCUMENT_MAX_BYTES either.
UPLOAD_MAX_REQUEST_BYTES = env_int("UPLOAD_MAX_REQUEST_BYTES", DOCUMENT_MAX_BYTES + 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "portal.uploads.CappedTemporaryFileUploadHandler",
]
# What a PDF's streams may inflate to, in all (images excepted: their pixels count instead),
# and the pixels an image (or an image inside a PDF) may have.
PDF_MAX_INFLATED_BYTES = env_int("PDF_MAX_INFLATED_BYTES", 50 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 50_000_000)
# A municipality's logo (its theme, /beheer/): a PNG or JPEG of at most this many bytes.
THEME_LOGO_MAX_BYTES = env_int("THEME_LOGO_MAX_BYTES", 512 * 1024)
# Optional virus scanner (ClamAV's clamd, INSTREAM): a TCP host and port or a Unix socket.
# When set, every document is scanned before it is stored; unreachable means refused.
CLAMD_HOST = env("CLAMD_HOST")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_SOCKET = env("CLAMD_SOCKET")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)

# -- accounts (django-allauth) --------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's checks; the subclasses only word the messages in plain Dutch (portal.passwords).
    {"NAME": "portal.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "portal.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Its sign-up answers an existing address as slowly as a new one (portal.account_forms).
ACCOUNT_FORMS = {"signup": "portal.account_forms.SignupForm"}
ACCOUNT_RATE_LIMITS = {
    # Sign-in attempts: generous per address, as an office signs in from one NAT address (60
    # staff at 9:00 must all get in; allauth's default of 30 a minute refused half of them).
    # Wrong passwords: strict per account (the 6th within 5 minutes is refused: the lockout)
    # and moderately per address. Documented in the README ("Sign-in limits").
    "login": "300/m/ip",
    "login_failed": "60/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Beschut werk] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Beschut werk portaal"
# Accept the code of the previous and next 30-second window too: clocks drift, people type slowly.
MFA_TOTP_TOLERANCE = 1
# A code works once, across the whole tolerance window and a cache outage (portal.mfa).
MFA_FORMS = {
    "authenticate": "portal.mfa.AuthenticateForm",
    "reauthenticate": "portal.mfa.ReauthenticateForm",
    "activate_totp": "portal.mfa.ActivateTOTPForm",
}
USERSESSIONS_TRACK_ACTIVITY = False

# -- sign-in through OpenID Connect (issue 24; docs/operations.md) ---------------------------
# Citizens through a DigiD broker, staff through the municipality's identity provider, each
# only when its server URL is set. Without them the sign-in page is e-mail and password only.
SOCIALACCOUNT_ADAPTER = "portal.oidc.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False  # DigiD gives no e-mail address
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the provider vouches for the person
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # staff are matched by portal.oidc.adapter
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("OIDC_TIMEOUT", 5)
_oidc_apps = []
if env("OIDC_DIGID_SERVER_URL"):
    _oidc_apps.append(
        oidc_config.citizen_app(
            server_url=env("OIDC_DIGID_SERVER_URL"),
            client_id=env("OIDC_DIGID_CLIENT_ID", ""),
            secret=env("OIDC_DIGID_CLIENT_SECRET", ""),
            bsn_claim=env("OIDC_DIGID_BSN_CLAIM", "bsn"),
            scope=env_list("OIDC_DIGID_SCOPES", "openid,bsn"),
        )
    )
if env("OIDC_STAFF_SERVER_URL"):
    _oidc_apps.append(
        oidc_config.staff_app(
            server_url=env("OIDC_STAFF_SERVER_URL"),
            client_id=env("OIDC_STAFF_CLIENT_ID", ""),
            secret=env("OIDC_STAFF_CLIENT_SECRET", ""),
            role_source=env("OIDC_STAFF_ROLE_SOURCE", oidc_config.ROLE_SOURCE_RECORD),
            role_claim=env("OIDC_STAFF_ROLE_CLAIM", "beschutwerk_role"),
            municipality_claim=env("OIDC_STAFF_MUNICIPALITY_CLAIM", "beschutwerk_municipality"),
            roles=env_list("OIDC_STAFF_ROLES", "consultant,municipal_admin"),
            municipalities=env_list("OIDC_STAFF_MUNICIPALITIES"),
            mfa_amr=env_list("OIDC_STAFF_MFA_AMR"),
            mfa_acr=env_list("OIDC_STAFF_MFA_ACR"),
            scope=env_list("OIDC_STAFF_SCOPES", "openid,email,profile"),
        )
    )
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "portal.oidc.provider.PortalOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": _oidc_apps,
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nlds",)
CRISPY_TEMPLATE_PACK = "nlds"

# -- mail ---------------------------------------------------------------------------------

# The address people use to reach the portal: the links in mails and letters start with it
# (never with the host of the request that happened to send the mail).
PORTAL_BASE_URL = (
    env(
        "PORTAL_BASE_URL",
        "http://127.0.0.1:8000"
        if DEBUG or not ALLOWED_HOSTS
        else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
    )
    or ""
).rstrip("/")

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Beschut werk portaal <noreply@beschutwerk.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: Where people reach the portal's administrators (contact, privacy and accessibility pages).
PORTAL_CONTACT_EMAIL = env("PORTAL_CONTACT_EMAIL", "contact@beschutwerk.example")
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# -- Celery -------------------------------------------------------------------------------

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker waits for the broker however long it is away (Celery's default gives up after 100
# tries, about 50 minutes), and reconnects within 30 s of its return.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": float(env_int("HEARTBEAT_INTERVAL", 60)),
    },
}
# How old the worker's last heartbeat may be before /readyz reports the worker as down.
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 300)

# -- security -----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
# Sessions live in PostgreSQL, the one critical dependency: a Redis outage or restart signs
# nobody out, and a sign-out during an outage cannot come back from a stale cache entry.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Signed out after 15 minutes without a request (everyone: the DigiD norm) and staff after 8
# hours since signing in, whatever they do (portal.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_ABSOLUTE_TIMEOUT_STAFF = env_int("SESSION_ABSOLUTE_TIMEOUT_STAFF", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The browser features the portal never uses are off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# No inline scripts or styles anywhere, the Django admin included.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# The sign-in and logout buttons post to the portal, which redirects to the OpenID Connect
# provider: browsers hold such redirects to ``form-action`` too.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sorted(
    {oidc_config.origin(app["settings"]["server_url"]) for app in _oidc_apps}
)

# -- the case exchange API (issue #24, docs/api.md) -----------------------------------------

# Machine clients (portal.models.ApiClient) get tokens with OAuth2 client credentials at
# /api/v1/token/ and send them as "Authorization: Bearer …". Client secrets are stored hashed.
# Named because portal.models.ApiClient refers to it (django-oauth-toolkit's own model).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_LIFETIME", 3600),
    "SCOPES_BACKEND_CLASS": "portal.api_clients.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "portal.api_clients.ClientValidator",
    # RFC 9700 (the OAuth 2.0 security best practice) in full: tokens stored only as hashes,
    # tokens never in a query string, no implicit or password grant (only client credentials
    # are used), no plain http redirect addresses.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api_clients.ClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Requests per client (cases.api.throttling), counted in the cache: while Redis is away
    # the API answers without a limit rather than not at all (decision 9).
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env("API_RATE_LIMIT", "300/min"),
        "api_token": env("API_TOKEN_RATE_LIMIT", "30/min"),  # token requests per address
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Beschut werk portaal API",
    "DESCRIPTION": _(
        "Case exchange for UWV systems and municipal back offices. Clients sign in with OAuth2 "
        "client credentials; each acts as UWV or as the back office of one municipality."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "cases.choices.CaseState",
        "TermStateEnum": "cases.choices.TermState",
    },
}

# -- domain settings ----------------------------------------------------------------------

# DOMAIN §4.2: a place is 31 hours a week.
HOURS_PER_PLACE = env_int("HOURS_PER_PLACE", 31)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Issue #18: how many different BSNs one citizen account may enter in the application a day.
CITIZEN_BSNS_PER_DAY = env_int("CITIZEN_BSNS_PER_DAY", 5)

# -- terms and notifications (issue 7) ---------------------------------------------------------

# The sweep is idempotent (INSERT … ON CONFLICT DO NOTHING), so it runs hourly: a missed run
# costs at most an hour. Dates are the local (Europe/Amsterdam) date; the schedule is UTC.
CELERY_BEAT_SCHEDULE["sweep-terms"] = {
    "task": "cases.tasks.sweep_terms",
    "schedule": (
        float(env("SWEEP_INTERVAL"))  # seconds; for tests and demos
        if env("SWEEP_INTERVAL")
        else crontab(minute=env_int("SWEEP_MINUTE", 7))
    ),
}
# The transactional outbox is drained by a task, never by the web request.
# The benchmark's aggregates (/cijfers/, issue #23): every year counted again each night at
# REPORTS_RECOMPUTE_HOUR:REPORTS_RECOMPUTE_MINUTE (UTC), and this year's figures of the
# municipalities with a change every REPORTS_REFRESH_INTERVAL seconds.
CELERY_BEAT_SCHEDULE["recompute-reports"] = {
    "task": "reports.recompute_reports",
    "schedule": crontab(
        hour=env_int("REPORTS_RECOMPUTE_HOUR", 2), minute=env_int("REPORTS_RECOMPUTE_MINUTE", 17)
    ),
}
CELERY_BEAT_SCHEDULE["refresh-reports"] = {
    "task": "reports.refresh_reports",
    "schedule": float(env_int("REPORTS_REFRESH_INTERVAL", 300)),
}
CELERY_BEAT_SCHEDULE["drain-outbox"] = {
    "task": "cases.tasks.drain_outbox",
    "schedule": float(env("OUTBOX_DRAIN_INTERVAL", "10")),
}
# Seconds a worker may take to send one mail before another worker may judge the send
# "uncertain" (never resent blindly), and after which an enqueued outbox row is enqueued again.
NOTIFICATION_SEND_LEASE = float(env("NOTIFICATION_SEND_LEASE", "120"))
OUTBOX_REDELIVER_AFTER = float(env("OUTBOX_REDELIVER_AFTER", "45"))
# A mail the mail server did not take is tried again after 1, 2, 4 ... minutes, then every
# NOTIFICATION_RETRY_MAX_DELAY seconds; with the defaults for about a day (30 attempts),
# long enough to ride out a relay's maintenance window, before operators see it as failed.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 30)
NOTIFICATION_RETRY_MAX_DELAY = float(env("NOTIFICATION_RETRY_MAX_DELAY", "3600"))
# Celery's Django fixup closes the database connection before and after every task unless
# DB_REUSE_MAX is set; cases.notifications.tasks closes only unusable or obsolete connections
# instead, so workers honour CONN_MAX_AGE like the web tier does.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env_int(
        "CELERY_VISIBILITY_TIMEOUT", 3600
    )

# -- AVG: retention (docs/privacy.md) ------------------------------------------------------

# How many months each kind of record is kept after its period starts (the case ended, the
# draft was last saved, ...), each with its legal basis in docs/privacy.md. The municipality
# sets the case file's period from its selection list (Archiefwet 1995).
RETENTION_MONTHS = {
    "case": env_int("RETENTION_CASE_MONTHS", 120),
    "draft": env_int("RETENTION_DRAFT_MONTHS", 6),
    "notification": env_int("RETENTION_NOTIFICATION_MONTHS", 24),
    "audit": env_int("RETENTION_AUDIT_MONTHS", 60),
    "account": env_int("RETENTION_ACCOUNT_MONTHS", 24),
    "bsn_entry": env_int("RETENTION_BSN_ENTRY_MONTHS", 1),
}
# Daily, at night (UTC); the run is idempotent, so a missed or repeated run does no harm.
CELERY_BEAT_SCHEDULE["apply-retention"] = {
    "task": "cases.tasks.apply_retention",
    "schedule": crontab(hour=env_int("RETENTION_HOUR", 2), minute=env_int("RETENTION_MINUTE", 17)),
}
