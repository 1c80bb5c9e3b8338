"""
Shortcodes in stored article text: ``[factbox totals as_of=2025-07-28 lang=uk]``,
``[factbox agreement=istanbul-2]``, ``[factbox quote=<uuid>]``, each on a line of
its own (or alone in a ``<p>``).

A shortcode that cannot be read stays in the text as it was typed, so the
editor sees it and can fix it; the page never fails because of one.
"""

import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from .boxes import BoxError
from .kinds import BOXES
from .rendering import is_staff, render_box

# A shortcode stands on a line of its own, bare or as a paragraph of its own:
# one quoted inside a sentence, an attribute or a code sample stays text.
SHORTCODE = re.compile(
    r"^[ \t]*(?:<p>[ \t]*)?\[factbox(?P<args>[^\[\]\n]*)\](?:[ \t]*</p>)?[ \t]*$",
    re.MULTILINE,
)
OPTIONS = {"as_of", "lang", "heading"}


def parse(args):
    """(kind, key, options) from the text between ``[factbox`` and ``]``."""
    words = args.split()
    if not words:
        raise BoxError("empty shortcode")
    kind, _sep, key = words[0].partition("=")
    if kind not in BOXES:
        raise BoxError(f"unknown kind {kind!r}")
    options = {}
    for word in words[1:]:
        name, sep, value = word.partition("=")
        if not sep or name not in OPTIONS or not value or name in options:
            raise BoxError(f"cannot read {word!r}")
        options[name] = value.strip("\"'")
    return kind, key.strip("\"'") or None, options


def expand(body, request=None, autoescape=True):
    """The body with each readable shortcode replaced by its fact box."""
    body = "" if body is None else body
    keep_as_is = isinstance(body, SafeData) or not autoescape

    def text(part):
        return part if keep_as_is else conditional_escape(part)

    staff = is_staff(request)
    out, position = [], 0
    for match in SHORTCODE.finditer(body):
        out.append(text(body[position : match.start()]))
        try:
            kind, key, options = parse(match.group("args"))
            out.append(render_box(kind, key, staff=staff, **options))
        except (BoxError, ValueError):
            out.append(text(match.group(0)))
        position = match.end()
    out.append(text(body[position:]))
    result = "".join(str(part) for part in out)
    return mark_safe(result) if keep_as_is or autoescape else result
