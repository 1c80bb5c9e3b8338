from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from .figures import Figure, Precision
from .forms import QuoteForm, RecordForm, TallyForm
from .models import (
    Agreement,
    Category,
    Exchange,
    Organisation,
    Partner,
    PartnerAPIKey,
    Person,
    Quote,
    QuoteTranslation,
    Role,
    Tally,
)
from .rendering import render_box, snippets

RECORD_FIELDS = (_("Publication"), {"fields": ["status", "uuid", "created_at", "updated_at"]})
RECORD_READONLY = ["uuid", "created_at", "updated_at"]
SOURCE_FIELDS = (_("Source"), {"fields": [("source_name", "source_url")]})


class RecordAdmin(TranslationAdmin):
    """What the admin of every public record shares."""

    readonly_fields = RECORD_READONLY
    # Django 6 will assume https for links typed without a scheme; so do we, today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class FactBoxAdminMixin:
    """Shows, on a record's change page, its fact box in each language and how to embed it."""

    change_form_template = "admin/exchanges/change_form_with_factbox.html"

    def factbox_args(self, obj):
        """(kind, key, as_of) of the box this record stands behind."""
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            kind, key, as_of = self.factbox_args(obj)
            extra_context = {
                **(extra_context or {}),
                "factbox_previews": [
                    (name, render_box(kind, key, as_of=as_of, lang=code, staff=True, heading=3))
                    for code, name in settings.LANGUAGES
                ],
                "factbox_snippets": snippets(request, kind, key, as_of=as_of),
                "factbox_unpublished": not obj.is_public,
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_en", "name_uk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = ["name", "short_name", "kind", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name_en", "name_uk", "short_name_en", "short_name_uk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "url"]}),
        RECORD_FIELDS,
    ]


class RoleInline(TranslationTabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["title", "organisation", "started_on", "ended_on"]


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    list_display = ["name", "rank", "current_roles", "status"]
    list_filter = ["status"]
    search_fields = ["name_en", "name_uk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["photo_credit"]
    inlines = [RoleInline]
    fieldsets = [
        (None, {"fields": ["name", "rank", "slug", ("photo", "photo_credit")]}),
        RECORD_FIELDS,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("roles"))
    def current_roles(self, person):
        return "; ".join(role.title for role in person.roles.all() if role.ended_on is None)


@admin.register(Role)
class RoleAdmin(TranslationAdmin):
    """Registered so quotes and tallies can pick roles by autocomplete."""

    list_display = ["person", "title", "organisation", "started_on", "ended_on"]
    list_filter = ["organisation"]
    search_fields = ["title_en", "title_uk", "person__name_en", "person__name_uk"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]


class ExchangeInline(admin.TabularInline):
    """An agreement's stages, edited where editors think of them."""

    model = Exchange
    form = RecordForm
    extra = 0
    fk_name = "agreement"
    fields = [
        "date",
        "stage",
        "returned",
        "returned_precision",
        "handed_over",
        "handed_over_precision",
        "counts_toward_tally",
        "status",
    ]
    show_change_link = True
    ordering = ["date"]


@admin.register(Agreement)
class AgreementAdmin(FactBoxAdminMixin, RecordAdmin):
    list_display = [
        "title",
        "round_number",
        "concluded_on",
        "terms",
        "implementation",
        "counts_toward_tally",
        "status",
    ]
    list_filter = ["implementation", "counts_toward_tally", "status", "categories"]
    search_fields = ["title_en", "title_uk", "terms_en", "terms_uk", "venue_en", "slug"]
    date_hierarchy = "concluded_on"
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["parties", "categories"]
    inlines = [ExchangeInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("round_number", "concluded_on"), "venue"]}),
        (
            _("Terms"),
            {"fields": ["parties", "terms", "categories", "implementation", "counts_toward_tally"]},
        ),
        (_("Notes"), {"fields": ["notes"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    def factbox_args(self, agreement):
        return "agreement", agreement.slug, None


@admin.register(Exchange)
class ExchangeAdmin(FactBoxAdminMixin, RecordAdmin):
    form = RecordForm
    list_display = [
        "date",
        "official_number",
        "returned_display",
        "handed_over_display",
        "agreement",
        "stage",
        "counts_toward_tally",
        "status",
    ]
    list_display_links = ["date"]
    list_filter = [
        "status",
        "counts_toward_tally",
        "agreement",
        "categories",
        ("mediators", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["agreement"]
    search_fields = ["notes_en", "notes_uk", "source_name", "source_url", "agreement__title_en"]
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "categories", "mediators"]
    fieldsets = [
        (None, {"fields": [("date", "official_number"), ("agreement", "stage")]}),
        (
            _("Figures"),
            {
                "fields": [
                    ("returned", "returned_precision"),
                    ("handed_over", "handed_over_precision"),
                ],
                "description": _(
                    "Enter each figure as the source gave it: “over a thousand” is 1,000 "
                    "with precision “at least”; leave the number empty and choose "
                    "“unknown” when it was not disclosed."
                ),
            },
        ),
        (None, {"fields": ["categories", "mediators", "counts_toward_tally", "notes"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    @admin.display(description=_("returned"), ordering="returned")
    def returned_display(self, exchange):
        return exchange.returned_figure.words()

    @admin.display(description=_("handed over"), ordering="handed_over")
    def handed_over_display(self, exchange):
        return exchange.handed_over_figure.words()

    def factbox_args(self, exchange):
        return "exchange", str(exchange.uuid), None


@admin.register(Tally)
class TallyAdmin(FactBoxAdminMixin, RecordAdmin):
    form = TallyForm
    list_display = [
        "as_of",
        "scope",
        "agreement",
        "exchanges_display",
        "returned_display",
        "stated_by",
        "status",
    ]
    list_filter = ["status", "scope", "agreement"]
    list_select_related = ["agreement", "stated_by"]
    search_fields = ["context_en", "context_uk", "source_name", "stated_by__name_en"]
    date_hierarchy = "as_of"
    autocomplete_fields = ["agreement", "stated_by", "stated_by_roles", "outlet"]
    readonly_fields = [*RECORD_READONLY, "recorded_comparison"]
    fieldsets = [
        (None, {"fields": [("as_of", "counted_since"), ("scope", "agreement")]}),
        (
            _("Official figures"),
            {
                "fields": [
                    ("exchanges", "exchanges_precision"),
                    ("returned", "returned_precision"),
                    "recorded_comparison",
                ],
                "description": _(
                    "The figures exactly as the official stated them. They are what fact "
                    "boxes publish; they are not recomputed from the exchanges recorded here."
                ),
            },
        ),
        (_("Who said it"), {"fields": ["stated_by", "stated_by_roles", "context", "outlet"]}),
        (_("Notes"), {"fields": ["notes"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    @admin.display(description=_("exchanges"), ordering="exchanges")
    def exchanges_display(self, tally):
        return tally.exchanges_figure.words()

    @admin.display(description=_("returned"), ordering="returned")
    def returned_display(self, tally):
        return tally.returned_figure.words()

    @admin.display(description=_("recorded here"))
    def recorded_comparison(self, tally):
        if tally.pk is None or tally.as_of is None:
            return _("Save the tally to compare it with the exchanges recorded here.")
        count, returned = tally.recorded_totals()
        text = _(
            "%(count)s published exchanges recorded in this scope up to this date, "
            "returning %(returned)s people."
        ) % {"count": count, "returned": returned.words()}
        gaps = []
        if tally.exchanges_figure.is_known and tally.exchanges != count:
            gaps.append(_("%(n)s exchanges") % {"n": Figure(tally.exchanges - count).words()})
        if (
            tally.returned_figure.is_known
            and returned.precision in (Precision.EXACT, Precision.ABOUT)
            and tally.returned != returned.value
        ):
            # The gap is only as exact as the recorded sum. An “at least” sum gives no gap.
            gap = Figure(tally.returned - returned.value, returned.precision)
            gaps.append(_("%(n)s people") % {"n": gap.words()})
        if gaps:
            text += " " + _(
                "Official minus recorded: %(gaps)s. Fact boxes publish the official figures."
            ) % {"gaps": ", ".join(str(gap) for gap in gaps)}
        return text

    def factbox_args(self, tally):
        """The box an article of the tally's date shows: totals, or the agreement's box."""
        if tally.scope == Tally.Scope.AGREEMENT and tally.agreement:
            return "agreement", tally.agreement.slug, tally.as_of.isoformat()
        return "totals", None, tally.as_of.isoformat()


class QuoteTranslationInline(admin.StackedInline):
    model = QuoteTranslation
    extra = 0


@admin.register(Quote)
class QuoteAdmin(FactBoxAdminMixin, RecordAdmin):
    form = QuoteForm
    list_display = ["__str__", "said_on", "language", "context", "status"]
    list_filter = ["status", "language", "speaker"]
    list_select_related = ["speaker"]
    search_fields = ["text", "speaker__name_en", "speaker__name_uk", "context_en"]
    date_hierarchy = "said_on"
    autocomplete_fields = ["speaker", "roles", "outlet", "exchange", "agreement", "tally"]
    inlines = [QuoteTranslationInline]
    fieldsets = [
        (None, {"fields": ["text", "language", ("speaker", "said_on"), "roles"]}),
        (_("Where it was said"), {"fields": ["context", "outlet"]}),
        (_("What it is about"), {"fields": ["exchange", "agreement", "tally"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    def factbox_args(self, quote):
        return "quote", str(quote.uuid), None


# Partners and keys ------------------------------------------------------------------

# The stock key model of djangorestframework-api-key is unused: partners' keys are ours.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class PartnerAPIKeyInline(admin.TabularInline):
    model = PartnerAPIKey
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["prefix", "name", "created", "expiry_date", "revoked", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Keys are made on the key page, where the new key is shown once.
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "created_at"]
    search_fields = ["name", "contact"]
    inlines = [PartnerAPIKeyInline]


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    """Keys are shown once, when made; afterwards only their prefix identifies them."""

    list_display = [
        "prefix",
        "name",
        "partner",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
        "last_used_at",
    ]
    list_filter = ["partner", "revoked", "created"]
    list_select_related = ["partner"]
    search_fields = ["name", "prefix", "partner__name"]
    autocomplete_fields = ["partner"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "last_used_at")

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = queryset.update(revoked=True)
        self.message_user(request, _("%(count)s keys revoked.") % {"count": count})
