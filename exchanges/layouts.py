"""
The column layout of each kind of record in a spreadsheet, one per kind.

A layout reads a row into a record's fields (``read``) and writes a record
into a row (``write``), with the same columns both ways, so that an export
imports again unchanged. It finds the record a row is about by its UUID when
the row gives one, else by its natural key (a tally's as-of date, scope and
agreement; an exchange's date, agreement and stage).

Columns of translated text are English under the plain name and Ukrainian
with ``_uk``, e.g. ``notes`` and ``notes_uk``.
"""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cells import (
    CellError,
    items,
    read_choice,
    read_date,
    read_figure,
    read_number,
    read_precision,
    read_yes_no,
)
from .figures import Precision
from .models import (
    Agreement,
    Category,
    Exchange,
    Organisation,
    Person,
    Quote,
    QuoteTranslation,
    Role,
    Tally,
    public_related,
)
from .validators import public_url

FIRST = settings.LANGUAGES[0][0]
OTHERS = [code for code, _name in settings.LANGUAGES[1:]]


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    # What the column holds in the published files (/data/), where it differs
    # from what an editor writes into it.
    published: str = ""

    @property
    def data_description(self):
        return self.published or self.description


def translated_columns(name, description, required=False):
    """A column per language: ``notes`` (English), ``notes_uk`` (Ukrainian)."""
    return [Column(name, description, required)] + [
        Column(f"{name}_{code}", gettext_lazy("The same, in Ukrainian.")) for code in OTHERS
    ]


def figure_columns(name, description):
    return [
        Column(
            name,
            description,
            published=format_lazy(
                "{} {}",
                description,
                gettext_lazy(
                    "In the files, the number alone; its qualifier is in the next column."
                ),
            ),
        ),
        Column(
            f"{name}_precision",
            gettext_lazy(
                "Its qualifier: exact, about, over, at_least, nearly, fewer_than, up_to, "
                "between or unknown. May be left empty when the figure says it, e.g. "
                "“over 1,000”."
            ),
            published=gettext_lazy(
                "Its qualifier: exact, about, over, at_least, nearly, fewer_than, up_to, "
                "between, or unknown (not disclosed: no number)."
            ),
        ),
        Column(f"{name}_upper", gettext_lazy("The upper number of a range (“between”).")),
    ]


UUID = Column(
    "uuid",
    gettext_lazy(
        "The record's stable identifier. Given, it names the record to update; empty, the "
        "record is found by its natural key, or created."
    ),
    published=gettext_lazy(
        "The record's stable identifier, the same in the API, the feeds and every file."
    ),
)


def source_columns(required=False):
    return [
        *translated_columns(
            "source",
            gettext_lazy("The outlet or document and its date, e.g. “TRT World, 2025-05-24”."),
            required,
        ),
        Column("source_url", gettext_lazy("A link to the source (http or https).")),
    ]


SOURCE = source_columns()
CORRECTION = translated_columns(
    "correction",
    gettext_lazy(
        "Import only: the public correction note that changing a published figure or date needs."
    ),
)


class Row:
    """One row being read: its cells by column, the errors found, the records it names."""

    def __init__(self, line, cells, lookups):
        self.line = line
        self.cells = cells
        self.lookups = lookups
        self.errors = {}

    def __contains__(self, column):
        return column in self.cells

    def text(self, column):
        return self.cells.get(column, "")

    def fail(self, column, message):
        self.errors.setdefault(column, str(message))

    def read(self, column, reader, *args):
        """``reader`` applied to a non-empty cell; None when empty or unreadable."""
        text = self.text(column)
        if not text:
            return None
        try:
            return reader(text, *args)
        except CellError as error:
            self.fail(column, error)
            return None

    def date(self, column):
        return self.read(column, read_date)

    def number(self, column):
        return self.read(column, read_number)

    def translated(self, name, field=None):
        """The fields of a translated text: ``{"notes_en": …, "notes_uk": …}``."""
        field = field or name
        values = {f"{field}_{FIRST}": self.text(name)}
        for code in OTHERS:
            values[f"{field}_{code}"] = self.text(f"{name}_{code}")
        return values

    def source(self):
        """The source fields; a link typed in ``source`` is taken as the link."""
        values = self.translated("source", "source_name")
        url = self.text("source_url")
        if not url and values[f"source_name_{FIRST}"].startswith(("http://", "https://")):
            url, values[f"source_name_{FIRST}"] = values[f"source_name_{FIRST}"], ""
        return {**values, "source_url": url}

    def figure(self, name):
        """A figure's three fields from its cell, its qualifier cell and its upper cell."""
        text = self.text(name)
        try:
            value, said, upper = read_figure(text)
        except CellError as error:
            self.fail(name, error)
            return {}
        precision = self.read(f"{name}_precision", read_precision)
        upper_cell = self.number(f"{name}_upper")
        if said and precision and said != precision:
            self.fail(
                name,
                _("“%(text)s” contradicts its qualifier “%(qualifier)s” in %(column)s.")
                % {"text": text, "qualifier": precision, "column": f"{name}_precision"},
            )
            return {}
        if upper is not None and upper_cell is not None and upper != upper_cell:
            self.fail(
                name,
                _("“%(text)s” contradicts its upper number %(upper)s in %(column)s.")
                % {"text": text, "upper": upper_cell, "column": f"{name}_upper"},
            )
            return {}
        if precision is None:
            precision = said or (Precision.EXACT if value is not None else Precision.UNKNOWN)
        return {
            name: value,
            f"{name}_precision": precision,
            f"{name}_upper": upper if upper is not None else upper_cell,
        }

    def lookup(self, column, find, *args):
        """The record a cell names, through ``lookups``; None (and an error) when unknown."""
        text = self.text(column)
        if not text:
            return None
        record = find(text, *args)
        if record is None:
            self.fail(column, self.lookups.unknown(find, text))
        return record

    def each(self, column, find, *args):
        found = []
        for text in items(self.text(column)):
            record = find(text, *args)
            if record is None:
                self.fail(column, self.lookups.unknown(find, text))
            else:
                found.append(record)
        return found


class Lookups:
    """
    The records cells name, found by slug, name or UUID and kept for the rest of
    the file: an import asks the database once per name, not once per row.
    """

    def __init__(self):
        self.kept = {}
        self.new_categories = []
        self.made = []  # categories made by the current row: gone if it rolls back

    def row_started(self):
        self.made = []

    def row_rolled_back(self):
        """Forget what the row made: its savepoint took it away (its id may come back)."""
        for key, text in self.made:
            self.kept.pop(key, None)
            self.new_categories.remove(text)
        self.made = []

    def remember(self, key, find):
        if key not in self.kept:
            self.kept[key] = find()
        return self.kept[key]

    def agreement(self, text):
        return self.remember(
            ("agreement", text),
            lambda: Agreement.objects.filter(named(text, "slug", "title_en", "title_uk")).first(),
        )

    def organisation(self, text):
        fields = ("slug", "name_en", "name_uk", "short_name_en", "short_name_uk")
        return self.remember(
            ("organisation", text),
            lambda: Organisation.objects.filter(named(text, *fields)).first(),
        )

    def person(self, text):
        return self.remember(
            ("person", text),
            lambda: Person.objects.filter(named(text, "slug", "name_en", "name_uk")).first(),
        )

    def speaker(self, text):
        """A person, else an organisation, by name or slug."""
        return self.person(text) or self.organisation(text)

    def role(self, text, person):
        if person is None:
            return None
        return self.remember(
            ("role", person.pk, text),
            lambda: person.roles.filter(named(text, "title_en", "title_uk")).first(),
        )

    def category(self, text):
        """A category by name; a new one is made, as an editor would add it in the form."""

        def find():
            # By its slug too: “Military.” is the category “military”, not a new one.
            slug = slugify(text)
            found = named(text, "slug", "name_en", "name_uk") | (Q(slug=slug) if slug else Q())
            category = Category.objects.filter(found).first()
            if category is None:
                slug = slug or f"category-{uuid.uuid4().hex[:8]}"
                category = Category.objects.create(slug=slug, name_en=text)
                self.new_categories.append(text)
                self.made.append((("category", text), text))
            return category

        return self.remember(("category", text), find)

    def by_uuid(self, model, text):
        try:
            key = uuid.UUID(text)
        except ValueError:
            return None
        return model.objects.filter(uuid=key).first()

    def exchange(self, text):
        """An exchange by UUID, or by its date when one exchange was on that day."""
        found = self.by_uuid(Exchange, text)
        if found is None:
            try:
                day = read_date(text)
            except CellError:
                return None
            on_day = list(Exchange.objects.filter(date=day)[:2])
            found = on_day[0] if len(on_day) == 1 else None
        return found

    def tally(self, text):
        return self.by_uuid(Tally, text)

    def unknown(self, find, text):
        # Whole sentences, so each language can decline the noun as it needs.
        message = {
            self.agreement: _(
                "There is no agreement “%(text)s”; add it first, or check the spelling."
            ),
            self.organisation: _(
                "There is no organisation “%(text)s”; add it first, or check the spelling."
            ),
            self.person: _("There is no person “%(text)s”; add them first, or check the spelling."),
            self.speaker: _(
                "There is no person or organisation “%(text)s”; add them first, or check the "
                "spelling."
            ),
            self.role: _(
                "This person has no role “%(text)s”; add it first, or check the spelling."
            ),
            self.exchange: _(
                "There is no exchange “%(text)s”: give its UUID, or its date when it was the "
                "only one that day."
            ),
            self.tally: _("There is no tally “%(text)s”: give its UUID."),
        }[find]
        return message % {"text": text}


def named(text, *fields):
    """Records whose ``fields`` equal ``text``, ignoring case."""
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__iexact": text})
    return condition


@dataclass
class Reading:
    """What a row says of its record: field values, relations, translations."""

    fields: dict
    many: dict = field(default_factory=dict)  # m2m field → records
    translations: dict | None = None  # a quote's: language → (text, translator)
    key: dict = field(default_factory=dict)  # the natural key's lookup


def name_of(record, public):
    """How a row names a related record: its slug, or its name when it has none."""
    if record is None:
        return ""
    return getattr(record, "slug", None) or str(record)


def related(record, name, public):
    """A related record, through the gate when the export is public."""
    if public:
        return public_related(record, name)
    return getattr(record, name)


def related_list(record, name, public):
    if public:
        return list(public_related(record, name))
    return list(getattr(record, name).all())


def source_cells(record):
    return {
        **translated_cells(record, "source", "source_name"),
        "source_url": public_url(record.source_url) or "",
    }


def translated_cells(record, name, field=None):
    field = field or name
    return {
        name: getattr(record, f"{field}_{FIRST}") or "",
        **{f"{name}_{code}": getattr(record, f"{field}_{code}") or "" for code in OTHERS},
    }


def figure_cells(record, name):
    return {
        name: getattr(record, name),
        f"{name}_precision": getattr(record, f"{name}_precision"),
        f"{name}_upper": getattr(record, f"{name}_upper"),
    }


def date_cell(date):
    return date.isoformat() if date else ""


class Layout:
    """One kind's columns, how a row is read, how a record is written."""

    name = ""  # as in the API and the files: "exchanges"
    model = None
    columns = []
    # Other names a column goes by in files we read (agreements.csv's “status”).
    aliases = {}
    # Where a model field's error is shown, when its column is named otherwise.
    field_columns = {}
    # Related fields that exports follow (select_related / prefetch_related).
    select = ()
    prefetch = ()
    # The model that decides who may change it (a role: its person's).
    guarded_by = None

    @property
    def column_names(self):
        return [column.name for column in self.columns]

    def required(self):
        return [column.name for column in self.columns if column.required]

    def column_of(self, field_name):
        """The column a model field's error belongs to, and the one that gives its value."""
        if field_name in self.field_columns:
            return self.field_columns[field_name]
        for suffix in ("_precision", "_upper"):
            if field_name.endswith(suffix) and field_name[: -len(suffix)] in self.column_names:
                return field_name[: -len(suffix)]
        if field_name.endswith(f"_{FIRST}"):
            return self.column_of(field_name[: -len(FIRST) - 1])
        for code in OTHERS:
            if field_name.endswith(f"_{code}"):
                column = self.column_of(f"{field_name[: -len(code) - 1]}_{FIRST}")
                return f"{column}_{code}" if column else None
        return field_name if field_name in self.column_names else None

    def given(self, row, field_name):
        """
        Whether the file has the column of ``field_name``: an update leaves the
        fields of columns the file does not have as they are. A ``source`` column
        without ``source_url`` is the whole source, as in the shared exchanges file.
        """
        column = self.column_of(field_name)
        if column is None or column in row.cells:
            return True
        return column == "source_url" and "source" in row.cells

    def find(self, row, reading):
        """The existing record the row is about: by UUID, else by its natural key."""
        text = row.text("uuid")
        if text:
            try:
                key = uuid.UUID(text)
            except ValueError:
                row.fail("uuid", _("“%(text)s” is not a UUID.") % {"text": text})
                return None
            return self.model.objects.filter(uuid=key).first()
        if not reading.key or any(value is None for name, value in reading.key.items()):
            return None
        return self.model.objects.filter(**reading.key).order_by("pk").first()

    def new(self, row, reading):
        record = self.model()
        if row.text("uuid") and "uuid" not in row.errors:
            record.uuid = uuid.UUID(row.text("uuid"))
        return record

    def read(self, row):
        raise NotImplementedError

    def write(self, record, public=False):
        raise NotImplementedError

    def check(self, record):
        """Checks beyond the model's, worded for a file: field name → message."""
        return {}

    def queryset(self, records):
        return records.select_related(*self.select).prefetch_related(*self.prefetch)


class OrganisationLayout(Layout):
    name = "organisations"
    model = Organisation
    columns = [
        UUID,
        Column("slug", gettext_lazy("Short name in addresses; made from the name when empty.")),
        *translated_columns("name", gettext_lazy("The organisation's name."), required=True),
        *translated_columns("short_name", gettext_lazy("e.g. “HUR”, “UAE”.")),
        Column(
            "kind",
            gettext_lazy("government, military, outlet, state, international or other."),
        ),
        Column("url", gettext_lazy("Its website.")),
    ]

    def read(self, row):
        slug = row.text("slug") or slugify(row.text("name"))
        fields = {
            "slug": slug,
            **row.translated("name"),
            **row.translated("short_name"),
            "kind": row.read("kind", read_choice, Organisation.Kind) or Organisation.Kind.OTHER,
            "url": row.text("url"),
        }
        return Reading(fields, key={"slug": slug})

    def write(self, record, public=False):
        return {
            "uuid": str(record.uuid),
            "slug": record.slug,
            **translated_cells(record, "name"),
            **translated_cells(record, "short_name"),
            "kind": record.kind,
            "url": public_url(record.url) or "",
        }


class PersonLayout(Layout):
    name = "people"
    model = Person
    columns = [
        UUID,
        Column("slug", gettext_lazy("Short name in addresses; made from the name when empty.")),
        *translated_columns("name", gettext_lazy("The person's name."), required=True),
        *translated_columns("rank", gettext_lazy("Rank or title before the name, e.g. “Major”.")),
        Column("photo_credit", gettext_lazy("The organisation the photo is credited to.")),
    ]
    select = ("photo_credit",)

    def read(self, row):
        slug = row.text("slug") or slugify(row.text("name"))
        fields = {
            "slug": slug,
            **row.translated("name"),
            **row.translated("rank"),
            "photo_credit": row.lookup("photo_credit", row.lookups.organisation),
        }
        return Reading(fields, key={"slug": slug})

    def write(self, record, public=False):
        return {
            "uuid": str(record.uuid),
            "slug": record.slug,
            **translated_cells(record, "name"),
            **translated_cells(record, "rank"),
            "photo_credit": name_of(related(record, "photo_credit", public), public),
        }


class RoleLayout(Layout):
    """A person's roles: they give tallies and quotes the speaker's title of the day."""

    name = "roles"
    model = Role
    columns = [
        Column("person", gettext_lazy("The person's slug or name."), required=True),
        *translated_columns(
            "title", gettext_lazy("As written after the name, organisation included."), True
        ),
        Column("organisation", gettext_lazy("The organisation's slug or name."), required=True),
        Column("from", gettext_lazy("First day in the role (YYYY-MM-DD), if known.")),
        Column("to", gettext_lazy("Last day in the role; empty while it is held.")),
    ]
    field_columns = {"started_on": "from", "ended_on": "to"}
    select = ("person", "organisation")
    guarded_by = Person

    def find(self, row, reading):
        if any(value is None for value in reading.key.values()):
            return None
        return Role.objects.filter(**reading.key).order_by("pk").first()

    def new(self, row, reading):
        return Role()

    def read(self, row):
        person = row.lookup("person", row.lookups.person)
        organisation = row.lookup("organisation", row.lookups.organisation)
        fields = {
            "person": person,
            **row.translated("title"),
            "organisation": organisation,
            "started_on": row.date("from"),
            "ended_on": row.date("to"),
        }
        key = {
            "person": person,
            "organisation": organisation,
            f"title_{FIRST}": row.text("title"),
        }
        return Reading(fields, key=key)

    def write(self, record, public=False):
        if public:
            organisation = getattr(record, "public_organisation", None)
        else:
            organisation = record.organisation
        return {
            "person": record.person.slug,
            **translated_cells(record, "title"),
            "organisation": name_of(organisation, public),
            "from": date_cell(record.started_on),
            "to": date_cell(record.ended_on),
        }


class AgreementLayout(Layout):
    name = "agreements"
    model = Agreement
    columns = [
        UUID,
        Column("slug", gettext_lazy("Short name, e.g. istanbul-2."), required=True),
        *translated_columns("title", gettext_lazy("e.g. “Istanbul talks, second round”."), True),
        Column("round", gettext_lazy("Round of negotiations, from 1, if numbered.")),
        *translated_columns("venue", gettext_lazy("Where it was agreed.")),
        Column("date", gettext_lazy("The day it was agreed (YYYY-MM-DD)."), required=True),
        *translated_columns("terms", gettext_lazy("e.g. “1,000 for 1,000”.")),
        Column("parties", gettext_lazy("The parties, by slug or name, separated by “;”.")),
        Column("categories", gettext_lazy("Groups of prisoners covered, separated by “;”.")),
        Column(
            "implementation",
            gettext_lazy("agreed, being implemented, completed or stalled."),
        ),
        Column(
            "counts_toward_tally",
            gettext_lazy("yes, no, or empty until officials say."),
        ),
        *translated_columns("notes", gettext_lazy("Notes for readers.")),
        *SOURCE,
        *CORRECTION,
    ]
    aliases = {"status": "implementation"}
    field_columns = {"concluded_on": "date", "round_number": "round", "source_name": "source"}
    prefetch = ("parties", "categories")

    def read(self, row):
        fields = {
            "slug": row.text("slug"),
            **row.translated("title"),
            "round_number": row.number("round"),
            **row.translated("venue"),
            "concluded_on": row.date("date"),
            **row.translated("terms"),
            "implementation": row.read("implementation", read_choice, Agreement.Implementation)
            or Agreement.Implementation.AGREED,
            "counts_toward_tally": row.read("counts_toward_tally", read_yes_no),
            **row.translated("notes"),
            **row.source(),
        }
        many = {
            "parties": row.each("parties", row.lookups.organisation),
            "categories": [row.lookups.category(text) for text in items(row.text("categories"))],
        }
        return Reading(fields, many, key={"slug": row.text("slug")})

    def write(self, record, public=False):
        return {
            "uuid": str(record.uuid),
            "slug": record.slug,
            **translated_cells(record, "title"),
            "round": record.round_number,
            **translated_cells(record, "venue"),
            "date": date_cell(record.concluded_on),
            **translated_cells(record, "terms"),
            "parties": [
                name_of(party, public) for party in related_list(record, "parties", public)
            ],
            "categories": [category.name_en for category in record.categories.all()],
            "implementation": record.implementation,
            "counts_toward_tally": record.counts_toward_tally,
            **translated_cells(record, "notes"),
            **source_cells(record),
        }


class ExchangeLayout(Layout):
    name = "exchanges"
    model = Exchange
    columns = [
        UUID,
        Column("date", gettext_lazy("The day of the exchange (YYYY-MM-DD)."), required=True),
        *figure_columns(
            "returned",
            gettext_lazy("People returned to Ukraine, as the source gave it: “over 1,000”."),
        ),
        *figure_columns("handed_over", gettext_lazy("People handed over to Russia.")),
        Column("official_number", gettext_lazy("The sequence number officials give it.")),
        Column(
            "counts_toward_tally",
            gettext_lazy("yes, or no for exchanges officials keep outside their tally."),
        ),
        Column("agreement", gettext_lazy("The agreement it implements, by slug.")),
        Column("stage", gettext_lazy("Its stage of that agreement, from 1.")),
        Column("categories", gettext_lazy("Groups of prisoners, separated by “;”.")),
        Column("mediators", gettext_lazy("Mediating organisations, separated by “;”.")),
        *translated_columns("notes", gettext_lazy("Notes for readers.")),
        *SOURCE,
        *CORRECTION,
    ]
    field_columns = {"source_name": "source"}
    select = ("agreement",)
    prefetch = ("categories", "mediators")

    def read(self, row):
        agreement = row.lookup("agreement", row.lookups.agreement)
        official = row.number("official_number")
        fields = {
            "date": row.date("date"),
            **row.figure("returned"),
            **row.figure("handed_over"),
            "official_number": official,
            "counts_toward_tally": row.read("counts_toward_tally", read_yes_no) is not False,
            "agreement": agreement,
            "stage": row.number("stage"),
            **row.translated("notes"),
            **row.source(),
        }
        many = {
            "categories": [row.lookups.category(text) for text in items(row.text("categories"))],
            "mediators": row.each("mediators", row.lookups.organisation),
        }
        if row.text("agreement") and agreement is None:
            key = {}
        elif fields["stage"] is not None:
            key = {"agreement": agreement, "stage": fields["stage"]}
        else:
            key = {"date": fields["date"], "agreement": agreement, "stage": None}
        return Reading(fields, many, key=key)

    def find(self, row, reading):
        if row.text("uuid"):
            return super().find(row, reading)
        if not reading.key or reading.key.get("date", True) is None:
            return None
        return Exchange.objects.filter(**reading.key).order_by("pk").first()

    def check(self, record):
        """Numbers that belong to another exchange, named, rather than a constraint's words."""
        errors = {}
        others = Exchange.objects.exclude(pk=record.pk)
        if record.official_number is not None:
            other = others.filter(official_number=record.official_number).first()
            if other is not None:
                errors["official_number"] = _(
                    "Official number %(number)s is already the %(other)s."
                ) % {"number": record.official_number, "other": other}
        if record.stage is not None and record.agreement_id is not None:
            other = others.filter(agreement_id=record.agreement_id, stage=record.stage).first()
            if other is not None:
                errors["stage"] = _(
                    "Stage %(stage)s of this agreement is already the %(other)s."
                ) % {
                    "stage": record.stage,
                    "other": other,
                }
        return errors

    def write(self, record, public=False):
        return {
            "uuid": str(record.uuid),
            "date": date_cell(record.date),
            **figure_cells(record, "returned"),
            **figure_cells(record, "handed_over"),
            "official_number": record.official_number,
            "counts_toward_tally": record.counts_toward_tally,
            "agreement": name_of(related(record, "agreement", public), public),
            "stage": record.stage,
            "categories": [category.name_en for category in record.categories.all()],
            "mediators": [
                name_of(mediator, public) for mediator in related_list(record, "mediators", public)
            ],
            **translated_cells(record, "notes"),
            **source_cells(record),
        }


def role_titles(statement, public):
    """The roles a statement names, as published for the public, else as they are now."""
    if public:
        return [role[FIRST] for role in statement.public_attribution().get("roles", [])]
    return [
        getattr(role, f"title_{FIRST}") for role in getattr(statement, statement.roles_field).all()
    ]


def speaker_fields(row, column, statement):
    """The person or organisation who said it, and the roles named with them."""
    speaker = row.lookup(column, row.lookups.speaker)
    person = speaker if isinstance(speaker, Person) else None
    roles = []
    for text in items(row.text("roles")):
        role = row.lookups.role(text, person)
        if role is None:
            row.fail("roles", row.lookups.unknown(row.lookups.role, text))
        else:
            roles.append(role)
    fields = {
        statement.person_field: person,
        statement.organisation_field: speaker if isinstance(speaker, Organisation) else None,
    }
    return fields, {statement.roles_field: roles}


def speaker_cell(statement, public):
    if public:
        return name_of(statement.public_said_by(), public)
    return name_of(statement.said_by, public)


source_translations = [f"source_{code}" for code in OTHERS]


class TallyLayout(Layout):
    name = "tallies"
    model = Tally
    columns = [
        UUID,
        Column("as_of", gettext_lazy("The day the figures were stated for."), required=True),
        Column(
            "scope",
            gettext_lazy(
                "scheduled (the running official count) or agreement (a separate case); "
                "empty: agreement when one is named, else scheduled."
            ),
        ),
        Column("agreement", gettext_lazy("The agreement a separate case is about, by slug.")),
        Column("counted_since", gettext_lazy("Start of the count, e.g. 2022-02-24.")),
        *figure_columns("exchanges", gettext_lazy("How many exchanges, as stated.")),
        *figure_columns("returned", gettext_lazy("How many people returned, as stated.")),
        Column(
            "stated_by",
            gettext_lazy("Who stated it: a person's or an organisation's name or slug."),
        ),
        Column("roles", gettext_lazy("The person's roles that day, by title, separated by “;”.")),
        *translated_columns("context", gettext_lazy("e.g. “in a comment to Ukrainska Pravda”.")),
        Column("outlet", gettext_lazy("The outlet it was said to.")),
        *translated_columns("notes", gettext_lazy("Notes for readers.")),
        *source_columns(required=True),
        *CORRECTION,
    ]
    field_columns = {
        "stated_by_organisation": "stated_by",
        "stated_by_roles": "roles",
        "source_name": "source",
    }
    select = ("agreement", "stated_by", "stated_by_organisation", "outlet")
    prefetch = ("stated_by_roles",)

    def read(self, row):
        agreement = row.lookup("agreement", row.lookups.agreement)
        scope = row.read("scope", read_choice, Tally.Scope)
        if scope is None:
            scope = Tally.Scope.AGREEMENT if row.text("agreement") else Tally.Scope.SCHEDULED
        speaker, roles = speaker_fields(row, "stated_by", Tally)
        fields = {
            "as_of": row.date("as_of"),
            "scope": scope,
            "agreement": agreement,
            "counted_since": row.date("counted_since"),
            **row.figure("exchanges"),
            **row.figure("returned"),
            **speaker,
            **row.translated("context"),
            "outlet": row.lookup("outlet", row.lookups.organisation),
            **row.translated("notes"),
            **row.source(),
        }
        given = "source" in row or "source_url" in row  # an update may leave the source be
        if given and not any(
            fields[name] for name in ("source_url", *row.translated("source", "source_name"))
        ):
            row.fail(
                "source",
                _(
                    "A tally needs its source: the outlet or document and its date, a link, "
                    "or both."
                ),
            )
        key = {"as_of": fields["as_of"], "scope": scope, "agreement": agreement}
        if row.text("agreement") and agreement is None:
            key = {}
        return Reading(fields, roles, key=key)

    def find(self, row, reading):
        if row.text("uuid"):
            return super().find(row, reading)
        if not reading.key or reading.key["as_of"] is None:
            return None
        return Tally.objects.filter(**reading.key).order_by("pk").first()

    def write(self, record, public=False):
        return {
            "uuid": str(record.uuid),
            "as_of": date_cell(record.as_of),
            "scope": record.scope,
            "agreement": name_of(related(record, "agreement", public), public),
            "counted_since": date_cell(record.counted_since),
            **figure_cells(record, "exchanges"),
            **figure_cells(record, "returned"),
            "stated_by": speaker_cell(record, public),
            "roles": role_titles(record, public),
            **translated_cells(record, "context"),
            "outlet": name_of(related(record, "outlet", public), public),
            **translated_cells(record, "notes"),
            **source_cells(record),
        }


class QuoteLayout(Layout):
    name = "quotes"
    model = Quote
    columns = [
        UUID,
        Column("said_on", gettext_lazy("The day it was said."), required=True),
        Column(
            "speaker",
            gettext_lazy("Who said it: a person's or an organisation's name or slug."),
            required=True,
        ),
        Column("roles", gettext_lazy("The person's roles that day, by title, separated by “;”.")),
        Column("language", gettext_lazy("The language it was said in: uk, en or ru.")),
        Column("text", gettext_lazy("The words, verbatim."), required=True),
        *[
            column
            for code, _name in settings.LANGUAGES
            for column in (
                Column(f"translation_{code}", gettext_lazy("A translation into this language.")),
                Column(f"translator_{code}", gettext_lazy("Who translated it.")),
            )
        ],
        *translated_columns("context", gettext_lazy("e.g. “in a comment to Ukrainska Pravda”.")),
        Column("outlet", gettext_lazy("The outlet it was said to.")),
        Column("exchange", gettext_lazy("The exchange it is about: its UUID, or its date.")),
        Column("agreement", gettext_lazy("The agreement it is about, by slug.")),
        Column("tally", gettext_lazy("The tally it is about: its UUID.")),
        *SOURCE,
        *CORRECTION,
    ]
    field_columns = {
        "speaker_organisation": "speaker",
        "source_name": "source",
    }
    select = ("speaker", "speaker_organisation", "outlet", "exchange", "agreement", "tally")
    prefetch = ("roles", "translations")

    def read(self, row):
        speaker, roles = speaker_fields(row, "speaker", Quote)
        language = row.read("language", read_choice, Quote.Language) or Quote.Language.UKRAINIAN
        fields = {
            "said_on": row.date("said_on"),
            **speaker,
            "language": language,
            "text": row.text("text"),
            **row.translated("context"),
            "outlet": row.lookup("outlet", row.lookups.organisation),
            "exchange": row.lookup("exchange", row.lookups.exchange),
            "agreement": row.lookup("agreement", row.lookups.agreement),
            "tally": row.lookup("tally", row.lookups.tally),
            **row.source(),
        }
        translations = {}
        for code, _name in settings.LANGUAGES:
            text = row.text(f"translation_{code}")
            if text and code == language:
                row.fail(
                    f"translation_{code}",
                    _("The quote itself is in this language; translate it into another."),
                )
            elif text:
                translations[code] = (text, row.text(f"translator_{code}"))
        key = {
            "said_on": fields["said_on"],
            "text": fields["text"],
            "speaker": speaker["speaker"],
            "speaker_organisation": speaker["speaker_organisation"],
        }
        return Reading(fields, roles, translations, key=key)

    def find(self, row, reading):
        if row.text("uuid"):
            return super().find(row, reading)
        if reading.key["said_on"] is None or not reading.key["text"]:
            return None
        return Quote.objects.filter(**reading.key).order_by("pk").first()

    def write(self, record, public=False):
        translations = {item.language: item for item in record.translations.all()}
        cells = {
            "uuid": str(record.uuid),
            "said_on": date_cell(record.said_on),
            "speaker": speaker_cell(record, public),
            "roles": role_titles(record, public),
            "language": record.language,
            "text": record.text,
        }
        for code, _name in settings.LANGUAGES:
            item = translations.get(code)
            cells[f"translation_{code}"] = item.text if item else ""
            cells[f"translator_{code}"] = item.translator if item else ""
        return {
            **cells,
            **translated_cells(record, "context"),
            "outlet": name_of(related(record, "outlet", public), public),
            "exchange": str(ref.uuid) if (ref := related(record, "exchange", public)) else "",
            "agreement": name_of(related(record, "agreement", public), public),
            "tally": str(ref.uuid) if (ref := related(record, "tally", public)) else "",
            **source_cells(record),
        }

    def save_translations(self, quote, translations):
        """The row's translations replace the quote's, language by language."""
        for code, (text, translator) in translations.items():
            QuoteTranslation.objects.update_or_create(
                quote=quote, language=code, defaults={"text": text, "translator": translator}
            )


# In the order a whole dataset imports: each kind names only kinds before it.
LAYOUTS = {
    layout.name: layout
    for layout in [
        OrganisationLayout(),
        PersonLayout(),
        RoleLayout(),
        AgreementLayout(),
        ExchangeLayout(),
        TallyLayout(),
        QuoteLayout(),
    ]
}


def layout_named(name):
    """The layout for ``name`` (plural or singular, as in the API)."""
    for layout in LAYOUTS.values():
        if name in (layout.name, layout.model._meta.model_name):
            return layout
    raise KeyError(name)


def layout_for(model):
    for layout in LAYOUTS.values():
        if layout.model is model:
            return layout
    raise KeyError(model)
