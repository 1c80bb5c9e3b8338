"""Test data builders: one factory per model, published unless a test says otherwise."""

import datetime

import factory
from django.utils import timezone

from exchanges.figures import Precision
from exchanges.models import (
    Agreement,
    Category,
    Exchange,
    Organisation,
    Person,
    Quote,
    QuoteTranslation,
    Role,
    Status,
    Tally,
)


def published_on(field):
    """Published records count as published on their own date, as the seed's do."""

    def at_noon(record):
        if record.status != Status.PUBLISHED:
            return None
        day = getattr(record, field) if field else datetime.date(2022, 1, 1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    return factory.LazyAttribute(at_noon)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.GOVERNMENT
    status = Status.PUBLISHED
    published_at = published_on(None)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name_en = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    status = Status.PUBLISHED
    published_at = published_on(None)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title_en = "spokesperson"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title_en = factory.Sequence(lambda n: f"Talks, round {n}")
    slug = factory.Sequence(lambda n: f"talks-{n}")
    concluded_on = datetime.date(2025, 6, 2)
    status = Status.PUBLISHED
    published_at = published_on("concluded_on")


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    returned = 100
    returned_precision = Precision.EXACT
    handed_over = None
    handed_over_precision = Precision.UNKNOWN
    source_name_en = factory.LazyAttribute(lambda e: f"Test Agency, {e.date.isoformat()}")
    status = Status.PUBLISHED
    published_at = published_on("date")


class TallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tally

    as_of = datetime.date(2025, 7, 28)
    exchanges = 66
    returned = 5857
    source_name_en = factory.LazyAttribute(lambda t: f"Test Agency, {t.as_of.isoformat()}")
    status = Status.PUBLISHED
    published_at = published_on("as_of")


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    text = "The implementation of the stages of this exchange will continue."
    language = Quote.Language.ENGLISH
    speaker = factory.SubFactory(PersonFactory)
    said_on = datetime.date(2025, 7, 28)
    source_name_en = "Test Agency, 2025-07-28"
    status = Status.PUBLISHED
    published_at = published_on("said_on")


class QuoteTranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteTranslation

    quote = factory.SubFactory(QuoteFactory)
    language = Quote.Language.UKRAINIAN
    text = "Реалізація етапів цього обміну триватиме."
