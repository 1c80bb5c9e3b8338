"""
Filters for the API lists. A value that cannot be read is a 400 naming the
parameter (django-filter's behaviour), never an empty list that looks right.
"""

import datetime
import re

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from ..models import Agreement, Exchange, Organisation, Person, Quote, Tally

# A search is a few words, not a document.
SEARCH_MAX_WORDS, SEARCH_MAX_LENGTH = 10, 200
# Words are what ASCII white space separates; the schema's pattern says the same.
SPACE = r" \t\n\r\f\v"
WORD = re.compile(rf"[^{SPACE}]+")


class SafeIsoDateTimeField(filters.fields.IsoDateTimeField):
    """A date-time past the edge of the calendar in UTC is a bad value, not a crash."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            # In UTC: PostgreSQL refuses offsets past ±15:59 that ISO 8601 allows.
            return value.astimezone(datetime.UTC) if value is not None else None
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class SafeIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = SafeIsoDateTimeField


def public_agreement():
    """By slug, among public agreements only: a draft's slug finds nothing."""
    return filters.CharFilter(method="by_public_agreement", label="Agreement slug")


def public_person(field):
    return filters.UUIDFilter(
        field_name=field, method="by_public_person", label="UUID of the person"
    )


def date_range(field, label):
    """Two plain parameters, so that a bad value is reported under its own name."""
    return (
        filters.DateFilter(field_name=field, lookup_expr="gte", label=f"{label}: on or after"),
        filters.DateFilter(field_name=field, lookup_expr="lte", label=f"{label}: on or before"),
    )


def yes_no():
    """Only “true” or “false”; anything else is an error, not “no filter”."""
    return filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true"
    )


class RecordFilter(filters.FilterSet):
    updated_since = SafeIsoDateTimeFilter(
        method="changed_since", label="Changed, or made public, at or after (ISO 8601)"
    )
    q = filters.CharFilter(method="search", label="Words to look for")

    search_fields = ()

    def changed_since(self, queryset, name, value):
        # A record that went public after ``value`` (an embargo lifting) is news too.
        return queryset.filter(Q(updated_at__gte=value) | Q(published_at__gte=value))

    def by_public_agreement(self, queryset, name, value):
        return queryset.filter(agreement__in=Agreement.objects.public().filter(slug=value))

    def by_public_person(self, queryset, name, value):
        return queryset.filter(**{f"{name}__in": Person.objects.public().filter(uuid=value)})

    def search(self, queryset, name, value):
        """
        Every word must appear in one of the searched fields. Bounded: a few words
        of reasonable length, and related fields searched through ``EXISTS``, so
        a query costs the same whatever the partner sends.
        """
        words = WORD.findall(value)
        if len(value) > SEARCH_MAX_LENGTH or len(words) > SEARCH_MAX_WORDS:
            raise DRFValidationError(
                {
                    "q": [
                        _("Search for at most %(words)s words and %(length)s characters.")
                        % {"words": SEARCH_MAX_WORDS, "length": SEARCH_MAX_LENGTH}
                    ]
                }
            )
        for word in words:
            condition = Q()
            for field in self.search_fields:
                condition |= self.contains(field, word)
            queryset = queryset.filter(condition)
        return queryset

    def contains(self, field, word):
        """``field`` contains ``word``; a related field through a subquery, without joins."""
        if "__" not in field:
            return Q(**{f"{field}__icontains": word})
        relation, target = field.split("__", 1)
        reverse = self.Meta.model._meta.get_field(relation)  # e.g. a quote's translations
        rows = reverse.related_model.objects.filter(
            **{reverse.field.name: OuterRef("pk"), f"{target}__icontains": word}
        )
        return Q(Exists(rows))


class ExchangeFilter(RecordFilter):
    date_after, date_before = date_range("date", "Date")
    agreement = public_agreement()
    category = filters.CharFilter(field_name="categories__slug", label="Category slug")
    counts_toward_tally = yes_no()
    ordering = filters.OrderingFilter(fields=["date", "updated_at"])

    search_fields = ("notes_en", "notes_uk", "source_name_en", "source_name_uk")

    class Meta:
        model = Exchange
        fields = []


class AgreementFilter(RecordFilter):
    date_after, date_before = date_range("concluded_on", "Agreed")
    category = filters.CharFilter(field_name="categories__slug", label="Category slug")
    counts_toward_tally = yes_no()
    implementation = filters.ChoiceFilter(choices=Agreement.Implementation.choices)
    ordering = filters.OrderingFilter(fields=[("concluded_on", "date"), "updated_at"])

    search_fields = ("title_en", "title_uk", "terms_en", "terms_uk", "notes_en", "notes_uk")

    class Meta:
        model = Agreement
        fields = []


class TallyFilter(RecordFilter):
    date_after, date_before = date_range("as_of", "As of")
    agreement = public_agreement()
    scope = filters.ChoiceFilter(choices=Tally.Scope.choices)
    speaker = public_person("stated_by")
    ordering = filters.OrderingFilter(fields=[("as_of", "date"), "updated_at"])

    search_fields = (
        "context_en",
        "context_uk",
        "notes_en",
        "notes_uk",
        "source_name_en",
        "source_name_uk",
    )

    class Meta:
        model = Tally
        fields = []


class QuoteFilter(RecordFilter):
    date_after, date_before = date_range("said_on", "Said")
    speaker = public_person("speaker")
    language = filters.ChoiceFilter(choices=Quote.Language.choices)
    agreement = public_agreement()
    ordering = filters.OrderingFilter(fields=[("said_on", "date"), "updated_at"])

    search_fields = ("text", "translations__text", "context_en", "context_uk")

    class Meta:
        model = Quote
        fields = []


class PersonFilter(RecordFilter):
    ordering = filters.OrderingFilter(fields=["name_en", "updated_at"])
    search_fields = ("name_en", "name_uk", "roles__title_en", "roles__title_uk")

    class Meta:
        model = Person
        fields = []


class OrganisationFilter(RecordFilter):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    ordering = filters.OrderingFilter(fields=["name_en", "updated_at"])
    search_fields = ("name_en", "name_uk", "short_name_en", "short_name_uk")

    class Meta:
        model = Organisation
        fields = []
