"""
Settings for the newsroom demo site.

Everything that differs between a laptop and production comes from the
environment; the defaults are safe for local development only.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it goes before it.
    "modeltranslation",
    "django.contrib.admin",
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
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # django-redis keeps one client per connection pool; Django's own
            # backend builds a client on every call, a third of a cached answer's time.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
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

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
