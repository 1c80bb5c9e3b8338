"""
Conditional requests for partners: every answer is dated by the newest entry
of the change log, so a partner that sends back its ETag or Last-Modified
gets a 304, which costs one small query and none of its rate limit.
"""

from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from ..caching import data_version


class Validators:
    """The ETag and Last-Modified of one answer: the data's state and the request's own variant."""

    def __init__(self, variant):
        # The version the cached answers are keyed by (see ``caching``).
        self.variant = variant
        self.version = data_version()
        self.etag = self.version.etag(variant)
        self.last_modified = self.version.at

    def not_modified(self, request):
        """A 304 when the partner's copy is current, else None."""
        return get_conditional_response(
            request,
            etag=self.etag,
            last_modified=int(self.last_modified.timestamp()) if self.last_modified else None,
        )

    def apply(self, response, cache_control="private, no-cache"):
        if response.status_code in (200, 304):
            response["ETag"] = self.etag
            if self.last_modified:
                response["Last-Modified"] = http_date(self.last_modified.timestamp())
            # A partner's key is in the request: nothing here belongs in a shared cache.
            response["Cache-Control"] = cache_control
        return response
