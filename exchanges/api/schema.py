"""OpenAPI 3 for the partners' API (drf-spectacular), with docs served from our own static files."""

from django.templatetags.static import static
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

TITLE = "Prisoner exchanges API"
DESCRIPTION = (
    "Sourced figures on prisoner-of-war exchanges for partner outlets. Every request "
    "except `summary/` needs `Authorization: Api-Key <key>`. Figures carry their qualifier "
    "as `precision` (`exact`, `about`, `over`, `at_least`, `nearly`, `fewer_than`, `up_to`, "
    "`between` with an `upper` value, `unknown`) and their wording in each language. "
    "`changes/` gives exact incremental sync. Add `format=ninjs` for IPTC ninjs 3.1."
)


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "exchanges.api.authentication.PartnerKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; keys come from the newsroom's partner desk.",
        }


class SchemaView(SpectacularAPIView):
    """The schema as JSON by default (YAML on request), leaving itself out."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
    custom_settings = {"TITLE": TITLE, "DESCRIPTION": DESCRIPTION, "VERSION": "1"}

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerView):
    """Swagger UI from drf-spectacular-sidecar's static files: no CDN, whatever the settings."""

    url_name = "exchanges:api-schema"
    title = TITLE

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
