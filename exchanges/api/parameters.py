"""
Query parameters partners may send: known ones only, each once, never empty;
and what no door can read at all (``unreadable``), whichever door it is.
"""

import re
from urllib.parse import unquote_to_bytes

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

# No address, key or parameter of ours holds a control character; in a
# parameter only NUL is refused (PostgreSQL cannot store it: it was a 500),
# as the schema says, since white space separates the words of a search.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NUL = "\x00"


def check_parameters(request, allowed, may_be_empty=()):
    """
    A 400 for a parameter the endpoint does not know (a misspelt filter would
    otherwise return everything, looking right), given twice, or given empty.
    """
    errors = {}
    query = getattr(request, "query_params", request.GET)  # DRF's request, or Django's
    for name, values in query.lists():
        if name not in allowed:
            errors[name] = [_("Unknown parameter. Use one of: %s.") % ", ".join(sorted(allowed))]
        elif len(values) > 1:
            errors[name] = [_("Give this parameter once.")]
        elif not values[0] and name not in may_be_empty:
            errors[name] = [_("Give a value, or leave the parameter out.")]
    if errors:
        raise ValidationError(errors)


def unreadable(request):
    """
    What in the request no door can read, as a 400's body: a control character
    in the address or the key, a NUL or bytes that are not UTF-8 in a
    parameter (Django would quietly replace those with “�”).
    """
    errors = {}
    if CONTROL.search(request.path_info):
        errors["detail"] = _("The address holds a control character.")
    if CONTROL.search(request.META.get("HTTP_AUTHORIZATION", "")):
        errors["Authorization"] = [_("The key holds a control character.")]
    # The bytes the client sent, as the WSGI server hands them over (PEP 3333).
    query = request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace")
    for field in query.split(b"&"):
        name, _sep, value = field.partition(b"=")
        try:
            name, value = decoded(name), decoded(value)
        except UnicodeDecodeError:
            label = unquote_to_bytes(name).decode(errors="replace")
            errors[label] = [_("Send this parameter in UTF-8.")]
            continue
        if NUL in name or NUL in value:
            errors[name] = [_("Remove the NUL character from this parameter.")]
    return errors


def decoded(part):
    """One name or value of a query string, percent-decoded, strictly as UTF-8."""
    return unquote_to_bytes(part.replace(b"+", b" ")).decode()
