"""
Settings for the newsroom demo site.

Everything that differs between a laptop and production comes from the
environment; the defaults are safe for local development only.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    # Sessions, password resets and CSRF tokens are only as safe as this key.
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value when DEBUG is off (at least 50 characters: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
SECRET_KEY = SECRET_KEY or "django-insecure-development-only"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it goes before it.
    "modeltranslation",
    # Django's admin on the newsroom's site, which asks editors for a second factor.
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reversion",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "exchanges",
    "newsroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the app server, compressed and hashed, DEBUG or not.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.routers.PrimaryForWrites",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The app's doors: 400 for what they cannot read, 429 past the public rate, 503
    # or the last good answer when the database fails (exchanges/middleware.py).
    "exchanges.middleware.DoorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Connections are kept for a minute and checked before reuse: opening one per
# request cost more than most requests themselves.
CONNECTIONS = {
    "conn_max_age": int(os.environ.get("CONN_MAX_AGE", "60")),
    "conn_health_checks": True,
}
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", **CONNECTIONS)
}
if os.environ.get("DATABASE_REPLICA_URL"):
    # Reads go to the replica, writes (and everything the admin does) to the
    # primary: see newsroom/routers.py and docs/scaling.md.
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], **CONNECTIONS)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        # No request may hold the database longer than this: a runaway query is
        # cut off with an error instead of taking the server down.
        timeout = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "5000"))
        database.setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={timeout}"

# A Redis that fails is a cache miss, never an error: the site answers from the
# database (and says so in the log), and short timeouts keep a dead or
# unreachable Redis from stalling every request.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.25,
    "SOCKET_TIMEOUT": 0.5,
}
# Not every failed call: exchanges.caching logs one warning when an outage starts.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # django-redis keeps one client per connection pool; Django's own
            # backend builds a client on every call, a third of a cached answer's time.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    # One per process: fine for one server; several share Redis (docs/scaling.md).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# An alias that keeps nothing, for measuring the doors uncached:
# EXCHANGES_CACHE=none (bench/serve.py does).
CACHES["none"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
EXCHANGES_CACHE = os.environ.get("EXCHANGES_CACHE", "default")
EXCHANGES_API_RATE = os.environ.get("API_RATE", "1000/hour")
# Requests per client address to embeds, oEmbed and summary/ (empty: no limit),
# the address taken behind PROXY_COUNT proxies as for login lockouts.
EXCHANGES_PUBLIC_RATE = os.environ.get("PUBLIC_RATE", "300/minute")
EXCHANGES_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
EXCHANGES_SITE_URL = os.environ.get("SITE_URL", "")

# Request bodies are bounded: an admin form with a few hundred inline rows fits,
# a bigger one is a 400 before it is parsed. Uploaded files (photos) are not
# counted here; bound the whole body at the proxy (docs/operators.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of form fields
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Accounts -------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses a locked-out one before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one account from one address lock it out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind PROXY_COUNT proxies, the client's address is the one the outermost proxy
# saw, as for the public rate limit; never an X-Forwarded-For the client wrote.
AXES_CLIENT_IP_CALLABLE = "exchanges.limits.client_address"

# Staff sessions end after 8 idle hours, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(8 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Editors and superusers sign in with a code from an authenticator app too.
ADMIN_SECOND_FACTOR = env_bool("ADMIN_SECOND_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "Newsroom admin")
# The admin's address, harder to find than /admin/ (e.g. ADMIN_URL=desk-7f3a/).
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

# Content in English first, Ukrainian falls back to it when missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# In development whitenoise serves the apps' files as they are, re-read on change.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for a year by browsers and CDNs) and gzip/brotli
    # copies, made by collectstatic; tests and DEBUG use the plain finders.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    # drf-spectacular describes the partners' API as OpenAPI 3.
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# Security headers -----------------------------------------------------------------

# One policy for every page: nothing from elsewhere, no inline script unless
# nonced, framed by no one. Embeds send their own, framable by any site
# (exchanges.views.EMBED_CSP).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The load balancer's probes come over plain HTTP, from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^health/$"]

if not DEBUG:
    # Production is served over HTTPS, usually behind a proxy that terminates it
    # and says so in X-Forwarded-Proto. HTTPS=0 only for plain HTTP on loopback.
    HTTPS = env_bool("HTTPS", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = HTTPS
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Logging --------------------------------------------------------------------------

# One JSON object per line on stderr, for the platform's log collector: errors
# with their traceback, requests that failed, warnings such as a cache outage.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        },
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # Each 4xx is already in the access log; 5xx are errors with a traceback.
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        # Lockouts are warnings; its start-up banner is not news.
        "axes": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
