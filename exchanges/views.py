"""
The reader's doors: embeds (iframes) and oEmbed onto the box registry, and the
partners' feeds onto the kind registry (``kinds``).
"""

import csv
import io
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from rest_framework.exceptions import ValidationError

from . import boxes, feeds, outages
from .api.authentication import key_from_request, partner_key
from .api.conditional import Validators
from .api.parameters import check_parameters
from .api.throttling import PartnerRateThrottle
from .caching import cached, data_version, not_modified, public_headers
from .conf import app_settings
from .exporting import safe_text
from .kinds import BOXES, FEEDS, box_title, build_box, checked_box
from .rendering import (
    embed_path,
    iframe_snippet,
    is_staff,
    placeholder,
    public_box,
    unavailable_message,
)

# Editor-typed text cannot run scripts in an embed even if escaping failed.
EMBED_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)


def request_variant(request, *parts):
    """What an answer depends on besides the data: the door, its arguments, the site's address."""
    return "|".join(str(part) for part in (*parts, request.scheme, request.get_host()))


@require_safe
@xframe_options_exempt
def embed(request, kind, key=None):
    """A fact box as a page of its own, framable by any site; cached, conditional."""
    as_of, lang = request.GET.get("as_of"), request.GET.get("lang")
    try:
        return box_answer(
            request,
            "embed",
            kind,
            key,
            lambda _day, _language: embed_page(request, kind, key, as_of, lang),
            embed_answer,
        )
    except boxes.BoxError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    except boxes.BoxUnavailable as error:
        body = placeholder(unavailable_message(error)) if is_staff(request) else ""
        response = render(request, "exchanges/embed.html", {"body": body, "lang": None}, status=404)
        response["Content-Security-Policy"] = EMBED_CSP
        return response


def box_answer(request, door, kind, key, build, answer):
    """
    A box door's response: its arguments checked, then a 304, or the answer
    kept for this data version (``build(day, language)`` on a miss, the last
    good one in an outage), with the public cache headers. Raises the box's
    errors for the door to word.
    """
    as_of, lang = request.GET.get("as_of"), request.GET.get("lang")
    checked_box(kind, key)
    day, language = boxes.parse_as_of(as_of), boxes.parse_lang(lang)
    version = data_version(day)
    variant = request_variant(request, door, kind, key, as_of, lang, language)
    if (response := not_modified(request, version, variant)) is not None:
        return public_headers(response, version, variant, day)
    kept = cached(
        (variant, None if day else timezone.localdate()),
        lambda: build(day, language),
        version,
        last_good=outages.last_good(request),
    )
    return public_headers(answer(kept), version, variant, day, kept["records"])


def embed_answer(page):
    """The response for an embed page as the cache keeps it."""
    response = HttpResponse(page["html"])
    response["Content-Security-Policy"] = EMBED_CSP
    response["Content-Language"] = page["lang"]
    return response


def embed_page(request, kind, key, as_of, lang):
    """The embed page of a public box, as the cache keeps it."""
    box = public_box(kind, key, as_of, lang, stylesheet=False)
    src = request.build_absolute_uri(embed_path(kind, key, as_of, lang))
    oembed = request.build_absolute_uri(
        reverse("exchanges:oembed") + "?" + urlencode({"url": src, "format": "json"})
    )
    html = render_to_string(
        "exchanges/embed.html",
        {
            "body": mark_safe(box["html"]),
            "box": box,
            "lang": box["lang"],
            "oembed_url": oembed,
        },
    )
    return {"html": html, "lang": box["lang"], "records": box["records"]}


@require_safe
def box_data(request, kind, key=None):
    """
    “Get the data”: the figures one box shows, as CSV, with the embed's
    arguments (``as_of``, ``lang``), its errors, and its cache and headers.
    """
    try:
        return box_answer(
            request,
            "box-data",
            kind,
            key,
            lambda day, language: box_data_file(kind, key, day, language),
            box_data_answer,
        )
    except boxes.BoxError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    except boxes.BoxUnavailable as error:
        # Staff learn why, as in an embed; readers learn nothing about drafts.
        if is_staff(request):
            message = unavailable_message(error)
        else:
            message = _("There is no public fact box here.")
        return HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")


def spreadsheet_text(value):
    """A cell a spreadsheet shows as text, never runs as a formula; numbers stay numbers."""
    return safe_text(value) if isinstance(value, str) else value


def box_data_file(kind, key, as_of, lang):
    """One box's figures as a CSV document, as the cache keeps it."""
    box = build_box(kind, key, as_of=as_of, lang=lang)
    registered = BOXES[kind]
    with translation.override(box["lang"]):
        rows = registered.figures(box)
    out = io.StringIO("\ufeff")  # the byte-order mark: Excel then reads Ukrainian as UTF-8
    out.seek(0, io.SEEK_END)
    writer = csv.DictWriter(out, boxes.FIGURE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({name: spreadsheet_text(value) for name, value in row.items()} for row in rows)
    # The box's own name for its record (a slug, a UUID as written canonically).
    parts = [kind, box[registered.key] if registered.key else None, as_of and as_of.isoformat()]
    return {
        "csv": out.getvalue(),
        "filename": "-".join(part for part in parts if part) + ".csv",
        "lang": box["lang"],
        "records": [f"{kind}-{box['uuid']}"] if box.get("uuid") else [],
    }


def box_data_answer(kept):
    """The response for a box's CSV as the cache keeps it: a file to save."""
    response = HttpResponse(kept["csv"], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kept["filename"]}"'
    response["Content-Language"] = kept["lang"]
    response["Access-Control-Allow-Origin"] = "*"  # public, like the /data/ files
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
    width = bounded(request.GET.get("maxwidth"), app_settings.EMBED_WIDTH)
    try:
        checked_box(kind, key)
        height = bounded(request.GET.get("maxheight"), BOXES[kind].embed_height)
        day, language = boxes.parse_as_of(as_of), boxes.parse_lang(lang)
        version = data_version(day)
        variant = request_variant(request, "oembed", url, width, height, language)
        if (response := not_modified(request, version, variant)) is not None:
            return public_headers(response, version, variant, day)
        title = cached((variant,), lambda: box_title(kind, key, as_of, lang), version)
    except (boxes.BoxError, boxes.BoxUnavailable):
        raise Http404("No public fact box at this URL.") from None
    src = request.build_absolute_uri(embed_path(kind, key, as_of, lang))
    script = request.build_absolute_uri(static("exchanges/resize.js"))
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": title,
            "provider_name": app_settings.PROVIDER_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "cache_age": app_settings.OEMBED_CACHE_AGE,
            "html": str(iframe_snippet(src, title, kind, script, height)),
            "width": width,
            "height": height,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    return public_headers(response, version, variant, day)


FEED_PARAMETERS = {"key", "lang"}


def feed(request, kind, format):
    """One feed, for a partner's key in the header or in ``?key=``; conditional, rate-limited."""
    if kind not in FEEDS or format not in feeds.FORMATS:
        raise Http404("No such feed.")
    key = key_from_request(request, allow_query=True)
    api_key = partner_key(key, request) if key else None
    if api_key is None:
        response = JsonResponse(
            {"detail": _("A valid API key is required: Authorization: Api-Key <key>, or ?key=.")},
            status=401,
        )
        response["WWW-Authenticate"] = "Api-Key"
        return response
    request.auth = api_key
    outages.key_verified(key)
    try:
        check_parameters(request, FEED_PARAMETERS)
    except ValidationError as error:
        return JsonResponse(error.detail, status=400)
    codes = [code for code, _name in settings.LANGUAGES]
    lang = request.GET.get("lang") or codes[0]
    if lang not in codes:
        return JsonResponse({"lang": [_("Use one of: %s.") % ", ".join(codes)]}, status=400)
    # The key is the partner's secret: it stays out of the validators too.
    validators = Validators(f"{request.path}|{lang}")
    if (response := validators.not_modified(request)) is not None:
        return validators.apply(response)
    throttle = PartnerRateThrottle()
    if not throttle.allow_request(request, None):
        wait = throttle.wait()
        response = JsonResponse({"detail": _("Too many requests for this key.")}, status=429)
        response["Retry-After"] = str(int(wait or 1))
    else:
        kept = cached(
            (request_variant(request, "feed", kind, format, lang),),
            lambda: feed_content(request, kind, format, lang),
            validators.version,
            last_good=outages.last_good(request),
        )
        response = validators.apply(feed_answer(kept))
    for name, value in throttle.headers().items():
        response[name] = value
    return response


def feed_content(request, kind, format, lang):
    """One feed's document, as the cache keeps it."""
    view = FEEDS[kind].feed()
    view.feed_type = feeds.FORMATS[format]
    view.lang = lang
    view.language = lang
    with translation.override(lang):
        response = view(request)
    return {"content": response.content, "type": response["Content-Type"], "lang": lang}


def feed_answer(kept):
    """The response for a feed's document as the cache keeps it."""
    response = HttpResponse(kept["content"], content_type=kept["type"])
    response["Content-Language"] = kept["lang"]
    return response
