"""
The fact-box builder: one plain function per kind of box.

Each turns arguments (the record's key, ``as_of``, ``lang``) into a context of
plain data: strings already worded in the box's language, figures with their
value, precision and words. One template per kind renders it; the template
tag, the shortcode filter, the embed view and oEmbed all call ``build``, and
the API's summary returns the same context as JSON. A figure cannot differ
between two doors because it is computed once, here.

Every query goes through ``.public(as_of=…)``.
"""

import datetime
import uuid
from functools import reduce
from operator import add

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from .conf import app_settings
from .figures import Figure
from .models import Agreement, Exchange, Organisation, Quote, Role, Tally
from .wording import date_words, headline, join_words, people_words

KINDS = ("totals", "agreement", "exchange", "quote", "timeline")
# Kinds that name one record, and how the record is named.
KEYED_KINDS = {"agreement": "slug", "exchange": "uuid", "quote": "uuid"}


class BoxError(ValueError):
    """The arguments do not describe a box: unknown kind, bad date, bad language."""


class BoxUnavailable(LookupError):
    """There is nothing public to show; ``draft`` says whether a draft stands behind it."""

    def __init__(self, kind, key=None, draft=False):
        super().__init__(kind, key)
        self.kind, self.key, self.draft = kind, key, draft


def parse_as_of(value):
    """A date in YYYY-MM-DD, not after today; None (or "live") for a live box."""
    if value in (None, "", "live"):
        return None
    if isinstance(value, datetime.date):
        date = value
    else:
        try:
            date = datetime.datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            raise BoxError(
                _("“%(value)s” is not a date: use YYYY-MM-DD.") % {"value": value}
            ) from None
    if date > timezone.localdate():
        raise BoxError(
            _("%(date)s is in the future: a box shows what is known, up to today.")
            % {"date": date.isoformat()}
        )
    return date


def parse_lang(value):
    codes = [code for code, _name in settings.LANGUAGES]
    if not value:
        try:
            value = translation.get_supported_language_variant(
                translation.get_language() or settings.LANGUAGE_CODE
            )
        except LookupError:
            value = None
        return value if value in codes else codes[0]
    if value not in codes:
        raise BoxError(
            _("“%(value)s” is not a language of the fact boxes: use %(codes)s.")
            % {"value": value, "codes": ", ".join(codes)}
        )
    return value


def build(kind, key=None, as_of=None, lang=None):
    """The context of one fact box, worded in ``lang`` and as known on ``as_of``."""
    if kind not in KINDS:
        raise BoxError(
            _("“%(kind)s” is not a kind of fact box: use %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if kind in KEYED_KINDS and not key:
        raise BoxError(_("A %(kind)s box needs to know which one.") % {"kind": kind})
    if key and kind not in KEYED_KINDS:
        raise BoxError(_("A %(kind)s box shows no single record.") % {"kind": kind})
    as_of = parse_as_of(as_of)
    lang = parse_lang(lang)
    with translation.override(lang):
        context = BUILDERS[kind](key, as_of) if kind in KEYED_KINDS else BUILDERS[kind](as_of)
        context.update(
            kind=kind,
            key=str(key) if key else None,
            lang=lang,
            as_of=date_data(as_of),
            live=as_of is None,
        )
    return context


def web_url(url):
    """Only http(s) links reach a reader; anything else an editor typed is dropped."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def source_data(record):
    return {"source_name": record.source_name or None, "source_url": web_url(record.source_url)}


# Words -----------------------------------------------------------------------


def figure_data(figure):
    return {"value": figure.value, "precision": figure.precision, "words": figure.words()}


def date_data(date):
    if date is None:
        return None
    return {"iso": date.isoformat(), "words": date_words(date)}


def speaker_data(person, roles, context, date, source_name="", source_url=""):
    """Who said it, in which roles, how and when, and the line a reader sees."""
    if person is not None and not person.is_public:
        # A draft person stays unnamed, and so do the roles that would name them.
        person, roles = None, []
    roles = [role.title for role in roles]
    parts = [person.full_name if person else None, join_words(roles), context]
    parts.append(date_data(date)["words"] if date else None)
    return {
        "speaker": person.full_name if person else None,
        "speaker_uuid": str(person.uuid) if person else None,
        "roles": roles,
        "context": context or None,
        "date": date_data(date),
        "line": capfirst(", ".join(part for part in parts if part)),
        "source_name": source_name or None,
        "source_url": web_url(source_url),
    }


def implementation_words(agreement):
    return agreement.get_implementation_display()


def counting_words(counts):
    if counts is True:
        return _("Counted in the official tally.")
    if counts is False:
        return _("A separate case: not counted in the official tally.")
    return _("Officials have not said whether it counts in the official tally.")


def corrections_data(record):
    """Public corrections of a record, oldest first, worded for readers."""
    notes = []
    for correction in record.corrections.all():
        date = date_data(timezone.localtime(correction.corrected_at).date())
        notes.append(
            {
                "date": date,
                "note": correction.note,
                "text": _("Corrected %(date)s: %(note)s")
                % {"date": date["words"], "note": correction.note},
            }
        )
    return notes


def jsonld_base(type_, name, **fields):
    return {
        "@context": "https://schema.org",
        "@type": type_,
        "name": name,
        "inLanguage": translation.get_language(),
        "publisher": {"@type": "Organization", "name": app_settings.PROVIDER_NAME},
        **{key: value for key, value in fields.items() if value not in (None, "", [])},
    }


def unavailable(model, kind, key, **lookup):
    """Raise BoxUnavailable, saying whether a record exists but is not public."""
    raise BoxUnavailable(kind, key, draft=model.objects.filter(**lookup).exists())


def roles_prefetch(field):
    return Prefetch(field, queryset=Role.objects.select_related("organisation"))


# Kinds -----------------------------------------------------------------------


def totals(as_of):
    """The official tally as of a date, with separate cases kept apart from it."""
    tallies = (
        Tally.objects.public(as_of=as_of)
        .select_related("stated_by")
        .prefetch_related(roles_prefetch("stated_by_roles"), "corrections")
    )
    tally = tallies.filter(scope=Tally.Scope.SCHEDULED).order_by("-as_of", "-pk").first()
    if tally is None:
        raise BoxUnavailable("totals")
    exchanges, returned = tally.exchanges_figure, tally.returned_figure
    people = people_words(returned)
    in_exchanges = (
        npgettext(
            "in exchanges", "in %(number)s exchange", "in %(number)s exchanges", exchanges.value
        )
        % {"number": exchanges.words()}
        if exchanges.is_known
        else None
    )
    if people and in_exchanges:
        headline = _("Ukraine has brought back %(people)s %(in_exchanges)s.") % {
            "people": people,
            "in_exchanges": in_exchanges,
        }
    elif people:
        headline = _("Ukraine has brought back %(people)s.") % {"people": people}
    elif in_exchanges:
        headline = _(
            "Ukraine has brought people back %(in_exchanges)s; the number was not disclosed."
        ) % {"in_exchanges": in_exchanges}
    else:
        headline = _("Ukraine has brought people back; the figures were not disclosed.")

    separate = []
    seen = set()
    case_tallies = (
        Tally.objects.public(as_of=as_of)
        .filter(scope=Tally.Scope.AGREEMENT, agreement__counts_toward_tally=False)
        .filter(agreement__in=Agreement.objects.public(as_of=as_of))
        .select_related("agreement")
        .order_by("agreement__concluded_on", "agreement_id", "-as_of", "-pk")
    )
    for case in case_tallies:
        if case.agreement_id in seen:
            continue
        seen.add(case.agreement_id)
        agreement = case.agreement
        if case.returned_figure.is_known:
            text = _("%(returned)s more under “%(agreement)s”: a separate case, not in the tally.")
        else:
            text = _("More under “%(agreement)s”: a separate case, not in the tally.")
        separate.append(
            {
                "agreement": {
                    "uuid": str(agreement.uuid),
                    "slug": agreement.slug,
                    "title": agreement.title,
                    "implementation": implementation_words(agreement),
                },
                "returned": figure_data(case.returned_figure),
                "exchanges": figure_data(case.exchanges_figure),
                "as_of": date_data(case.as_of),
                "text": capfirst(
                    text % {"returned": case.returned_figure.words(), "agreement": agreement.title}
                ),
                "status": _("Status: %(status)s.") % {"status": implementation_words(agreement)},
            }
        )

    source = speaker_data(
        tally.stated_by,
        tally.stated_by_roles.all(),
        tally.context,
        tally.as_of,
        tally.source_name,
        tally.source_url,
    )
    title = _("Prisoner exchanges")
    return {
        "title": title,
        "headline": headline,
        "tally": {
            "uuid": str(tally.uuid),
            "as_of": date_data(tally.as_of),
            "counted_since": date_data(tally.counted_since),
            "exchanges": figure_data(exchanges),
            "returned": figure_data(returned),
        },
        "separate_cases": separate,
        "corrections": corrections_data(tally),
        "source": source,
        "jsonld": jsonld_base(
            "Dataset",
            title,
            description=headline,
            temporalCoverage=(
                f"{tally.counted_since.isoformat()}/{tally.as_of.isoformat()}"
                if tally.counted_since
                else tally.as_of.isoformat()
            ),
            creator=(
                {"@type": "Person", "name": tally.stated_by.full_name} if tally.stated_by else None
            ),
            variableMeasured=[
                {
                    "@type": "PropertyValue",
                    "name": _("Exchanges"),
                    "value": exchanges.value,
                    "description": exchanges.words(),
                },
                {
                    "@type": "PropertyValue",
                    "name": _("People returned"),
                    "value": returned.value,
                    "description": returned.words(),
                },
            ],
            isBasedOn=web_url(tally.source_url),
        ),
    }


def stage_data(exchange):
    return {
        "uuid": str(exchange.uuid),
        "date": date_data(exchange.date),
        "stage": exchange.stage,
        "returned": figure_data(exchange.returned_figure),
        "handed_over": figure_data(exchange.handed_over_figure),
        "counts_toward_tally": exchange.counts_toward_tally,
    }


def agreement(slug, as_of):
    """An agreement's terms, status, stages so far and the total returned under it."""
    found = (
        Agreement.objects.public(as_of=as_of)
        .prefetch_related(
            "categories", Prefetch("parties", Organisation.objects.public()), "corrections"
        )
        .filter(slug=slug)
        .first()
    )
    if found is None:
        unavailable(Agreement, "agreement", slug, slug=slug)
    stages = list(Exchange.objects.public(as_of=as_of).filter(agreement=found).order_by("date"))
    statement = (
        Tally.objects.public(as_of=as_of)
        .filter(agreement=found)
        .select_related("stated_by")
        .prefetch_related(roles_prefetch("stated_by_roles"))
        .order_by("-as_of", "-pk")
        .first()
    )
    if statement is not None:
        total = {
            "returned": figure_data(statement.returned_figure),
            "official": True,
            "label": _("Returned under it, official figure"),
            "source": speaker_data(
                statement.stated_by,
                statement.stated_by_roles.all(),
                statement.context,
                statement.as_of,
                statement.source_name,
                statement.source_url,
            ),
        }
    else:
        # A sum is only as precise as its parts; no stages, or none disclosed, is unknown.
        figures = [stage.returned_figure for stage in stages]
        summed = reduce(add, figures) if figures else Figure.unknown()
        total = {
            "returned": figure_data(summed),
            "official": False,
            "label": _("Returned in the stages recorded here"),
            "source": None,
        }
    round_words = (
        pgettext("negotiation round", "round %(number)s") % {"number": found.round_number}
        if found.round_number
        else None
    )
    return {
        "title": found.title,
        "uuid": str(found.uuid),
        "slug": found.slug,
        "round": round_words,
        "venue": found.venue or None,
        "date": date_data(found.concluded_on),
        "terms": found.terms or None,
        "parties": [party.name for party in found.parties.all()],
        "categories": [category.name for category in found.categories.all()],
        "implementation": implementation_words(found),
        "counting": counting_words(found.counts_toward_tally),
        "counts_toward_tally": found.counts_toward_tally,
        "stages": [stage_data(stage) for stage in stages],
        "corrections": corrections_data(found),
        "total": total,
        "notes": found.notes or None,
        "source": source_data(found),
        "jsonld": jsonld_base(
            "Event",
            found.title,
            startDate=found.concluded_on.isoformat(),
            location={"@type": "Place", "name": found.venue} if found.venue else None,
            description=found.terms,
            url=web_url(found.source_url),
        ),
    }


def parse_uuid(kind, key):
    try:
        return uuid.UUID(str(key))
    except ValueError:
        raise BoxError(_("“%(key)s” is not a record identifier.") % {"key": key}) from None


def exchange(key, as_of):
    """One exchange with its figures, categories, mediators and source."""
    pk = parse_uuid("exchange", key)
    found = (
        Exchange.objects.public(as_of=as_of)
        .select_related("agreement")
        .prefetch_related("categories", "mediators", "corrections")
        .filter(uuid=pk)
        .first()
    )
    if found is None:
        unavailable(Exchange, "exchange", key, uuid=pk)
    # A draft agreement stays unnamed.
    agreement = found.agreement if found.agreement and found.agreement.is_public else None
    if found.official_number:
        title = _("Exchange No. %(number)s") % {"number": found.official_number}
    else:
        title = _("Prisoner exchange")
    return {
        "title": title,
        "uuid": str(found.uuid),
        "date": date_data(found.date),
        "official_number": found.official_number,
        "returned": figure_data(found.returned_figure),
        "handed_over": figure_data(found.handed_over_figure),
        "categories": [category.name for category in found.categories.all()],
        "mediators": [mediator.name for mediator in found.mediators.all() if mediator.is_public],
        "agreement": (
            {
                "title": agreement.title,
                "slug": agreement.slug,
                "stage": (_("stage %(number)s") % {"number": found.stage} if found.stage else None),
            }
            if agreement
            else None
        ),
        "counting": counting_words(found.counts_toward_tally),
        "counts_toward_tally": found.counts_toward_tally,
        "notes": found.notes or None,
        "source": source_data(found),
        "corrections": corrections_data(found),
        "jsonld": jsonld_base(
            "Event",
            title,
            startDate=found.date.isoformat(),
            description=headline(found),
            url=web_url(found.source_url),
        ),
    }


def quote(key, as_of):
    """A quote card: the words, the speaker, their roles that day, context and date."""
    pk = parse_uuid("quote", key)
    found = (
        Quote.objects.public(as_of=as_of)
        .select_related("speaker", "outlet")
        .prefetch_related(roles_prefetch("roles"), "translations", "corrections")
        .filter(uuid=pk)
        .first()
    )
    if found is None:
        unavailable(Quote, "quote", key, uuid=pk)
    lang = translation.get_language()
    translated = next((t for t in found.translations.all() if t.language == lang), None)
    if translated is not None and found.language != lang:
        text, text_lang = translated.text, lang
        note = _("Translated from %(language)s.") % {"language": found.get_language_display()}
    else:
        text, text_lang = found.text, found.language
        note = (
            _("Quoted in %(language)s, as published.") % {"language": found.get_language_display()}
            if found.language != lang
            else None
        )
    source = speaker_data(
        found.speaker,
        found.roles.all(),
        found.context,
        found.said_on,
        found.source_name,
        found.source_url,
    )
    return {
        "title": _("Quote"),
        "uuid": str(found.uuid),
        "text": text,
        "text_lang": text_lang,
        "original_text": found.text,
        "original_lang": found.language,
        "translation_note": note,
        "corrections": corrections_data(found),
        "source": source,
        "jsonld": jsonld_base(
            "Quotation",
            _("Quote"),
            text=text,
            inLanguage=text_lang,
            spokenByCharacter={"@type": "Person", "name": found.speaker.full_name},
            creator={"@type": "Person", "name": found.speaker.full_name},
            dateCreated=found.said_on.isoformat(),
            isBasedOn=web_url(found.source_url),
        ),
    }


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 240, 28


def timeline(as_of):
    """People returned per exchange over time, undisclosed figures marked as such."""
    exchanges = list(
        Exchange.objects.public(as_of=as_of).select_related("agreement").order_by("date", "pk")
    )
    if not exchanges:
        raise BoxUnavailable("timeline")
    top = max((e.returned or 0 for e in exchanges), default=0) or 1
    slot = (CHART_WIDTH - CHART_PAD) / len(exchanges)
    bar_width = max(min(slot * 0.7, 40), 2)
    plot_height = CHART_HEIGHT - CHART_PAD
    points = []
    for index, item in enumerate(exchanges):
        figure = item.returned_figure
        height = round(plot_height * (figure.value / top), 1) if figure.is_known else 0
        points.append(
            {
                "date": date_data(item.date),
                "returned": figure_data(figure),
                "counts_toward_tally": item.counts_toward_tally,
                "agreement": (
                    item.agreement.title if item.agreement and item.agreement.is_public else None
                ),
                "x": round(CHART_PAD + index * slot + (slot - bar_width) / 2, 1),
                "y": round(plot_height - height, 1),
                "width": round(bar_width, 1),
                "height": height,
                "label": _("%(date)s: %(returned)s")
                % {
                    "date": date_data(item.date)["words"],
                    "returned": figure.words(),
                },
            }
        )
    undisclosed = sum(1 for point in points if point["returned"]["value"] is None)
    title = _("Prisoner exchanges over time")
    description = npgettext(
        "timeline",
        "People returned to Ukraine in %(count)s exchange recorded from %(first)s to %(last)s.",
        "People returned to Ukraine in each of %(count)s exchanges recorded from %(first)s "
        "to %(last)s.",
        len(points),
    ) % {
        "count": len(points),
        "first": points[0]["date"]["words"],
        "last": points[-1]["date"]["words"],
    }
    if undisclosed:
        description += " " + npgettext(
            "timeline",
            "In %(count)s of them the number was not disclosed.",
            "In %(count)s of them the number was not disclosed.",
            undisclosed,
        ) % {"count": undisclosed}
    return {
        "title": title,
        "description": description,
        "points": points,
        "chart": {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "baseline": plot_height,
            "left": CHART_PAD,
            "top_value": Figure(top).words(),
            "marker_y": plot_height - 14,
        },
        "jsonld": jsonld_base("Dataset", title, description=description),
    }


BUILDERS = {
    "totals": totals,
    "agreement": agreement,
    "exchange": exchange,
    "quote": quote,
    "timeline": timeline,
}
