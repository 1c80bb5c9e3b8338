"""
Template tags for reporters and site templates::

    {% load exchanges %}
    {% factbox "totals" as_of="2025-07-28" lang="uk" %}
    {% factbox "agreement" "istanbul-2" heading=3 %}
    {{ article.body|factboxes:request }}
"""

from django import template

from ..boxes import BoxError
from ..rendering import is_staff, placeholder, render_box
from ..shortcodes import expand

register = template.Library()


@register.simple_tag(takes_context=True)
def factbox(context, kind, key=None, as_of=None, lang=None, heading=2):
    """
    Render one fact box (templates ``exchanges/boxes/<kind>.html``).

    ``as_of`` pins the box to what was known on a date; without it the box is
    live. ``heading`` is the level of the box's heading in the page (2 to 6).
    """
    staff = is_staff(context.get("request"))
    try:
        return render_box(kind, key, as_of=as_of, lang=lang, staff=staff, heading=heading)
    except BoxError as error:
        return placeholder(str(error)) if staff else ""


@register.filter(needs_autoescape=True)
def factboxes(body, request=None, autoescape=True):
    """
    Expand ``[factbox …]`` shortcodes in an article body.

    The rest of the body is left as it was: safe HTML stays as it is, plain
    text is escaped like any variable. Pass the request to show staff why a
    draft's box is missing.
    """
    return expand(body, request=request, autoescape=autoescape)
