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
