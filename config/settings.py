"""Colophon settings.

Every difference between environments is an environment variable (see `.env.example`).
The defaults let a newcomer run the site with no `.env` at all: SQLite, a local-memory
cache, media on disk. Production turns DEBUG off, and then SECRET_KEY must be given to
serve (management commands run without it, with a warning).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

# --- Core -----------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-colophon-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
# Without a key, management commands (migrate, makemigrations, check …) still run, on a
# random key of their own and with a warning; serving refuses to start (config/wsgi.py),
# as each process would sign sessions and cookies with a different key.
SECRET_KEY_MISSING = not SECRET_KEY
if SECRET_KEY_MISSING:
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "desk",  # before the admin: its templates brand the admin as the editors' desk
    "desk.apps.DeskAdminConfig",  # django.contrib.admin, served by the desk's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # search lookups; inert on SQLite
    "csp",
    "axes",
    "reversion",  # the desk's history of articles and books, to compare and restore
    "django_tasks",  # background work (below, "Background tasks")
    "django_tasks_db",  # its queue, a table that `manage.py db_worker` works through
    "shared",
    "pagecache",
    "catalogue",
    "images",  # pictures for articles: the library, its renditions
    "articles",
    "website",
]

MIDDLEWARE = [
    # Outermost: every response, the next ones' included, says whether a cache may keep it.
    "website.middleware.CacheControlMiddleware",
    # Then: a body too large for its kind of request is refused before anything reads it.
    "website.middleware.BodyLimitMiddleware",
    "website.middleware.HealthCheckMiddleware",  # probes by IP, over plain http
    "website.middleware.CookieFlagsMiddleware",  # sees every cookie set or deleted
    "website.middleware.RequestIdMiddleware",
    "website.middleware.HttpsRedirectMiddleware",
    # Cached pages for everyone stop here, sent as they were finished the first time.
    "pagecache.middleware.CachedPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",  # ETag and 304 for every page
    "website.middleware.ContentSecurityPolicyMiddleware",  # django-csp, policy built once
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A form an edge filled in carries its CSRF secret signed, for want of the cookie.
    "pagecache.middleware.EdgeCsrfMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pagecache.middleware.VisitorPartsMiddleware",  # inside CSRF and messages: it uses both
    "website.middleware.DatabaseUnavailableMiddleware",  # views' database errors: a 503
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# The admin lives at a configurable path so production can move it off the obvious one.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/"):
    ADMIN_URL += "/"
ADMIN_URL = ADMIN_URL.lstrip("/")

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
                "website.context_processors.canonical_url",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# An optional read replica: public reads go there, writes and everything a visitor must
# see at once after writing (sessions, logins, ratings) stay on the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]

for _database in DATABASES.values():
    if _database["ENGINE"].startswith("django.db.backends.postgresql"):
        # No JIT compilation: a page's queries are short, but a join the planner
        # overestimates (the related-books query) crosses the JIT cost threshold and
        # spends over a second compiling what runs in a millisecond.
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://colophon")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Short timeouts: if Redis is away, pages are served uncached rather than waiting.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_on_timeout": False}
    )
# How long a rendered public page may be kept (it is also dropped the moment what it
# shows changes); 0 turns the page cache off. Off by default with the local-memory cache:
# each process would keep its own copies and miss the others' invalidations.
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith("LocMemCache")
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=3600 if _SHARED_CACHE else 0)
# Search results and filtered lists (any query but a page number) are endless in
# number: at most PAGE_CACHE_QUERY_PAGES of them are stored per PAGE_CACHE_QUERY_SECONDS,
# each for at most that long, so a flood of random queries cannot grow the cache.
PAGE_CACHE_QUERY_SECONDS = env.int("PAGE_CACHE_QUERY_SECONDS", default=300)
PAGE_CACHE_QUERY_PAGES = env.int("PAGE_CACHE_QUERY_PAGES", default=2000)
# How long a part of pages stored in the database (a book's card on an article:
# pagecache.stored_parts) may be used, while nothing it shows changes; 0 turns them off.
# Off with DEBUG: a template edited while the server runs shows at once.
STORED_PARTS_SECONDS = env.int("STORED_PARTS_SECONDS", default=0 if DEBUG else 24 * 3600)
# Settings that change what pages show without any data changing (set at a restart):
# part of every page's key, so a page stored before is never served after.
PAGE_CACHE_VARIES_WITH = ("AFFILIATE_CODES",)
# A shared HTTP cache in front (pagecache/edge.py, deploy/varnish/colophon.vcl): the base
# URLs of the Varnishes to purge by tag when a page changes ("http://10.0.0.5:80,…"),
# and EDGE=varnish to mark pages shareable with no purge to send. Neither set: no edge,
# pages say `no-cache` as before. EDGE_MAX_AGE: how long an edge may keep a page it is
# not told to drop (purges keep it fresh; the page cache's expiry limits still apply).
EDGE_PURGE_URLS = env.list("EDGE_PURGE_URLS", default=[])
EDGE = env.str("EDGE", default="varnish" if EDGE_PURGE_URLS else "")
EDGE_MAX_AGE = env.int("EDGE_MAX_AGE", default=86400)

# --- Background tasks -----------------------------------------------------------------
# Work too long for a request (imports from the desk, Read next refreshes, cover
# renditions) is queued in the database and run by `manage.py db_worker` (django-tasks,
# the backport of Django 6's tasks): a worker on any host takes any job. In development
# (DEBUG) tasks run at once, in the request, so `make run` needs no worker; TASKS_QUEUE
# chooses: "database" or "immediate". Tests run them at once too (tests/conftest.py).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[
            env.str("TASKS_QUEUE", default="immediate" if DEBUG else "database")
        ]
    }
}

# --- Authentication -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Where signing in leads when `next` is missing or points off the site.
LOGIN_REDIRECT_URL = "admin:index"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins first
    "django.contrib.auth.backends.ModelBackend",
]
# The desk locks a username at an address out after a handful of failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
# Failed sign-ins are kept in the database, where no flood of cached pages evicts them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The address is the one the rate limits use: behind TRUSTED_PROXIES proxies, the one the
# nearest trusted proxy appended to X-Forwarded-For; otherwise the connection's. So a
# stranger cannot lock an editor out by failing from elsewhere, and a forged header
# cannot escape a lockout. An IPv6 client counts by its /64, which it may roam at will.
AXES_CLIENT_IP_CALLABLE = "shared.clients.lockout_address"
# Flash messages ride in a cookie, so showing one never touches the session store.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Where covers are stored: "filesystem" (MEDIA_ROOT) or "s3", any S3-compatible object
# store through django-storages (pip install '.[s3]'); keys come from the standard
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    _MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "file_overwrite": False,
            "default_acl": None,
            # Public names never change content (renditions and cleaned originals carry a
            # content hash): browsers and CDNs may keep them a day. Uploads wait under
            # private/ until cleaned; the bucket's policy must not make that prefix public.
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    }
elif MEDIA_STORAGE == "filesystem":
    # Django's, with a deleted file purged from the edges (an edge keeps media a year).
    _MEDIA_BACKEND = {"BACKEND": "pagecache.media.EdgePurgedFileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE is “{MEDIA_STORAGE}”: use filesystem or s3.")
# With media on local disk and no web server in front, Django serves it itself.
# Off when an object store or the proxy serves MEDIA_URL.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=MEDIA_STORAGE == "filesystem")

STORAGES = {
    "default": _MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------
# Production sits behind a TLS proxy that sets X-Forwarded-Proto. Plain http is
# redirected to https, except a direct request on loopback (`make serve`, health
# checks): website.middleware.HttpsRedirectMiddleware, which replaces SECURE_SSL_REDIRECT.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS_REDIRECT = env.bool("HTTPS_REDIRECT", default=not DEBUG)
SILENCED_SYSTEM_CHECKS = ["security.W008"]  # SECURE_SSL_REDIRECT: see the line above
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: the desk's take the form's token
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# What a form post may weigh. Above Django's 2.5 MB so that the desk's forms, not the
# request parser, refuse an overlong article body (articles.forms.MAX_BODY_LENGTH)
# with a message and the text kept; anything bigger answers a 413 page that says so.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# Content-Security-Policy (django-csp): scripts and styles only from this site, no inline
# script or style anywhere (the admin included), no plugins, no framing. Cover images
# may come from the import's hosts and from the media host (object store or CDN).
CSP_IMAGE_HOSTS = env.list(
    "CSP_IMAGE_HOSTS", default=["https://images.gr-assets.com", "https://s.gr-assets.com"]
)
if MEDIA_STORAGE == "s3":
    _options = _MEDIA_BACKEND["OPTIONS"]
    if _options["custom_domain"]:
        CSP_IMAGE_HOSTS.append(f"https://{_options['custom_domain']}")
    elif _options["endpoint_url"]:
        CSP_IMAGE_HOSTS.append(_options["endpoint_url"].rstrip("/"))
    else:
        CSP_IMAGE_HOSTS.append("https://*.amazonaws.com")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *CSP_IMAGE_HOSTS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------------------
# JSON lines in production (one object per line, with the request id), plain text when
# developing; LOG_FORMAT=plain|json chooses.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "website.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "website.middleware.JsonLogFormatter",  # the request's path, cut, not the request
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes.apps": {"level": "WARNING"},  # its start-up banner, once per process
        # One line per request comes from colophon.access; Django's own would repeat it.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}

# --- Colophon -------------------------------------------------------------------------
# How many proxies in front append to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)


def _rate(name: str, default: str) -> tuple[int, int]:
    """ "10/60" -> at most 10 ratings per 60 seconds."""
    count, _, seconds = env.str(name, default=default).partition("/")
    return int(count), int(seconds or 60)


# Ratings per visitor and per address (a shared office or campus is one address).
RATING_RATE_LIMITS = {
    "visitor": _rate("RATING_LIMIT_VISITOR", "10/60"),
    "address": _rate("RATING_LIMIT_ADDRESS", "120/60"),
    # Held ratings (newcomers past RATING_HOLD_AFTER) kept from one address a day: each is
    # a row for editors to check, and a client dropping its cookie is a newcomer each time.
    "held": _rate("RATING_LIMIT_HELD", "200/86400"),
}
# Newcomers (no visitor cookie, or one younger than the window) are never refused for
# being new: past this many of their ratings of one book from one address in the window,
# the next are held for moderation, kept but not counted. RATING_LIMIT_NEW_VISITOR, the
# old name, still sets the window (its count is no longer used).
RATING_HOLD_AFTER = env.int("RATING_HOLD_AFTER", default=3)
RATING_HOLD_WINDOW = env.int(
    "RATING_HOLD_WINDOW", default=_rate("RATING_LIMIT_NEW_VISITOR", "30/3600")[1]
)
# Affiliate codes by shop slug, "bookshop-org=12345,amazon=colophon-21": a shop with a
# code here and an affiliate address pattern links through it, marked sponsored and
# disclosed on the page (catalogue/shops.py). None by default: no link earns.
AFFILIATE_CODES = env.dict("AFFILIATE_CODES", default={})
SITE_NAME = "Colophon"
# How many articles the home page and the "read next" list show.
HOME_ARTICLE_COUNT = 10
RECOMMENDATION_COUNT = 3
# How long a signed preview link to an unpublished article works (articles/previews.py).
PREVIEW_LINK_DAYS = env.int("PREVIEW_LINK_DAYS", default=7)
