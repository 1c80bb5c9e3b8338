"""
JSON for partners. Figures carry their precision and wording; words typed in
two languages come as ``{"en": …, "uk": …}``; related records as UUID and URL,
and only when they are public themselves.
"""

from django.conf import settings
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from ..figures import Precision
from ..models import Agreement, Exchange, Organisation, Person, Quote, Tally, public_related
from ..validators import public_url
from ..wording import description, headline


def languages():
    return [code for code, _name in settings.LANGUAGES]


TRANSLATED = {
    "type": "object",
    "description": "The text in each language; null where it has not been translated.",
    "additionalProperties": {"type": "string", "nullable": True},
}
REF = {
    "type": "object",
    "nullable": True,
    "description": "A related public record; null when there is none or it is not public.",
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "url": {"type": "string", "format": "uri"},
        "name": TRANSLATED,
    },
    "required": ["uuid", "url"],
}


@extend_schema_field(
    {
        "type": "object",
        "description": (
            "A figure as the source gave it: a value, its qualifier (precision) and its "
            "wording. `over` is more than `value`; `at_least` may be exactly `value`; "
            "`nearly`, `fewer_than` and `up_to` bound from above; `between` is the range "
            "`value` to `upper`; `unknown` has no value."
        ),
        "properties": {
            "value": {"type": "integer", "nullable": True},
            "upper": {
                "type": "integer",
                "nullable": True,
                "description": "The upper end of a range; null unless precision is between.",
            },
            "precision": {"type": "string", "enum": Precision.values},
            "display": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["value", "upper", "precision", "display"],
    }
)
class FigureField(serializers.Field):
    """A Figure: ``{"value": 1000, "upper": null, "precision": "over", "display": {...}}``."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, figure):
        return figure.data()


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class WebLinkField(serializers.Field):
    """A web address an editor typed: only http(s) reaches partners, else null."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, url):
        return public_url(url)


@extend_schema_field(TRANSLATED)
class TranslatedField(serializers.Field):
    """A field typed in each language; a missing translation is null."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return {code: getattr(record, f"{self.field_name}_{code}") or None for code in languages()}


@extend_schema_field(REF)
class RefField(serializers.Field):
    """A related public record as ``{"uuid", "url"}``; null when it is not public."""

    def __init__(self, view_name, name=False, **kwargs):
        self.view_name, self.with_name = view_name, name
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        # Through the gate: a related record the public may not see never reaches here.
        return public_related(instance, self.source)

    def to_representation(self, record):
        return ref(record, self.view_name, self.context.get("request"), self.with_name)


def ref(record, view_name, request, with_name=False):
    if record is None:
        return None
    data = {
        "uuid": str(record.uuid),
        "url": reverse(f"exchanges:{view_name}", kwargs={"uuid": record.uuid}, request=request),
    }
    if with_name:
        data["name"] = {code: getattr(record, f"name_{code}") or None for code in languages()}
    return data


@extend_schema_field({"type": "array", "items": REF})
class RefListField(RefField):
    def to_representation(self, records):
        request = self.context.get("request")
        return [ref(record, self.view_name, request, self.with_name) for record in records]


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "name": {
                "type": "string",
                "nullable": True,
                "description": "The source's name in English (as before names were translated).",
            },
            "names": TRANSLATED,
            "url": {"type": "string", "format": "uri", "nullable": True},
        },
    }
)
class SourceField(serializers.Field):
    """Where the figures come from: a name (in each language), a link, or both."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        names = {code: getattr(record, f"source_name_{code}") or None for code in languages()}
        return {"name": names["en"], "names": names, "url": public_url(record.source_url)}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": (
            "Who made the statement, worded as it was published: the speaker's name and "
            "roles that day in each language (a later edit of a role does not change "
            "them). `kind` is `person` or `organisation`; null when the speaker is not public."
        ),
        "properties": {
            "kind": {"type": "string", "enum": ["person", "organisation"]},
            "speaker": TRANSLATED,
            "roles": {"type": "array", "items": TRANSLATED},
        },
    }
)
class AttributionField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, statement):
        return statement.public_attribution() or None


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"slug": {"type": "string"}, "name": TRANSLATED},
        },
    }
)
class CategoriesField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, categories):
        return [
            {
                "slug": c.slug,
                "name": {code: getattr(c, f"name_{code}") or None for code in languages()},
            }
            for c in categories.all()
        ]


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "title": TRANSLATED,
                "organisation": REF,
                "started_on": {"type": "string", "format": "date", "nullable": True},
                "ended_on": {"type": "string", "format": "date", "nullable": True},
            },
        },
    }
)
class RolesField(serializers.Field):
    """Roles held when something was said, with their organisation."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, roles):
        return [self.role(role, role.titles()) for role in roles.all()]

    def role(self, role, titles):
        return {
            "title": {code: titles.get(code) for code in languages()},
            "organisation": ref(
                public_related(role, "organisation"),
                "organisation-detail",
                self.context.get("request"),
                True,
            ),
            "started_on": role.started_on,
            "ended_on": role.ended_on,
        }


class StatementRolesField(RolesField):
    """The speaker's roles that day, titled as they were published."""

    def get_attribute(self, statement):
        return statement

    def to_representation(self, statement):
        published = statement.role_titles()
        roles = getattr(statement, statement.roles_field).all()
        return [self.role(role, published.get(role.pk) or role.titles()) for role in roles]


@extend_schema_field(
    {
        "type": "array",
        "description": "Public corrections of published figures, dates or quote text.",
        "items": {
            "type": "object",
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "note": TRANSLATED,
                "fields": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
)
class CorrectionsField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, corrections):
        return [
            {
                "at": serializers.DateTimeField().to_representation(correction.corrected_at),
                "note": {code: getattr(correction, f"note_{code}") or None for code in languages()},
                "fields": correction.fields,
            }
            for correction in corrections.all()
        ]


class RecordSerializer(serializers.ModelSerializer):
    """What every record carries: type, UUID, URL, version, times and a headline."""

    type = serializers.SerializerMethodField()
    headline = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    common_fields = [
        "type",
        "uuid",
        "url",
        "version",
        "created_at",
        "updated_at",
        "headline",
        "description",
    ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_type(self, record):
        return type(record)._meta.model_name

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated_at(self, record):
        """When what partners see of it last changed: an edit, a record it shows, its embargo."""
        changed = max(record.updated_at, record.published_at or record.updated_at)
        return serializers.DateTimeField().to_representation(changed)

    @extend_schema_field(TRANSLATED)
    def get_headline(self, record):
        """The record in one line, as feeds and ninjs headline it."""
        return in_each_language(headline, record)

    @extend_schema_field(TRANSLATED)
    def get_description(self, record):
        """The record in a few lines below its headline: its ninjs body and feed item."""
        return in_each_language(description, record)


def in_each_language(words, record):
    """``words(record)`` worded in each language."""
    worded = {}
    for code in languages():
        with translation.override(code):
            worded[code] = str(words(record))
    return worded


class OrganisationSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="exchanges:organisation-detail", lookup_field="uuid"
    )
    name = TranslatedField()
    short_name = TranslatedField()
    website = WebLinkField(source="url")

    class Meta:
        model = Organisation
        fields = [*RecordSerializer.common_fields, "slug", "name", "short_name", "kind", "website"]


class PersonSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="exchanges:person-detail", lookup_field="uuid"
    )
    name = TranslatedField()
    rank = TranslatedField()
    roles = RolesField()
    photo_credit = RefField("organisation-detail", name=True)

    class Meta:
        model = Person
        fields = [*RecordSerializer.common_fields, "slug", "name", "rank", "roles", "photo_credit"]


class AgreementSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="exchanges:agreement-detail", lookup_field="uuid"
    )
    title = TranslatedField()
    venue = TranslatedField()
    terms = TranslatedField()
    notes = TranslatedField()
    parties = RefListField("organisation-detail", name=True)
    categories = CategoriesField()
    exchanges = RefListField("exchange-detail")
    corrections = CorrectionsField()
    source = SourceField()

    class Meta:
        model = Agreement
        fields = [
            *RecordSerializer.common_fields,
            "slug",
            "title",
            "round_number",
            "venue",
            "concluded_on",
            "parties",
            "terms",
            "categories",
            "implementation",
            "counts_toward_tally",
            "exchanges",
            "notes",
            "source",
            "corrections",
        ]


class ExchangeSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="exchanges:exchange-detail", lookup_field="uuid"
    )
    agreement = RefField("agreement-detail")
    returned = FigureField(source="returned_figure")
    handed_over = FigureField(source="handed_over_figure")
    categories = CategoriesField()
    mediators = RefListField("organisation-detail", name=True)
    notes = TranslatedField()
    corrections = CorrectionsField()
    source = SourceField()

    class Meta:
        model = Exchange
        fields = [
            *RecordSerializer.common_fields,
            "date",
            "official_number",
            "agreement",
            "stage",
            "returned",
            "handed_over",
            "categories",
            "mediators",
            "counts_toward_tally",
            "notes",
            "source",
            "corrections",
        ]


class TallySerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="exchanges:tally-detail", lookup_field="uuid"
    )
    agreement = RefField("agreement-detail")
    exchanges = FigureField(source="exchanges_figure")
    returned = FigureField(source="returned_figure")
    stated_by = RefField("person-detail", name=True)
    stated_by_organisation = RefField("organisation-detail", name=True)
    stated_by_roles = StatementRolesField()
    attribution = AttributionField()
    context = TranslatedField()
    outlet = RefField("organisation-detail", name=True)
    notes = TranslatedField()
    corrections = CorrectionsField()
    source = SourceField()

    class Meta:
        model = Tally
        fields = [
            *RecordSerializer.common_fields,
            "as_of",
            "scope",
            "agreement",
            "counted_since",
            "exchanges",
            "returned",
            "stated_by",
            "stated_by_organisation",
            "stated_by_roles",
            "attribution",
            "context",
            "outlet",
            "notes",
            "source",
            "corrections",
        ]


class QuoteTranslationSerializer(serializers.Serializer):
    language = serializers.CharField()
    text = serializers.CharField()
    translator = serializers.CharField()


class QuoteSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="exchanges:quote-detail", lookup_field="uuid"
    )
    translations = QuoteTranslationSerializer(many=True, read_only=True)
    speaker = RefField("person-detail", name=True)
    speaker_organisation = RefField("organisation-detail", name=True)
    roles = StatementRolesField()
    attribution = AttributionField()
    context = TranslatedField()
    outlet = RefField("organisation-detail", name=True)
    exchange = RefField("exchange-detail")
    agreement = RefField("agreement-detail")
    tally = RefField("tally-detail")
    corrections = CorrectionsField()
    source = SourceField()

    class Meta:
        model = Quote
        fields = [
            *RecordSerializer.common_fields,
            "text",
            "language",
            "translations",
            "speaker",
            "speaker_organisation",
            "roles",
            "attribution",
            "context",
            "outlet",
            "said_on",
            "exchange",
            "agreement",
            "tally",
            "source",
            "corrections",
        ]
