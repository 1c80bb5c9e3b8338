"""
When the database fails. Each embed and feed keeps the last answer it built
under a key without the data version, so that it can still be served
(stale-if-error) while nothing can be built; the broken connection is dropped,
so the first request after the database is back connects afresh, with no
restart. What each door answers is in ``middleware``.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db import InterfaceError, OperationalError, connections

from . import boxes
from .caching import last_good_key

# Down, unreachable, restarting, too slow (a statement timeout): try again soon.
DATABASE_ERRORS = (OperationalError, InterfaceError)

log = logging.getLogger(__name__)

# One warning every this many seconds per process, not one per request.
WARN_EVERY = 30
warned_at = None


def database_failed(error):
    """Drops connections the error left broken, and says so now and then."""
    global warned_at
    drop_broken_connections()
    now = time.monotonic()
    if warned_at is None or now - warned_at >= WARN_EVERY:
        warned_at = now
        log.warning("The database is not answering: %s", str(error).strip() or type(error))


def drop_broken_connections():
    """Closes connections that failed and no longer answer; the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def last_good(request):
    """The key an embed or a feed keeps its last good answer under; None for other doors."""
    match = request.resolver_match
    site = (request.scheme, request.get_host())
    if match.url_name == "embed":
        try:
            language = boxes.parse_lang(request.GET.get("lang"))
        except boxes.BoxError:
            return None
        kind, key = match.kwargs["kind"], match.kwargs.get("key")
        return last_good_key("embed", kind, key, request.GET.get("as_of"), language, *site)
    if match.url_name == "feed":
        lang = request.GET.get("lang") or settings.LANGUAGES[0][0]
        return last_good_key("feed", match.kwargs["kind"], match.kwargs["format"], lang, *site)
    return None


# Partner keys this process checked lately. With the database down no key can
# be checked, so a feed's last good answer goes only to a key that was good
# when the database last answered.
verified = LocMemCache("exchanges-verified-keys", {"OPTIONS": {"MAX_ENTRIES": 1000}})
VERIFIED_SECONDS = 24 * 3600


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def key_verified(key):
    verified.set(digest(key), True, VERIFIED_SECONDS)


def was_verified(key):
    return bool(key) and verified.get(digest(key)) is not None
