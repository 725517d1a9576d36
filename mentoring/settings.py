"""Settings for Mentoring, read from the environment (12-factor).

Every variable is listed with its default and meaning in README.md. The defaults make a fresh
clone work with `make run`; production sets DEBUG=0 and real secrets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from accounts import sso_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# GENERAL
# Off unless asked for: a deployment that forgets DEBUG gets the secure profile, never debug pages.
# `make run`, the Procfile and the tests turn it on.
DEBUG = envbool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env("SECRET_KEY")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG=0, to a long random value (not the development key). "
        "For development, set DEBUG=1 (make run does)."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Links in emails. In development it follows the HOST and PORT that `make run` serves on; a
# server listening on every address (0.0.0.0, ::) is reached on this machine at 127.0.0.1.
_LINK_HOST = env("HOST", "127.0.0.1")
_LINK_HOST = "127.0.0.1" if _LINK_HOST in ("0.0.0.0", "::", "[::]") else _LINK_HOST  # noqa: S104
SITE_URL = env("SITE_URL").rstrip("/") or (
    f"http://{_LINK_HOST}:{env('PORT', '8000')}" if DEBUG else "http://127.0.0.1:8000"
)
SCHEME_NAME = env("SCHEME_NAME", "Mentoring Scheme")
SCHEME_CONTACT_EMAIL = env("SCHEME_CONTACT_EMAIL", "mentoring@example.org")

LANGUAGE_CODE = "en-gb"
# English and Welsh (issue 19). Each name is written in its own language, as the switcher shows
# it. No language prefix in URLs: LocaleMiddleware picks the person's choice from the
# django_language cookie (set_language, the sign-in signal), then the browser's Accept-Language.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True
# A link typed without its scheme (www.example.org) opens over HTTPS (Django's coming default).
URLIZE_ASSUME_HTTPS = True

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# APPS
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "crispy_forms",
    "crispy_bootstrap5",
    "mentoring",
    "accounts",
    "profiles",
    "matching",
    "sessions_log",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, the signed-in person's row from the cache while it is current.
    "accounts.user_cache.CachedUserAuthenticationMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "accounts.context_processors.user",
                "django.contrib.messages.context_processors.messages",
                "mentoring.context_processors.scheme",
                "profiles.context_processors.programmes",
            ],
        },
    },
]

# DATABASES
# With no DATABASE_URL an embedded PostgreSQL (the pgserver package) starts under .data/, so a
# fresh clone needs no database server installed.
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    from mentoring.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR / ".data" / "postgres")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# CACHES
# Rate limits (allauth) need a cache every process shares: Redis when there is one, else the
# database.
REDIS_URL = env("REDIS_URL")
# A Redis that hangs costs a page one of these timeouts (connect, or any one reply), then its
# circuit breaker skips it for REDIS_BREAKER_SECONDS before letting one call probe it again
# (mentoring/breaker.py). A healthy Redis answers in about a millisecond.
REDIS_TIMEOUT = envint("REDIS_TIMEOUT_MS", 250) / 1000
REDIS_BREAKER_SECONDS = envint("REDIS_BREAKER_SECONDS", 15)
if REDIS_URL:
    CACHES = {
        "default": {
            # Pages keep working while Redis is down or hangs (see mentoring/cache.py).
            "BACKEND": "mentoring.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }

# STATIC FILES
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
]
# Uploaded files (mentors' photos). Local files by default, served by runserver when DEBUG; a
# deployment points STORAGES["default"] at S3-compatible storage (README: "Media files").
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
# No uploaded file is kept beyond this (photos are refused over 5 MB): the rest is dropped as it
# arrives (mentoring.uploads); files under 2.5 MB stay in memory, larger ones go to a temporary
# file. A proxy's body limit (nginx client_max_body_size 6m) refuses larger requests earlier.
FILE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "mentoring.uploads.SizeCappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django itself serves MEDIA_URL from MEDIA_ROOT: in development, and in a deployment with no
# proxy or bucket serving them (docker-compose.yml sets it; photos are a few tens of KB).
SERVE_MEDIA = envbool("SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {
        "BACKEND": env("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env("MEDIA_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# AUTHENTICATION
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
# A password reset link works for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 3600
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset asked for an address with no account sends nothing: an "unknown account"
# email would let anyone send mail from the scheme to any address.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# The person is emailed when their password, email address or two-factor settings change (the
# MFA notifications follow this setting too); like every email, through the outbox.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SCHEME_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.split(":", 1)[0]  # links in allauth emails
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# Sign-up limited to these email domains (comma separated); empty means anyone may sign up.
ACCOUNT_ALLOWED_EMAIL_DOMAINS = [d.lower().lstrip("@") for d in envlist("ALLOWED_EMAIL_DOMAINS")]

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SCHEME_NAME
# Staff must have two-factor authentication before the admin opens: on unless switched off
# explicitly (`make run` does, so the demo administrator can sign in with a password).
MFA_REQUIRED_FOR_STAFF = envbool("MFA_REQUIRED_FOR_STAFF", True)
# Two-factor secrets are stored encrypted with this Fernet key (accounts.mfa); comma-separated
# keys rotate it. With DEBUG on and none set, a key is derived from SECRET_KEY.
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
MFA_ENCRYPTION_KEY = env("MFA_ENCRYPTION_KEY")

# SINGLE SIGN-ON (README "Single sign-on"): OpenID Connect and SAML providers from the
# environment, as JSON lists; more can be added in the admin (Social applications).
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
_OIDC_APPS = sso_config.oidc_apps(env("SSO_OIDC_PROVIDERS"))
_SAML_APPS = sso_config.saml_apps(env("SSO_SAML_PROVIDERS"))
# "Sign in with …" is a form whose answer redirects to the provider, which the CSP's form-action
# must allow (SECURITY below): these providers' origins, and SSO_FORM_ACTION_ORIGINS for
# providers added in the admin.
SSO_FORM_ACTION_ORIGINS = [
    *sso_config.form_action_origins(_OIDC_APPS, _SAML_APPS),
    *envlist("SSO_FORM_ACTION_ORIGINS"),
]
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": _OIDC_APPS,
        "OAUTH_PKCE_ENABLED": True,
    },
    "saml": {
        "APPS": _SAML_APPS,
        # Drops an IdP's own "email_verified" attribute: only the app's verified_email counts.
        "provider_class": "accounts.sso.SAMLProvider",
    },
}
# A provider's verified address signs in (and links) the local account with that address;
# SocialAccountAdapter refuses a provider that does not vouch for the address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the provider verified it (or the login is refused)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
if not DEBUG and not MFA_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "MFA_ENCRYPTION_KEY must be set when DEBUG=0: a Fernet key that encrypts two-factor "
        "secrets, e.g. python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    )

# EMAIL
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SCHEME_NAME} <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env("EMAIL_HOST")
# Seconds an SMTP server may take to answer any one command.
_email_timeout = envint("EMAIL_TIMEOUT", 20)
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": envint("EMAIL_PORT", 25),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": envbool("EMAIL_USE_TLS", False),
                "use_ssl": envbool("EMAIL_USE_SSL", False),
                "timeout": _email_timeout,
            },
        }
    }
else:
    # Development: emails are printed by the process that sends them (the web process or worker).
    MAILERS = {
        "default": {
            "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
        }
    }
# Outbox: failed sends are retried by the sweep with exponential backoff, then marked failed.
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_BACKOFF_SECONDS = envint("OUTBOX_BACKOFF_SECONDS", 60)
OUTBOX_SWEEP_GRACE_SECONDS = envint("OUTBOX_SWEEP_GRACE_SECONDS", 120)
OUTBOX_SWEEP_SECONDS = envint("OUTBOX_SWEEP_SECONDS", 30)
# A send claims its row (status `sending`) before talking SMTP. A claim older than this is
# presumed dead (its worker or its database connection died mid-send) and the sweep retries the
# email as an attempt that may have been delivered. It must outlast one SMTP conversation: a
# connect and four commands, each allowed EMAIL_TIMEOUT.
OUTBOX_CLAIM_SECONDS = envint("OUTBOX_CLAIM_SECONDS", max(300, 6 * _email_timeout))
if OUTBOX_CLAIM_SECONDS < 6 * _email_timeout:
    raise ImproperlyConfigured(
        "OUTBOX_CLAIM_SECONDS must be at least 6 × EMAIL_TIMEOUT, or a slow send would be "
        "retried while it is still under way"
    )
# Emails one task sends over one SMTP connection.
OUTBOX_SEND_BATCH = envint("OUTBOX_SEND_BATCH", 50)
# Retention: finished emails keep their content (body, headers, context) this many days, and
# the rows themselves this many; emails that sign someone in are blanked as soon as they are sent.
OUTBOX_BODY_RETENTION_DAYS = envint("OUTBOX_BODY_RETENTION_DAYS", 30)
OUTBOX_DELETE_AFTER_DAYS = envint("OUTBOX_DELETE_AFTER_DAYS", 365)

# CELERY
# With no REDIS_URL, tasks run eagerly in the web process (development).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task not acknowledged within the visibility timeout is delivered again: keep it well above
# the task time limit, so a slow task is never run twice for that reason.
# The worker waits for tasks on the event loop (BRPOP), which the socket timeout does not bound.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
}
# Publishing happens after commit; if the broker is down the row stays in the outbox for the
# sweep, so the user's request must not wait: one try, no retry. A pooled connection Redis has
# closed (a restart) is replaced by redis-py when it is taken from the pool, so a retry would
# only ever wait on a hung server a second time.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every job is idempotent and set-based, so a missed or doubled run is harmless. Each also runs
# from a management command for cron users (README: "Scheduled jobs").
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "mentoring.tasks.sweep_outbox",
        "schedule": float(OUTBOX_SWEEP_SECONDS),
    },
    "purge-outbox": {
        "task": "mentoring.tasks.purge_outbox",
        "schedule": crontab(hour=3, minute=15),
    },
    "remind-unanswered-requests": {
        "task": "matching.tasks.remind_unanswered_requests",
        "schedule": crontab(minute=5),
    },
    "expire-requests": {"task": "matching.tasks.expire_requests", "schedule": crontab(minute=10)},
    "send-check-ins": {"task": "sessions_log.tasks.send_check_ins", "schedule": crontab(minute=20)},
    "remind-upcoming-meetings": {
        "task": "sessions_log.tasks.remind_upcoming_meetings",
        "schedule": crontab(minute=25),
    },
    "nudge-quiet-pairs": {
        "task": "sessions_log.tasks.nudge_quiet_pairs",
        "schedule": crontab(hour=10, minute=0),
    },
    "ask-mentors-to-confirm": {
        "task": "profiles.tasks.ask_mentors_to_confirm",
        "schedule": crontab(hour=9, minute=0),
    },
    "announce-recruitment-windows": {
        "task": "profiles.tasks.announce_recruitment_windows",
        "schedule": crontab(hour=9, minute=5),
    },
    # Daily, idempotent: one reminder per training that expires within 30 days.
    "remind-expiring-training": {
        "task": "profiles.tasks.remind_expiring_training",
        "schedule": crontab(hour=9, minute=10),
    },
    # Daily, idempotent: mentors away until today are listed again (one email each).
    "return-away-mentors": {
        "task": "profiles.tasks.return_away_mentors",
        "schedule": crontab(hour=0, minute=15),
    },
    # Hourly, idempotent: each coordinator's digest of profiles submitted for review goes once
    # a day, once PROFILE_DIGEST_HOUR (8) has passed (profiles.jobs.digest_submitted_profiles).
    "digest-submitted-profiles": {
        "task": "profiles.tasks.digest_submitted_profiles",
        "schedule": crontab(minute=35),
    },
    # Nightly, set-based: each mentor's usual reply time on their card (matching.responsiveness).
    "update-reply-times": {
        "task": "matching.tasks.update_reply_times",
        "schedule": crontab(hour=2, minute=40),
    },
    # Daily, once per mentor: mentors listed six weeks whom nobody has approached.
    "email-never-approached-mentors": {
        "task": "matching.tasks.email_never_approached_mentors",
        "schedule": crontab(hour=10, minute=15),
    },
    "ask-pairs-to-wrap-up": {
        "task": "sessions_log.tasks.ask_pairs_to_wrap_up",
        "schedule": crontab(hour=10, minute=5),
    },
    # Hourly: a round's pairs complete within the first hour of its term-end day.
    "complete-rounds": {"task": "matching.tasks.complete_rounds", "schedule": crontab(minute=30)},
    # Hourly, before the check-ins (minute 20): an advice conversation held or a week past its
    # date completes, and its two feedback questions go out at the next check-in run.
    "complete-advice-conversations": {
        "task": "matching.tasks.complete_advice_conversations",
        "schedule": crontab(minute=15),
    },
    # Every minute: new messages are emailed a few minutes after they arrive (settings below).
    "notify-new-messages": {
        "task": "matching.tasks.notify_new_messages",
        "schedule": crontab(),
    },
    # Hourly, idempotent: the daily digest goes once MESSAGE_DIGEST_HOUR has passed.
    "send-message-digests": {
        "task": "matching.tasks.send_message_digests",
        "schedule": crontab(minute=2),
    },
}
# Tests and demos: run some jobs every so many seconds instead of at their time, e.g.
# BEAT_INTERVALS=remind-unanswered-requests=1 (harmless: every job is idempotent).
for _job, _, _seconds in (item.partition("=") for item in envlist("BEAT_INTERVALS")):
    if _job.strip() not in CELERY_BEAT_SCHEDULE or not _seconds.strip():
        raise ImproperlyConfigured(f"BEAT_INTERVALS: expected <beat job>=<seconds>, got {_job!r}")
    CELERY_BEAT_SCHEDULE[_job.strip()]["schedule"] = float(_seconds)

# FORMS
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# SECURITY
# Photos served from another origin (S3-compatible storage, a CDN) may be shown.
_media_origin = (
    [MEDIA_URL.split("/", 3)[0] + "//" + MEDIA_URL.split("/", 3)[2]] if "://" in MEDIA_URL else []
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *_media_origin],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF, *SSO_FORM_ACTION_ORIGINS],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
# A session lasts 14 days from sign-in, however active (accounts.middleware), and a staff
# member's ends after 30 minutes without a request.
SESSION_COOKIE_AGE = 14 * 24 * 3600
STAFF_SESSION_IDLE_SECONDS = 30 * 60
# Sessions are read from the cache, so a signed-in request runs no query for them; the database
# stays the truth, read while Redis is down and at least every SESSION_CACHE_SECONDS otherwise
# (which bounds an old copy left in Redis by a write dropped during an outage:
# accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
SESSION_CACHE_SECONDS = envint("SESSION_CACHE_SECONDS", 60)
# The signed-in person's row likewise, under a version every change bumps (accounts/user_cache.py).
USER_CACHE_SECONDS = envint("USER_CACHE_SECONDS", 60)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a reverse proxy every request comes from the proxy's address, so allauth's per-address
# rate limits (ten failed logins a minute) would count everyone together. The client's address is
# then read from what the proxy passes on: TRUSTED_PROXY_COUNT proxies each append to
# X-Forwarded-For (the client is that many entries from the right), or TRUSTED_CLIENT_IP_HEADER
# names a header the proxy sets (e.g. X-Real-IP). With neither, X-Forwarded-For is ignored: a
# client could write anything in it. Match gunicorn's --forwarded-allow-ips (README "Behind a
# proxy").
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER") or None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS")
if not SECURE_HSTS_PRELOAD:
    # HSTS preloading is a deliberate opt-in (hard to undo, and it binds every subdomain of the
    # registered domain), so leaving it off is not a misconfiguration worth a deploy warning.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# LOGGING
# Some paths carry their own secret (check-in, calendar, unsubscribe, confirmation and reset
# links): every handler redacts them (mentoring/logs.py). Django's default handlers for "django"
# (which print "Not Found: <path>") and runserver's "django.server" are replaced by these.
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "mentoring.logs.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# SCHEME
SCHEME_DEFAULT_CAPACITY = envint("SCHEME_DEFAULT_CAPACITY", 2)
SCHEME_MAX_PENDING_REQUESTS = envint("SCHEME_MAX_PENDING_REQUESTS", 3)
SCHEME_MAX_ACTIVE_MENTORSHIPS = envint("SCHEME_MAX_ACTIVE_MENTORSHIPS", 1)
SCHEME_MENTOR_APPROVAL_REQUIRED = envbool("SCHEME_MENTOR_APPROVAL_REQUIRED", True)
# A check-in survey link works for this many days after it is sent.
SCHEME_CHECK_IN_VALID_DAYS = envint("SCHEME_CHECK_IN_VALID_DAYS", 30)
# Interested cannot be used to flood mentors: requests a mentee may send in an hour and in a
# day (0 switches a limit off), and how long after a decline or their own withdrawal a mentee
# waits before asking the same mentor again.
REQUEST_RATE_LIMIT_PER_HOUR = envint("REQUEST_RATE_LIMIT_PER_HOUR", 5)
REQUEST_RATE_LIMIT_PER_DAY = envint("REQUEST_RATE_LIMIT_PER_DAY", 10)
REQUEST_COOLDOWN_AFTER_DECLINE_DAYS = envint("REQUEST_COOLDOWN_AFTER_DECLINE_DAYS", 30)
REQUEST_COOLDOWN_AFTER_WITHDRAWAL_DAYS = envint("REQUEST_COOLDOWN_AFTER_WITHDRAWAL_DAYS", 1)
# The mentor's "new request" email waits this long, so a request withdrawn at once sends nothing.
# The outbox sweep sends it when due; with no REDIS_URL no beat runs the sweep, so by default
# nothing is held then.
REQUEST_EMAIL_HOLD_MINUTES = envint("REQUEST_EMAIL_HOLD_MINUTES", 5 if REDIS_URL else 0)
# Conversations: a new message is emailed to the other person once it is this many minutes old
# and they have not read it on the site, and only once the conversation has been quiet that long
# (a burst is one email) or the oldest waiting message is MESSAGE_EMAIL_MAX_WAIT_MINUTES old.
MESSAGE_EMAIL_DELAY_MINUTES = envint("MESSAGE_EMAIL_DELAY_MINUTES", 5)
MESSAGE_EMAIL_MAX_WAIT_MINUTES = envint("MESSAGE_EMAIL_MAX_WAIT_MINUTES", 30)
# People who chose a daily digest get it after this hour (scheme time zone), with the messages
# that arrived before it.
MESSAGE_DIGEST_HOUR = envint("MESSAGE_DIGEST_HOUR", 7)
# Reply by email (README "Reply by email"): notifications carry Reply-To
# reply+<signed token>@REPLY_EMAIL_DOMAIN (empty: no Reply-To, no reply by email). Mail to that
# domain reaches the site either POSTed raw to /inbound/email/ with the header
# X-Inbound-Secret: INBOUND_EMAIL_SECRET, or read from an IMAP mailbox by `fetch_reply_emails`.
REPLY_EMAIL_DOMAIN = env("REPLY_EMAIL_DOMAIN", "").strip().lower()
REPLY_EMAIL_MAX_AGE_DAYS = envint("REPLY_EMAIL_MAX_AGE_DAYS", 90)
INBOUND_EMAIL_SECRET = env("INBOUND_EMAIL_SECRET", "")
REPLY_IMAP_HOST = env("REPLY_IMAP_HOST", "")
REPLY_IMAP_PORT = envint("REPLY_IMAP_PORT", 993)
REPLY_IMAP_USER = env("REPLY_IMAP_USER", "")
REPLY_IMAP_PASSWORD = env("REPLY_IMAP_PASSWORD", "")
REPLY_IMAP_MAILBOX = env("REPLY_IMAP_MAILBOX", "INBOX")
