"""Django settings, built from the declarations in `papersift.conf` (the only reader of the environment)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django

from papersift import conf

PAPERSIFT = conf.load()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(PAPERSIFT["DATA_DIR"])
SECRET_KEY = PAPERSIFT["SECRET_KEY"]
DEBUG = PAPERSIFT["DEBUG"]
ALLOWED_HOSTS = PAPERSIFT["ALLOWED_HOSTS"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs page's Swagger UI from its own static files (no CDN)
    "papersift.catalog",
    "papersift.ingest",
    "papersift.indexing",
    "papersift.web",
    "papersift.outbox",
    "papersift.accounts",
    "papersift.community",
    "papersift.comments",
    "papersift.lists",
    "papersift.submissions",
    "papersift.digests",
    "papersift.sources",
    "papersift.images",
    "papersift.agents",
    "papersift.recommend",
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "papersift.web.pagecache.InvalidateOnWriteMiddleware",   # outside the write's transaction: after its commit
    # Django 6's own Content-Security-Policy support; Django 5.2 (Python 3.11) gets the same header from papersift's.
    "django.middleware.csp.ContentSecurityPolicyMiddleware" if django.VERSION >= (6, 0)
    else "papersift.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "papersift.web.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "papersift.web.middleware.AtomicWritesMiddleware",
]

ROOT_URLCONF = "papersift.urls"
WSGI_APPLICATION = "papersift.wsgi.application"

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
                "papersift.lists.context_processors.reading_lists",
                "papersift.web.look.theme",
                "papersift.sources.context_processors.freshness",
                "papersift.recommend.context_processors.reader_signals",
                "papersift.web.pagecache.csrf",      # after Django's own: a kept page's forms get a placeholder
            ],
        },
    },
]


def _databases(url: str) -> dict:
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        db["CONN_MAX_AGE"] = 0
        db["OPTIONS"] = {
            # Writers take the lock at BEGIN, so two writers queue on the busy timeout instead of one failing
            # with "database is locked" half-way through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    return {"default": db}


DATABASES = _databases(PAPERSIFT["DATABASE_URL"])

# Accounts: Django's auth with django-allauth's flows (sign-up by e-mail, verification, password reset, e-mail
# change), Argon2 password hashes, failed-login lockout (allauth's rate limits, in a cache all workers share).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Rate limits live in the cache, which every server process must share: a file cache under DATA_DIR (a
# process-local memory cache would give each gunicorn worker its own count). Django's default of 300 entries
# would make it forget limits as soon as 300 buckets exist (it culls a third of them): far more are allowed.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(Path(PAPERSIFT["DATA_DIR"]) / "cache"),
                      "OPTIONS": {"MAX_ENTRIES": 100_000}},
          # Pages kept for readers who are not signed in (web/pagecache.py): shared by the server's processes.
          "pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                    "LOCATION": str(Path(PAPERSIFT["DATA_DIR"]) / "pages"),
                    "OPTIONS": {"MAX_ENTRIES": PAPERSIFT["PAGE_CACHE_ENTRIES"]}}}
ACCOUNT_ADAPTER = "papersift.accounts.adapter.AccountAdapter"   # client address, per-account login limit, mails signed papersift
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True                      # a new address replaces the old one only once verified
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False                    # logging out is a POST with CSRF
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[papersift] "
ACCOUNT_FORMS = {"login": "papersift.accounts.adapter.LoginForm"}   # "User name or e-mail", papersift's labels
ACCOUNT_RATE_LIMITS = {"login_failed": PAPERSIFT["LOGIN_FAILURE_LIMIT"]}   # papersift's writes: ratelimit.py
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "daily"
ACCOUNT_LOGOUT_REDIRECT_URL = "daily"

# E-mail leaves only through the outbox (written in the request's transaction, sent by `papersift worker`).
SMTP_OPTIONS = {
    "host": PAPERSIFT["SMTP_HOST"], "port": PAPERSIFT["SMTP_PORT"],
    "username": PAPERSIFT["SMTP_USER"] or None, "password": PAPERSIFT["SMTP_PASSWORD"] or None,
    "use_tls": PAPERSIFT["SMTP_SECURITY"] == "starttls", "use_ssl": PAPERSIFT["SMTP_SECURITY"] == "tls",
    "timeout": PAPERSIFT["SMTP_TIMEOUT"],
}
if django.VERSION >= (6, 1):   # Django 6.1 names its mail connections in MAILERS; 5.2 has EMAIL_BACKEND only
    MAILERS = {
        "default": {"BACKEND": "papersift.outbox.backend.OutboxBackend"},
        "smtp": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": SMTP_OPTIONS},
    }
else:
    EMAIL_BACKEND = "papersift.outbox.backend.OutboxBackend"
DEFAULT_FROM_EMAIL = PAPERSIFT["EMAIL_FROM"]
SERVER_EMAIL = PAPERSIFT["EMAIL_FROM"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the installed package's static dirs, so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response: scripts, styles, fonts and images from this site only (KaTeX and the
# API docs' Swagger UI are served from here), no inline script or style, no plugins, no framing, forms post here.
CSP_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_CSP = CSP_POLICY
if PAPERSIFT["ENV"] == "production" and PAPERSIFT["HTTPS"]:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = PAPERSIFT["HSTS_SECONDS"]
    # Pinning every other host under the same domain to https (W005), or asking browsers to preload the domain
    # (W021), is the domain owner's decision, not papersift's: those two deploy-check notes are silenced.
    SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
if PAPERSIFT["TRUSTED_PROXY_HOPS"]:
    # The TLS-terminating proxy says how it was reached; believed only when proxies are trusted at all (a client
    # talking to papersift directly could otherwise claim https).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs go to stderr only (stdout is each command's own output, e.g. its --json): papersift's own at LOG_LEVEL,
# every other library's warnings and errors through the root logger, and every unhandled exception in a request,
# page or API alike, from `django.request` with its request line and traceback (the API re-raises what it does
# not handle, so Django logs it in the same way). Django's own console handler is dropped: it would repeat them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"()": "papersift.logs.RequestLineFormatter",
                             "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "papersift": {"handlers": ["stderr"], "level": PAPERSIFT["LOG_LEVEL"], "propagate": False},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},   # 4xx are the access log's business, 5xx are errors
    },
}
