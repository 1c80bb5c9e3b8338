"""The embed door (iframes) and the oEmbed provider, both thin doors onto the builder."""

from urllib.parse import parse_qs, urlsplit

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from . import boxes
from .conf import app_settings
from .rendering import (
    embed_path,
    iframe_snippet,
    is_staff,
    placeholder,
    render_data,
    unavailable_message,
)

# Editor-typed text cannot run scripts in an embed even if escaping failed.
EMBED_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)


@require_safe
@xframe_options_exempt
def embed(request, kind, key=None):
    """A fact box as a page of its own, framable by any site."""
    try:
        box = boxes.build(kind, key, as_of=request.GET.get("as_of"), lang=request.GET.get("lang"))
    except boxes.BoxError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    except boxes.BoxUnavailable as error:
        body = placeholder(unavailable_message(error)) if is_staff(request) else ""
        response = render(request, "exchanges/embed.html", {"body": body, "lang": None}, status=404)
        response["Content-Security-Policy"] = EMBED_CSP
        return response
    src = request.build_absolute_uri(
        embed_path(kind, key, request.GET.get("as_of"), request.GET.get("lang"))
    )
    oembed = request.build_absolute_uri(
        reverse("exchanges:oembed") + "?" + urlencode({"url": src, "format": "json"})
    )
    response = render(
        request,
        "exchanges/embed.html",
        {
            "body": render_data(box, stylesheet=False),
            "box": box,
            "lang": box["lang"],
            "oembed_url": oembed,
        },
    )
    response["Content-Security-Policy"] = EMBED_CSP
    return response


def box_from_url(request, url):
    """The embed arguments an embed URL of this site stands for, or Http404."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Http404("Not an embed URL of this site.") from None
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host():
        raise Http404("Not an embed URL of this site.")
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise Http404("Not an embed URL of this site.") from None
    if match.url_name != "embed" or match.namespace != "exchanges":
        raise Http404("Not an embed URL of this site.")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    return match.kwargs["kind"], match.kwargs.get("key"), query.get("as_of"), query.get("lang")


def bounded(value, default):
    """The consumer's maximum, if it is a positive number below our default."""
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return default
    return min(default, limit) if limit > 0 else default


@require_safe
def oembed(request):
    """oEmbed 1.0 provider for the embed URLs: type "rich", an iframe as html."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse("Only format=json is supported.", status=501)
    url = request.GET.get("url")
    if not url:
        return JsonResponse({"error": "The url parameter is required."}, status=400)
    kind, key, as_of, lang = box_from_url(request, url)
    try:
        box = boxes.build(kind, key, as_of=as_of, lang=lang)
    except (boxes.BoxError, boxes.BoxUnavailable):
        raise Http404("No public fact box at this URL.") from None
    width = bounded(request.GET.get("maxwidth"), app_settings.EMBED_WIDTH)
    height = bounded(request.GET.get("maxheight"), app_settings.EMBED_HEIGHTS.get(kind, 400))
    src = request.build_absolute_uri(embed_path(kind, key, as_of, lang))
    script = request.build_absolute_uri(static("exchanges/resize.js"))
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": str(box["title"]),
            "provider_name": app_settings.PROVIDER_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "cache_age": app_settings.OEMBED_CACHE_AGE,
            "html": str(iframe_snippet(src, str(box["title"]), kind, script, height)),
            "width": width,
            "height": height,
        },
        json_dumps_params={"ensure_ascii": False},
    )
