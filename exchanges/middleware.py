"""
The app's doors under stress, in one place: a request no door can read is a
400, a client past the public rate a 429, and a database that fails a 503 or
the door's last good answer, never a 500. Add ``DoorsMiddleware`` to
MIDDLEWARE; it acts on the app's own URLs only.
"""

import logging

from django.db import DataError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import outages, views
from .api.authentication import key_from_request
from .api.parameters import unreadable
from .caching import last_good_value
from .conf import app_settings
from .limits import public_wait

# Doors anyone may use without a key: counted per client address.
PUBLIC = {"embed", "oembed", "summary", "data", "data-file", "box-data"}

log = logging.getLogger(__name__)


def door(request):
    """The app's name for the URL asked for (``embed``, ``summary``…), or None elsewhere."""
    match = request.resolver_match
    if match is None or "exchanges" not in match.app_names:
        return None
    return match.url_name


class DoorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        """Refuses what no door can read, then counts a public door's client."""
        name = door(request)
        if name is None:
            return None
        if errors := unreadable(request):
            return refusal(name, 400, errors)
        if name in PUBLIC and (wait := public_wait(request)) is not None:
            message = _("Too many requests from this address: try again in %(seconds)s s.")
            response = refusal(name, 429, {"detail": message % {"seconds": wait}})
            response["Retry-After"] = str(wait)
            return response
        return None

    def process_exception(self, request, exception):
        """A database that fails: the last good answer, or a 503 that says when to retry."""
        name = door(request)
        if name is None:
            return None
        if isinstance(exception, DataError):
            # A value the database cannot hold (a date past its calendar…): the
            # request's own fault, as each parameter's check should have said.
            log.warning("A value the database refused reached it: %s", exception)
            return refusal(name, 400, {"detail": _("A value in this request is out of range.")})
        if not isinstance(exception, outages.DATABASE_ERRORS):
            return None
        outages.database_failed(exception)
        return stale(request, name) or unavailable(name)


def refusal(name, status, errors):
    """A 4xx in the door's own form: text for an embed, else JSON as the API's errors."""
    if name == "embed":
        lines = [
            message if field == "detail" else f"{field}: {' '.join(message)}"
            for field, message in errors.items()
        ]
        response = HttpResponse(
            "\n".join(lines), status=status, content_type="text/plain; charset=utf-8"
        )
    else:
        response = JsonResponse(errors, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def stale(request, name):
    """The last answer an embed or a feed built, while nothing can be built."""
    key = outages.last_good(request)
    if key is None:
        return None
    if name == "feed" and not outages.was_verified(key_from_request(request, allow_query=True)):
        return None
    kept = last_good_value(key)
    if kept is None:
        return None
    if name == "embed":
        response = views.embed_answer(kept)
        response.xframe_options_exempt = True
        response["Cache-Control"] = f"public, max-age={app_settings.RETRY_AFTER}"
    else:
        response = views.feed_answer(kept)
        response["Cache-Control"] = "private, no-cache"
    return response


def unavailable(name):
    """503 with Retry-After: a short page in an embed's frame, JSON at every other door."""
    if name == "embed":
        message = _("The figures cannot be shown just now. Try again in a moment.")
        body = format_html('<p class="xb-unavailable" role="status">{}</p>', message)
        html = render_to_string(
            "exchanges/embed.html", {"body": body, "lang": translation.get_language()}
        )
        response = HttpResponse(html, status=503)
        response["Content-Security-Policy"] = views.EMBED_CSP
        response.xframe_options_exempt = True
    else:
        message = _("Unavailable for a moment: try again after Retry-After seconds.")
        response = JsonResponse({"detail": message}, status=503)
    response["Retry-After"] = str(app_settings.RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
