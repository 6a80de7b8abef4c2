"""Papershelf settings: one module, configured by the environment.

Production is the default: DEBUG is off and SECRET_KEY and ALLOWED_HOSTS must
be given. Development is opt-in with DEBUG=true, which also allows a local
throwaway secret key.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    cache_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    strong_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (or set DEBUG=true for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-not-for-production"
elif not DEBUG and not strong_secret_key(SECRET_KEY):
    # The same rule as Django's security.W009, enforced rather than warned about.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 characters with at least 5 "
        "different ones, not starting with 'django-insecure-' (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set in production: the comma-separated host names the site "
        "answers to, e.g. ALLOWED_HOSTS=papers.example.org (or set DEBUG=true)."
    )

# HTTPS. Production defaults to HTTPS everywhere; HTTPS=false turns
# every default below off at once for a plain-HTTP run on loopback (the load
# test), and each setting can still be overridden on its own.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
# A load balancer's health check usually speaks plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto: opt in, and
# only when the proxy strips that header from what clients send.
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",
    "core",
    "venues",
    "people",
    "catalog",
    "history",
    "api",
    "oai",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files get the headers too.
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A 404 whose slug moved (a merge, a renamed slug) becomes a 301.
    "core.redirects.SlugRedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username + address before the
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin sign-in is throttled per username and client address: after
# AXES_FAILURE_LIMIT wrong passwords that pair is refused (HTTP 429) until the
# cool-off has passed; a successful sign-in resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
# The client address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the
# address the outermost trusted proxy saw (config.middleware.client_ip_address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip_address"

ROOT_URLCONF = "config.urls"

# The Content-Security-Policy config.middleware sends: everything from this
# origin only, no inline script or style, never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

TEMPLATES = [
    {
        # Django's, each context released once rendered (core/template_backend.py).
        "BACKEND": "core.template_backend.ReleasingTemplates",
        # The alias Django's own backend has (engines["django"]).
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", default="60")),
        conn_health_checks=True,
    )
}
# Behind a connection pooler that hands each transaction to any server
# connection (PgBouncer's transaction pooling), nothing may outlive a
# transaction: no server-side cursors (Django's setting) and no statements
# prepared once per connection (core.prepared reads the same setting).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DB_TRANSACTION_POOLING", default=False
)

# Page queries are short; PostgreSQL's JIT compiles a query whose estimated
# cost passes jit_above_cost, which for a guarded facets query can take a
# second (measured 1.7 s) to save milliseconds.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# `import_listings --fixture` builds its fixture in this private in-memory
# database, so the fixture never depends on what the real database holds.
DATABASES["fixture_build"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}

# The cache of pages and counts (core/cache.py): local memory in each process
# by default; CACHE_URL=redis://host:6379/0 shares one Redis among several
# servers (config/env.py reads the URL).
CACHE_URL = env_str("CACHE_URL", default="")
CACHES = {
    "default": cache_from_url("CACHE_URL", CACHE_URL)
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# A paper list whose facet counts are not cached counts them itself only for
# up to this many results (or when the kept totals give them exactly); bigger
# results show their rows first and fetch the facets apart
# (catalog.facets.list_counts()). None: always itself. The same as the
# facets' exact bound (catalog.facets.EXACT_UP_TO), beyond which they sample.
PAPERSHELF_FACETS_INLINE_UP_TO = env_int("PAPERSHELF_FACETS_INLINE_UP_TO", default=1000)

# An import on PostgreSQL of at least this many new papers, and no fewer than
# the catalog holds, drops the secondary indexes of the tables it fills and
# builds them again before it commits, locking those tables meanwhile
# (catalog.importer.bulkload). 0: never.
PAPERSHELF_IMPORT_BULK_FROM = env_int("PAPERSHELF_IMPORT_BULK_FROM", default=10_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The title-sort index carries the title (INCLUDE) so PostgreSQL answers deep
# title-sorted pages from the index alone; SQLite, which has no INCLUDE, gets
# the same index without it, as intended: nothing to warn about on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# In development whitenoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
}

# Lookups by identifier (manage.py import_identifiers). arXiv's API answers
# ?id_list=ID[,ID...] with Atom and asks for one request at a time, at least
# 3 seconds apart; a DOI is fetched from the resolver with content negotiation
# (Accept: application/vnd.citationstyles.csl+json), which serves Crossref and
# DataCite DOIs alike. Both ask clients to say who they are: the User-Agent
# names Papershelf and CONTACT_EMAIL.
ARXIV_API_URL = env_str("ARXIV_API_URL", default="https://export.arxiv.org/api/query")
DOI_RESOLVER_URL = env_str("DOI_RESOLVER_URL", default="https://doi.org/")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", default="")
# Seconds between two arXiv requests: arXiv's own rule, so not an environment
# setting (tests set it to 0, against a local server).
ARXIV_REQUEST_INTERVAL = 3.0

# The admin's import page (catalog.admin_import): what fits in one request,
# preview and apply alike (gunicorn's timeout, config/gunicorn.conf.py).
# Larger imports are for manage.py import_listings. Pasted text is also
# bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB); files are not.
ADMIN_IMPORT_MAX_BYTES = env_int("ADMIN_IMPORT_MAX_BYTES", default=5_000_000)
ADMIN_IMPORT_MAX_ENTRIES = env_int("ADMIN_IMPORT_MAX_ENTRIES", default=2_000)
# Each identifier is a request to arXiv (3 s apart per 50) or a DOI resolver.
ADMIN_IMPORT_MAX_IDENTIFIERS = env_int("ADMIN_IMPORT_MAX_IDENTIFIERS", default=100)
# Previews not applied within this many hours are deleted.
ADMIN_IMPORT_PENDING_HOURS = 24
