"""
Fact boxes as HTML: the one renderer behind the tag, the shortcodes and the embeds.

``render_box`` asks the builder for the box's data and renders the kind's
template. What it shows when there is nothing public depends on who looks:
readers get nothing, logged-in staff a placeholder that says why.
"""

import json
import secrets

from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import boxes
from .caching import cached, data_version
from .kinds import BOXES, box_named, build_box

JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def jsonld_script(data):
    """A JSON-LD block that no editor-typed text can close or break out of."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def is_staff(request):
    """
    Whether the reader is newsroom staff who may see why a box is missing:
    someone who can read the records in the admin anyway. Other staff accounts
    (a partner manager) see what readers see, and learn nothing about drafts.
    """
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_staff):
        return False
    return user.has_perm("exchanges.view_exchange")


def placeholder(message):
    return format_html(
        '<div class="xb-placeholder" role="note"><strong>{}</strong> {}</div>',
        _("Fact box not shown to readers."),
        message,
    )


def unavailable_message(error):
    if error.draft:
        return _("The %(kind)s “%(key)s” is not published yet, or not on this date.") % {
            "kind": error.kind,
            "key": error.key,
        }
    if error.key:
        return _("There is no published %(kind)s “%(key)s”.") % {
            "kind": error.kind,
            "key": error.key,
        }
    return _("There are no published figures for this %(kind)s box yet.") % {"kind": error.kind}


def parse_heading(heading):
    """The heading level a page gives its box: 2 to 6."""
    try:
        level = int(heading)
    except (TypeError, ValueError):
        level = 0
    if not 2 <= level <= 6:
        raise boxes.BoxError(
            _("“%(heading)s” is not a heading level from 2 to 6.") % {"heading": heading}
        )
    return level


# Stands in a cached box's HTML for the part of its ids that is new each time
# it is shown, so the same box can appear twice on a page.
ID_SLOT = "xb0slot0id"


def render_data(box, heading=2, stylesheet=True, id_part=None):
    """The HTML of a built box; ``stylesheet`` links the box's CSS for pages without it."""
    # Ids unique on the page even when the same box appears twice.
    id_part = id_part or secrets.token_hex(3)
    box_id = f"xb-{box['kind']}-{slugify(box['key'] or 'all')}-{id_part}"
    with override(box["lang"]):
        return render_to_string(
            BOXES[box["kind"]].template,
            {
                "box": box,
                "heading": parse_heading(heading),
                "box_id": box_id,
                "jsonld": jsonld_script(box["jsonld"]),
                "stylesheet": stylesheet,
            },
        )


def public_box(kind, key=None, as_of=None, lang=None, heading=2, stylesheet=True):
    """
    A public box, rendered, as ``{"html", "title", "lang", "records"}``: built
    once per data version (see ``caching``), then read from the cache. Bad
    arguments raise BoxError; nothing public behind it, BoxUnavailable.
    """
    box_named(kind)
    as_of, lang, heading = boxes.parse_as_of(as_of), boxes.parse_lang(lang), parse_heading(heading)
    if key is not None:
        key = str(key)

    def build():
        box = build_box(kind, key, as_of=as_of, lang=lang)
        return {
            "html": render_data(box, heading, stylesheet, id_part=ID_SLOT),
            "title": str(box["title"]),
            "lang": box["lang"],
            "records": [f"{kind}-{box['uuid']}"] if box.get("uuid") else [],
        }

    # A live box is rebuilt each day too, in case its words count from today.
    day = None if as_of else timezone.localdate()
    parts = ("box", kind, key, as_of, lang, heading, stylesheet, day)
    rendered = cached(parts, build, data_version(as_of))
    return {**rendered, "html": rendered["html"].replace(ID_SLOT, secrets.token_hex(3))}


def render_box(kind, key=None, as_of=None, lang=None, staff=False, heading=2):
    """
    A fact box as safe HTML, or, when nothing public stands behind it, an empty
    string for readers and a placeholder for ``staff``. Bad arguments raise BoxError.
    """
    try:
        return mark_safe(public_box(kind, key, as_of, lang, heading)["html"])
    except boxes.BoxUnavailable as error:
        return placeholder(unavailable_message(error)) if staff else ""


def embed_path(kind, key=None, as_of=None, lang=None):
    """The iframe address of a box, relative to the site."""
    if key:
        path = reverse("exchanges:embed", args=[kind, key])
    else:
        path = reverse("exchanges:embed", args=[kind])
    query = {name: value for name, value in (("as_of", as_of), ("lang", lang)) if value}
    return f"{path}?{urlencode(query)}" if query else path


def iframe_snippet(src, title, kind, script_src, height=None):
    """The HTML a reporter pastes into any page: the iframe and the resize script."""
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="{}" loading="lazy" '
        'data-exchanges-embed></iframe><script src="{}" async></script>',
        src,
        title,
        height or BOXES[kind].embed_height,
        script_src,
    )


def snippets(request, kind, key=None, as_of=None, lang=None):
    """Copy-ready ways to embed one box: template tag, shortcode, iframe and oEmbed URL."""
    tag_args = [f'"{kind}"'] + ([f'"{key}"'] if key else [])
    tag_args += [f'{name}="{value}"' for name, value in (("as_of", as_of), ("lang", lang)) if value]
    code = [f"{kind}={key}" if key else kind]
    code += [f"{name}={value}" for name, value in (("as_of", as_of), ("lang", lang)) if value]
    src = request.build_absolute_uri(embed_path(kind, key, as_of, lang))
    script = request.build_absolute_uri(static("exchanges/resize.js"))
    oembed = request.build_absolute_uri(
        reverse("exchanges:oembed") + "?" + urlencode({"url": src, "format": "json"})
    )
    return {
        "tag": "{% load exchanges %}{% factbox " + " ".join(tag_args) + " %}",
        "shortcode": "[factbox " + " ".join(code) + "]",
        "iframe": iframe_snippet(src, _("Fact box"), kind, script),
        "oembed": oembed,
    }
