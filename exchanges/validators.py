"""
Web links that editors type: a source's link, an organisation's website.

One rule at both ends. ``validate_web_link`` refuses a link that is not a plain
http(s) address when it is typed (the admin's forms and ``full_clean`` get it
from the model field; the seed loader runs it too). ``public_url`` decides what
every output may link to, so a link stored before the rule, or written by a
path that skipped it, never reaches a reader or a partner as ``javascript:``.
"""

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEB_PREFIXES = ("http://", "https://")
# Characters that end or open an HTML attribute or tag, or that URLs never hold
# unencoded; a browser's address bar copies them percent-encoded.
BREAKOUT = frozenset("\"'<>`\\")


def hidden(char):
    """Whitespace, control and format characters (U+202E too): invisible, or read apart."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def public_url(value):
    """
    ``value`` if outputs may link to it (an http or https address with a host,
    nothing hidden in it), else None. Quotes or brackets in a link stored before
    ``validate_web_link`` are escaped like any text where the link is written.
    """
    if not isinstance(value, str) or not value.lower().startswith(WEB_PREFIXES):
        return None
    if any(hidden(char) for char in value):
        return None
    try:
        host = urlsplit(value).hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return value if host else None


def validate_web_link(value):
    """Only a plain http(s) address is saved: no other scheme, nothing that leaves an attribute."""
    if public_url(value) is None or BREAKOUT.intersection(value):
        raise ValidationError(
            _(
                "Enter a web address that starts with http:// or https://, as copied from "
                "the browser's address bar. It cannot contain spaces, quotes, angle "
                "brackets, backticks or backslashes."
            ),
            code="web_link",
        )
