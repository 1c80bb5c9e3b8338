"""
Caching the public doors with exact invalidation.

Every cached answer is keyed by the *data version* it was built from: the
newest entry of the change log that has come due. Every publish, correction,
unpublish and delete writes an entry, and a scheduled go-live has one waiting
at its moment, so the version moves exactly when what the public sees moves,
and the next request builds afresh. Nothing is ever deleted to invalidate.

A box pinned to a date is keyed by the pinned version instead: the newest
entry about records dated on or before that date (or not dated at all, such as
a person). Data stated later never moves it, so pinned boxes stay cached.

Reading the version costs one indexed query. With a shared cache (Redis) it is
kept in the cache too, under a generation that every committed change renews,
so most requests never touch the database; and answers are kept in the
process as well, so a cached answer costs one round trip to Redis.

The cache is never needed: when it fails, every door answers from the
database (a warning says so, once), and a door whose database fails may serve
its last good answer, kept under a key without the version (``outages``).
"""

import dataclasses
import datetime
import hashlib
import logging
import pickle
import uuid
from pathlib import Path

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models import Max, Min, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .commits import once_on_commit
from .conf import app_settings
from .models import Change

GENERATION = "exchanges:generation"
# How long a kept version is believed without asking the database. The
# generation already makes it exact while the cache is up; this bounds how
# long a cache that missed a renewal (it was down, or came back from a
# snapshot) can serve an old version: a query a minute is nothing.
VERSION_SECONDS = 60

log = logging.getLogger(__name__)

# Answers already fetched from the shared cache, kept in this process too. Their
# keys carry the data version, so they are exact. Only small ones, and not many,
# so a worker's memory stays flat (LOCAL_BYTES × MAX_ENTRIES at most: 25 MB).
local = LocMemCache("exchanges-local", {"OPTIONS": {"MAX_ENTRIES": 200}})
LOCAL_BYTES = 128 * 1024


# Whether the cache failed last time it was asked, so an outage is one warning.
failing = False


def cache_failed(error=None):
    """The cache did not answer: the doors go on without it. Warned once per outage."""
    global failing
    if not failing:
        failing = True
        log.warning(
            "The cache is not answering: answers come from the database and requests are "
            "not counted until it does.",
            exc_info=error,
        )


def cache_answered():
    global failing
    if failing:
        failing = False
        log.info("The cache answers again.")


def get_many(keys):
    """The values kept under ``keys`` that the cache has; none when it fails."""
    try:
        # A copy: django-redis answers a failure with one shared dict, not to be filled in.
        found = dict(store().get_many(keys))
    except Exception as error:  # any backend's connection error: a miss, not a 500
        cache_failed(error)
        return {}
    if found:
        cache_answered()
    return found


def set_many(values, timeout):
    try:
        store().set_many(values, timeout)
    except Exception as error:
        cache_failed(error)


def keep_near(key, value):
    if shared() and len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) <= LOCAL_BYTES:
        local.set(key, value, app_settings.CACHE_SECONDS)


# Sent when a commit changed public data, with the surrogate keys a CDN in
# front of the site should purge (``keys``); see docs/scaling.md.
purge = Signal()


def store():
    return caches[app_settings.CACHE]


def shared():
    """Whether every process sees the same cache, so versions may be kept in it."""
    return not isinstance(store(), LocMemCache | DummyCache)


@dataclasses.dataclass(frozen=True)
class Version:
    """The state of the public data an answer was built from."""

    token: str
    at: datetime.datetime | None  # when it last changed: Last-Modified
    until: datetime.datetime | None = None  # the next scheduled change, if any

    def etag(self, variant):
        digest = hashlib.sha256(f"{self.token}|{variant}".encode()).hexdigest()[:32]
        return f'"{digest}"'


def read_version(as_of=None, now=None, kept=False):
    """The version from the change log itself; ``kept``: with how long it holds."""
    now = now or timezone.now()
    entries = Change.objects.filter(at__lte=now)
    if as_of is not None:
        entries = entries.filter(Q(dated__isnull=True) | Q(dated__lte=as_of))
    latest = entries.aggregate(at=Max("at"), id=Max("id"))
    upcoming = None
    if kept:
        upcoming = Change.objects.filter(at__gt=now).aggregate(at=Min("at"))["at"]
    if latest["at"] is None:
        return Version("empty", None, upcoming)
    return Version(f"{latest['id']}.{latest['at'].timestamp():.6f}", latest["at"], upcoming)


def data_version(as_of=None):
    """The version of the data an answer live (or pinned to ``as_of``) shows."""
    now = timezone.now()
    if not shared() or router.db_for_read(Change) != DEFAULT_DB_ALIAS:
        # Per process, or read from a replica that may lag the commit that renewed
        # the generation: the version comes with the data, from the same database.
        return read_version(as_of, now)
    key = f"exchanges:version:{as_of.isoformat() if as_of else 'live'}"
    found = get_many([GENERATION, key])
    generation = found.get(GENERATION)
    kept = found.get(key)
    if kept and kept[0] == generation and (kept[1].until is None or now < kept[1].until):
        return kept[1]
    version = read_version(as_of, now, kept=True)
    # Kept under the generation read before the database: a change committed
    # meanwhile renews the generation, so this copy is never used.
    set_many({key: (generation, version)}, VERSION_SECONDS)
    return version


def data_changed(keys=()):
    """
    Public data changed: renew the generation now, for reads in this very
    transaction, and again when it commits, for everyone else (a reader that
    kept the old data under the first renewal is not believed after the second).
    """
    set_many({GENERATION: uuid.uuid4().hex}, None)
    once_on_commit("purge", keys, renew)


def renew(keys):
    """After the commit: a new generation, and a purge of the answers the changes touch."""
    set_many({GENERATION: uuid.uuid4().hex}, None)
    purge.send(sender=Change, keys=sorted({"exchanges", "exchanges-live", *keys}))


def purge_keys(dated):
    """
    The surrogate keys of the public answers a change to a record dated
    ``dated`` may alter: every live answer and each pinned year from its own.
    """
    if dated is None:
        return ["exchanges"]
    return [f"exchanges-as-of-{year}" for year in range(dated.year, timezone.now().year + 1)]


def code_stamp():
    """
    The app's own code as this process loaded it (Python, templates,
    translations): answers made by other code are not used, so a deploy
    needs no flush.
    """
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".mo", ".css", ".js") and "migrations" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CODE = code_stamp()


def cache_key(*parts, version):
    """A key naming the door, its arguments, the data version and the code."""
    raw = "|".join("" if part is None else str(part) for part in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    return f"exchanges:{CODE}:{digest}:{version.token}"


def peek(parts, version):
    """The value kept for these parts and this version, or None; builds nothing."""
    key = cache_key(*parts, version=version)
    near = shared()
    if near and (value := local.get(key)) is not None:
        return value
    value = get_many([key]).get(key)
    if value is not None:
        keep_near(key, value)
    return value


def cached(parts, build, version, last_good=None):
    """
    ``build()``'s value for these parts and this version, from the cache when
    it is there. ``last_good``: a key without the version, where a value just
    built is kept too, for when the database fails (``last_good_value``).
    """
    value = peek(parts, version)
    if value is None:
        value = build()
        key = cache_key(*parts, version=version)
        set_many(
            {key: value, **({last_good: value} if last_good else {})}, app_settings.CACHE_SECONDS
        )
        keep_near(key, value)
    return value


def last_good_key(*parts):
    """A key for the last answer built for these parts, whatever the data version."""
    raw = "|".join("" if part is None else str(part) for part in parts)
    return f"exchanges:last-good:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def last_good_value(key):
    """The last answer kept under ``key``: only read when the database cannot build one."""
    return get_many([key]).get(key)


def surrogate_keys(as_of=None, records=()):
    """What a public answer depends on, for a CDN's purge (``Surrogate-Key``)."""
    keys = ["exchanges", f"exchanges-as-of-{as_of.year}" if as_of else "exchanges-live"]
    return " ".join([*keys, *records])


def public_headers(response, version, variant, as_of=None, records=()):
    """Shared-cache headers for an answer anyone may see: embeds, oEmbed, summary, feeds."""
    if response.status_code == 200:
        response["ETag"] = version.etag(variant)
        if version.at:
            response["Last-Modified"] = http_date(version.at.timestamp())
    patch_cache_control(
        response,
        public=True,
        max_age=app_settings.BROWSER_MAX_AGE,
        s_maxage=app_settings.CDN_MAX_AGE,
        stale_while_revalidate=app_settings.BROWSER_MAX_AGE,
    )
    response["Surrogate-Key"] = surrogate_keys(as_of, records)
    return response


def not_modified(request, version, variant):
    """A 304 when the client's copy of this variant is current, else None."""
    return get_conditional_response(
        request,
        etag=version.etag(variant),
        last_modified=int(version.at.timestamp()) if version.at else None,
    )
