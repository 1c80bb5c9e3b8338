from rest_framework.throttling import SimpleRateThrottle

from ..conf import app_settings


class PartnerRateThrottle(SimpleRateThrottle):
    """
    Requests per partner key, counted in the shared cache so the limit holds
    across server processes (use Redis in production).
    """

    scope = "partner"

    def get_rate(self):
        return app_settings.API_RATE

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}

    def headers(self):
        """
        The key's quota as the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
        the limit, what is left of it, seconds until a request is freed, and the policy.
        """
        remaining = max(self.num_requests - len(self.history), 0)
        reset = self.duration - (self.now - self.history[-1]) if self.history else self.duration
        return {
            "RateLimit-Limit": str(self.num_requests),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(int(reset), 0)),
            "RateLimit-Policy": f"{self.num_requests};w={self.duration}",
        }
