"""Partners' quotas, counted in the shared cache; a cache that fails counts no one."""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from ..caching import cache_answered, cache_failed
from ..conf import app_settings


class PartnerRateThrottle(BaseThrottle):
    """
    Requests per partner key in a window that opens with the key's first
    request, counted in the shared cache so the limit holds across server
    processes (use Redis in production). One atomic increment per request,
    whatever the rate: DRF's own throttle keeps a timestamp per request and
    pickles them all on each one. When the cache fails, every request is let
    through (fail open): a quota is not worth an outage.
    """

    def __init__(self):
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(
            None, app_settings.API_RATE
        )
        self.count, self.reset = 0, self.duration

    def allow_request(self, request, view):
        if request.auth is None:
            return True
        try:
            return self.count_request(request)
        except Exception as error:  # the cache's connection error, whatever its backend
            cache_failed(error)
            self.count, self.reset = 0, self.duration
            return True

    def count_request(self, request):
        """Counts the request in its key's window: whether the quota holds it."""
        opened_key = f"exchanges:quota:{request.auth.prefix}:opened"
        count_key = f"exchanges:quota:{request.auth.prefix}:count"
        now = time.time()
        opened = cache.get(opened_key)
        if opened is None or now - opened >= self.duration:
            # A new window: its count starts again.
            opened = now
            cache.set(opened_key, now, self.duration)
            cache.set(count_key, 0, self.duration)
        try:
            self.count = cache.incr(count_key)
        except ValueError:  # expired between the two reads
            cache.set(count_key, 1, self.duration)
            self.count = 1
        if self.count is None:
            # A cache that hides its errors (django-redis's IGNORE_EXCEPTIONS) counts nothing.
            cache_failed()
            self.count, self.reset = 0, self.duration
            return True
        cache_answered()
        self.reset = max(opened + self.duration - now, 0)
        return self.count <= self.num_requests

    def wait(self):
        return self.reset

    def headers(self):
        """
        The key's quota as the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
        the limit, what is left of it, seconds until the window opens again, and the policy.
        """
        return {
            "RateLimit-Limit": str(self.num_requests),
            "RateLimit-Remaining": str(max(self.num_requests - self.count, 0)),
            "RateLimit-Reset": str(int(self.reset)),
            "RateLimit-Policy": f"{self.num_requests};w={self.duration}",
        }
