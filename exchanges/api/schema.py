"""OpenAPI 3 for the partners' API (drf-spectacular), with docs served from our own static files."""

from django.templatetags.static import static
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .filters import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS, SPACE

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
    custom_settings = {
        "TITLE": TITLE,
        "DESCRIPTION": DESCRIPTION,
        "VERSION": "1",
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "exchanges.api.schema.document_answers",
        ],
    }

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# Swagger UI's page has one small inline stylesheet and sets styles as it draws;
# its script comes from this same view (the split view), so no inline script runs.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files: no CDN, no inline script."""

    url_name = "exchanges:api-schema"
    title = TITLE

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")


# Every answer the API gives, in the schema ------------------------------------

ERROR = {
    "type": "object",
    "description": (
        "What went wrong: `detail`, or, for bad parameters, each parameter's name with "
        "its messages (an unknown parameter's messages list the allowed ones)."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}
NINJS = {
    "type": "object",
    "description": (
        "An IPTC ninjs 3.1 news object (`format=ninjs`), valid against the official schema "
        "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json. Each language version is its own "
        "object: `uri` is its address, other versions are `associations` with `rel` "
        "`translation`; a withdrawn record in `changes/` is `pubStatus` `canceled`."
    ),
    "required": ["uri", "type", "pubStatus", "language", "standard"],
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "type": {"type": "string"},
        "version": {"type": "string"},
        "pubStatus": {"type": "string", "enum": ["usable", "withheld", "canceled"]},
        "language": {"type": "string"},
        "headlines": {"type": "array", "items": {"type": "object"}},
        "bodies": {"type": "array", "items": {"type": "object"}},
        "associations": {"type": "array", "items": {"type": "object"}},
        "standard": {"type": "object"},
    },
    "additionalProperties": {},
}
RATE_LIMIT = {
    "RateLimit-Limit": "Requests a key may make in the window.",
    "RateLimit-Remaining": "Requests left in the window.",
    "RateLimit-Reset": "Seconds until a request is freed.",
    "RateLimit-Policy": "The quota and window, e.g. `1000;w=3600`.",
}


def error(description, **headers):
    answer = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        answer["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return answer


def document_answers(result, generator, request, public):
    """
    drf-spectacular hook: every status each operation can answer, with its body
    and headers, and both formats (JSON and ninjs) of the lists and details.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["Ninjs"] = NINJS
    for path, methods in result["paths"].items():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                tidy(parameter)
            answers = operation["responses"]
            answers.setdefault("400", error("A parameter is not valid: the body names it."))
            answers.setdefault(
                "503",
                error(
                    "The database cannot be reached just now: try again later.",
                    **{"Retry-After": "Seconds to wait."},
                ),
            )
            if path.endswith("/summary/"):
                # Public, like the fact boxes: no key; a quota per client address.
                answers.setdefault(
                    "429",
                    error("Too many requests from this address.", **{"Retry-After": "Seconds."}),
                )
                continue
            answers.setdefault("401", error("No valid key.", **{"WWW-Authenticate": "`Api-Key`"}))
            answers.setdefault(
                "429",
                error("This key used its quota.", **{"Retry-After": "Seconds to wait."}),
            )
            answers["200"]["headers"] = {
                name: {"description": text, "schema": {"type": "integer"}}
                if name != "RateLimit-Policy"
                else {"description": text, "schema": {"type": "string"}}
                for name, text in RATE_LIMIT.items()
            }
            if path.endswith("/changes/"):
                continue
            answers.setdefault("304", {"description": "Not modified since your ETag or date."})
            answers.setdefault(
                "404", error("No public record with this UUID, or a page cursor not valid.")
            )
            both_formats(answers["200"]["content"]["application/json"], schemas)
    return result


def tidy(parameter):
    """Say exactly what each parameter takes, so a valid request is always accepted."""
    schema = parameter.get("schema", {})
    if schema.get("type") == "boolean":
        schema.pop("enum", None)
    if schema.get("type") == "array":
        schema["minItems"] = 1
    if parameter["name"] == "page_size":
        schema["minimum"] = 1
        parameter["description"] = "Items per page, from 1; more than 200 gets 200."
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        # Text, never a NUL; a search at most a few words long.
        schema["pattern"] = r"^[^\x00]*$"
        # Empty is “leave it out”, except for a change-log cursor: "" is the start.
        schema["minLength"] = 0 if parameter["name"] == "since" else 1
    if parameter["name"] == "q":
        schema["maxLength"] = SEARCH_MAX_LENGTH
        space, word = f"[{SPACE}]", f"[^{SPACE}\\x00]+"
        schema["pattern"] = f"^{space}*({word}{space}+){{0,{SEARCH_MAX_WORDS - 1}}}{word}{space}*$"
        parameter["description"] = (
            f"Words to look for, all of them: at most {SEARCH_MAX_WORDS} words and "
            f"{SEARCH_MAX_LENGTH} characters."
        )


def both_formats(content, schemas):
    """JSON by default; IPTC ninjs with ``format=ninjs``, in the same envelope for lists."""
    ref = content["schema"]["$ref"]
    name = ref.rsplit("/", 1)[1]
    if name.startswith("Paginated"):
        ninjs_page = f"{name}Ninjs"
        page = schemas[name]
        schemas[ninjs_page] = {
            **page,
            "properties": {
                **page["properties"],
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Ninjs"}},
            },
        }
        content["schema"] = {
            "anyOf": [{"$ref": ref}, {"$ref": f"#/components/schemas/{ninjs_page}"}]
        }
    else:
        content["schema"] = {"anyOf": [{"$ref": ref}, {"$ref": "#/components/schemas/Ninjs"}]}
