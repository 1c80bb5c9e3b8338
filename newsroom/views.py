import sys
import uuid

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connections
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views import defaults

from exchanges.conf import app_settings
from exchanges.outages import DATABASE_ERRORS, drop_broken_connections

from .articles import ARTICLES


def article(request, slug):
    """A demo article whose stored body places fact boxes with shortcodes."""
    try:
        stored = ARTICLES[slug]
    except KeyError:
        raise Http404("No such article.") from None
    # The body is the newsroom's own trusted HTML, as a CMS would store it.
    article = {**stored, "body": mark_safe(stored["body"]), "slug": slug}
    return render(request, "article.html", {"article": article})


def home(request):
    return render(request, "home.html", {"articles": ARTICLES})


def health(request):
    """For load balancers: the process answers. Also the benchmarks' hello-world baseline."""
    response = HttpResponse("ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def readiness(request):
    """For load balancers: whether the database and the cache answer; 503 naming what does not."""
    checks = {"database": database_answers(), "cache": cache_answers()}
    ready = all(state == "ok" for state in checks.values())
    response = JsonResponse(checks, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


def database_answers():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS:
        drop_broken_connections()
        return "unavailable"
    return "ok"


def cache_answers():
    """A value written and read back: a cache that hides its errors (django-redis) tells too."""
    probe, token = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    for alias in {"default", app_settings.CACHE}:
        cache = caches[alias]
        if isinstance(cache, DummyCache):  # keeps nothing by design (EXCHANGES_CACHE=none)
            continue
        try:
            cache.set(probe, token, 10)
            answered = cache.get(probe) == token
            cache.delete(probe)
        except Exception:  # any backend's connection error
            answered = False
        if not answered:
            return "unavailable"
    return "ok"


def server_error(request):
    """
    A 500, unless the database failed: then a short 503 page that asks readers
    to come back, and the broken connection is dropped so that the next
    request connects afresh.
    """
    if not isinstance(sys.exception(), DATABASE_ERRORS):
        return defaults.server_error(request)
    drop_broken_connections()
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(app_settings.RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
