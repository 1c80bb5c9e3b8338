"""Which editor-typed words have a Ukrainian and an English version (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Agreement,
    Category,
    Correction,
    Exchange,
    Organisation,
    Person,
    Quote,
    Role,
    Tally,
)


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("name", "short_name")


@register(Person)
class PersonTranslationOptions(TranslationOptions):
    fields = ("name", "rank")


@register(Role)
class RoleTranslationOptions(TranslationOptions):
    fields = ("title",)


@register(Agreement)
class AgreementTranslationOptions(TranslationOptions):
    fields = ("title", "venue", "terms", "notes", "source_name")


@register(Exchange)
class ExchangeTranslationOptions(TranslationOptions):
    fields = ("notes", "source_name")


@register(Tally)
class TallyTranslationOptions(TranslationOptions):
    fields = ("context", "notes", "source_name")


@register(Quote)
class QuoteTranslationOptions(TranslationOptions):
    fields = ("context", "source_name")


@register(Correction)
class CorrectionTranslationOptions(TranslationOptions):
    fields = ("note",)
