from django.conf import settings
from rest_framework.renderers import JSONRenderer

from ..kinds import KINDS
from .ninjs import canceled, to_ninjs


def default_language():
    return settings.LANGUAGES[0][0]


class NinjsRenderer(JSONRenderer):
    """``?format=ninjs``: records as IPTC ninjs 3.1 news objects; errors stay plain JSON."""

    format = "ninjs"
    media_type = "application/json"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        request = renderer_context.get("request")
        if data is None or (response is not None and response.status_code >= 400):
            return super().render(data, accepted_media_type, renderer_context)
        lang = request.query_params.get("lang", default_language()) if request else "en"
        if "results" in data:
            data = {**data, "results": [ninjs(item, lang) for item in data["results"]]}
        elif "type" in data:
            data = ninjs(data, lang)
        return super().render(data, accepted_media_type, renderer_context)


def ninjs(item, lang):
    """One record's API JSON as ninjs, mapped as the registry says for its kind."""
    return to_ninjs(item, KINDS[item["type"]].ninjs, lang)


class ChangesNinjsRenderer(NinjsRenderer):
    """``changes/?format=ninjs``: each entry's record as ninjs; a withdrawn one ``canceled``."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        request = renderer_context.get("request")
        if data and "results" in data and not (response and response.status_code >= 400):
            lang = request.query_params.get("lang", default_language()) if request else "en"
            data = {**data, "results": [entry(item, lang) for item in data["results"]]}
        return JSONRenderer.render(self, data, accepted_media_type, renderer_context)


def entry(item, lang):
    if "data" in item:
        return {**item, "data": ninjs(item["data"], lang)}
    return {**item, "data": canceled(item["url"], lang)}
