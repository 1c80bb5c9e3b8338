"""
Requests per client address to the public doors (embeds, oEmbed, summary/),
which need no key: a reader's page asks a few, a scraper thousands. Counted
before any cached answer is served, so a warm cache is no way around it; one
increment in the default cache per request, in windows aligned to the clock.
When the cache fails no one is counted and everyone is served.
"""

import math
import time

from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from .caching import cache_answered, cache_failed
from .conf import app_settings


def client_address(request):
    """REMOTE_ADDR, or behind ``PROXY_COUNT`` proxies the address the outermost one saw."""
    count = app_settings.PROXY_COUNT
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def public_wait(request):
    """Seconds this client must wait before its next request, or None: it may go on."""
    if not app_settings.PUBLIC_RATE:
        return None
    limit, window = SimpleRateThrottle.parse_rate(None, app_settings.PUBLIC_RATE)
    now = time.time()
    opened = now - now % window
    key = f"exchanges:public:{client_address(request)}:{int(opened)}"
    try:
        count = counted(key, window)
    except Exception as error:  # the cache's connection error, whatever its backend
        cache_failed(error)
        return None
    if count is None:
        # A cache that hides its errors (django-redis's IGNORE_EXCEPTIONS) counts nothing.
        cache_failed()
        return None
    cache_answered()
    return None if count <= limit else max(math.ceil(opened + window - now), 1)


def counted(key, window):
    """The count of ``key`` with this request: one round trip, two for a window's first."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request, or another process's at once
        if cache.add(key, 1, window):
            return 1
        return cache.incr(key)
