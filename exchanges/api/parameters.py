"""Query parameters partners may send: known ones only, each once, never empty."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


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
