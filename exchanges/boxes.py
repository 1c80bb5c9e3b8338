"""
The fact-box builders: one plain function per kind of box.

Each turns arguments (the record's key, ``as_of``) into a context of plain
data: strings already worded in the active language, figures with their
value, precision and words. The registry (``kinds.BOXES``) names them, and
``kinds.build_box`` is what the template tag, the shortcodes, the embed view,
oEmbed and the API's summary call; one template per kind renders it. A figure
cannot differ between two doors because it is computed once, here.

Every query goes through ``.shown(as_of)`` or ``.public(as_of)``.
"""

import datetime
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from . import chart
from .arithmetic import total as sum_figures
from .conf import app_settings
from .editor_text import FSI, PDI, EditorText, Sentence, compose, join, join_words, translated
from .figures import Figure, Precision
from .models import Agreement, Exchange, Quote, Tally, public_related
from .validators import public_url
from .wording import (
    attribution,
    correction_line,
    counting_words,
    date_words,
    headline,
    in_exchanges_words,
    people_words,
    quote_text,
)


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


def source_data(record):
    """Where a record's facts come from, as the editor gave it: a name, a link or both."""
    url = public_url(record.source_url)
    # A link with no name is named by its site, not by the word “link”.
    name = translated(record, "source_name") or (
        EditorText(urlsplit(url).hostname) if url else None
    )
    return {"line": None, "source_name": name, "source_url": url}


# Words -----------------------------------------------------------------------


def figure_data(figure):
    """The API's figure (value, upper, precision, display per language) and the box's words."""
    return {**figure.data(), "words": figure.words()}


def inline_figure(figure):
    """A figure's words inside a sentence, marked in HTML as a figure the box shows."""
    words = figure.words()
    return Sentence(
        words,
        format_html(
            '<span class="xb__value" data-precision="{}">{}</span>', figure.precision, words
        ),
    )


def date_data(date):
    if date is None:
        return None
    return {"iso": date.isoformat(), "words": date_words(date)}


def statement_source(statement):
    """Who said it (a person in the roles of that day, or an organisation), how, when, where."""
    kind, speaker, roles = attribution(statement)
    context = translated(statement, "context")
    outlet = public_related(statement, "outlet")
    # A context (“in a comment to Ukrainska Pravda”) names the outlet already.
    outlet_name = translated(outlet, "name") if outlet and not context else None
    date = date_data(getattr(statement, statement.dated_by))
    parts = [speaker, join_words(roles), context, outlet_name, date["words"] if date else None]
    parts = [part for part in parts if part]
    if parts and isinstance(parts[0], EditorText):
        parts[0] = parts[0].capitalised()
    return {
        **source_data(statement),
        "speaker": speaker,
        "speaker_kind": kind,
        "speaker_uuid": str(statement.public_said_by().uuid) if speaker else None,
        "roles": roles,
        "context": context,
        "outlet": outlet_name,
        "date": date,
        "line": join(parts),
    }


def implementation_words(agreement):
    return agreement.get_implementation_display()


def corrections_data(record):
    """Public corrections of a record, oldest first, worded for readers."""
    notes = []
    for correction in record.corrections.all():
        day = timezone.localtime(correction.corrected_at).date()
        note = translated(correction, "note")
        notes.append({"date": date_data(day), "note": note, "text": correction_line(day, note)})
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


def jsonld_figure(name, figure):
    """A schema.org PropertyValue that claims no more than the figure: bounds, not a value."""
    value, upper, precision = figure.value, figure.upper, figure.precision
    bounds = {
        Precision.EXACT: {"value": value},
        Precision.ABOUT: {},  # an estimate: its words say so, no value claims it
        Precision.OVER: {"minValue": None if value is None else value + 1},
        Precision.AT_LEAST: {"minValue": value},
        Precision.NEARLY: {"maxValue": None if value is None else value - 1},
        Precision.FEWER_THAN: {"maxValue": None if value is None else value - 1},
        Precision.UP_TO: {"maxValue": value},
        Precision.BETWEEN: {"minValue": value, "maxValue": upper},
        Precision.UNKNOWN: {},
    }[precision]
    return {"@type": "PropertyValue", "name": name, "description": figure.words(), **bounds}


def jsonld_speaker(source):
    """The schema.org Person or Organization who said it; None when unnamed."""
    if not source["speaker"]:
        return None
    type_ = "Person" if source["speaker_kind"] == "person" else "Organization"
    return {"@type": type_, "name": str(source["speaker"])}


def unavailable(model, kind, key, **lookup):
    """Raise BoxUnavailable, saying whether a record exists but is not public."""
    raise BoxUnavailable(kind, key, draft=model.objects.filter(**lookup).exists())


# Kinds -----------------------------------------------------------------------


def totals_headline(exchanges, returned):
    people = people_words(returned, case="accusative")
    in_exchanges = in_exchanges_words(exchanges)
    if people and in_exchanges:
        return _("Ukraine has brought back %(people)s %(in_exchanges)s.") % {
            "people": people,
            "in_exchanges": in_exchanges,
        }
    if people:
        return _("Ukraine has brought back %(people)s.") % {"people": people}
    if in_exchanges:
        return _(
            "Ukraine has brought people back %(in_exchanges)s; the number was not disclosed."
        ) % {"in_exchanges": in_exchanges}
    return _("Ukraine has brought people back; the figures were not disclosed.")


def separate_cases(as_of):
    """The latest public statement on each separate case, each with its own date."""
    cases = []
    statements = Tally.objects.public(as_of).filter(scope=Tally.Scope.AGREEMENT)
    # The latest statement on each case, picked by the database, and only the
    # latest cases: the box's size and cost do not grow with the data.
    latest = statements.filter(agreement=OuterRef("agreement")).order_by("-as_of", "-pk")
    case_tallies = (
        Tally.objects.shown(as_of)
        .filter(scope=Tally.Scope.AGREEMENT, agreement__counts_toward_tally=False)
        .filter(agreement__in=Agreement.objects.public(as_of=as_of))
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .order_by("-agreement__concluded_on", "-agreement_id")[: app_settings.SEPARATE_CASES]
    )
    for case in reversed(case_tallies):
        agreement = public_related(case, "agreement")
        title = translated(agreement, "title")
        date = date_data(case.as_of)
        if case.returned_figure.is_known:
            text = compose(
                _(
                    "As of %(date)s, %(returned)s more under “%(agreement)s”: a separate "
                    "case, not in the tally."
                ),
                date=date["words"],
                returned=inline_figure(case.returned_figure),
                agreement=title,
            )
        else:
            text = compose(
                _("As of %(date)s, more under “%(agreement)s”: a separate case, not in the tally."),
                date=date["words"],
                agreement=title,
            )
        cases.append(
            {
                "agreement": {
                    "uuid": str(agreement.uuid),
                    "slug": agreement.slug,
                    "title": title,
                    "implementation": implementation_words(agreement),
                },
                "uuid": str(case.uuid),
                "returned": figure_data(case.returned_figure),
                "exchanges": figure_data(case.exchanges_figure),
                "as_of": date,
                "text": text,
                "status": _("Status: %(status)s.") % {"status": implementation_words(agreement)},
                "source": statement_source(case),
                "corrections": corrections_data(case),
            }
        )
    return cases


def totals(as_of):
    """The official tally as of a date, with separate cases kept apart from it."""
    title = _("Prisoner exchanges")
    tally = Tally.objects.shown(as_of).filter(scope=Tally.Scope.SCHEDULED).order_by("-as_of", "-pk")
    tally = tally.first()
    separate = separate_cases(as_of)
    if tally is None:
        # Pinned before the first official figure: say so, in a box of its own.
        if as_of is None:
            headline = _("No official figure has been published yet.")
        else:
            headline = _("No official figure had been published by %(date)s.") % {
                "date": date_words(as_of)
            }
        return {
            "title": title,
            "headline": headline,
            "tally": None,
            "separate_cases": separate,
            "corrections": [],
            "source": None,
            "jsonld": jsonld_base("Dataset", title, description=headline),
        }
    exchanges, returned = tally.exchanges_figure, tally.returned_figure
    headline = totals_headline(exchanges, returned)
    source = statement_source(tally)
    for case in separate:
        # Said in the same breath: the box prints the source once.
        case["same_source"] = case["source"] == source
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
            creator=jsonld_speaker(source),
            variableMeasured=[
                jsonld_figure(_("Exchanges"), exchanges),
                jsonld_figure(_("People returned"), returned),
            ],
            isBasedOn=public_url(tally.source_url),
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
        "counting": (
            _("counted") if exchange.counts_toward_tally else _("separate case, not counted")
        ),
    }


def agreement(slug, as_of):
    """An agreement's terms, status, stages so far and the total returned under it."""
    found = Agreement.objects.shown(as_of).filter(slug=slug).first()
    if found is None:
        unavailable(Agreement, "agreement", slug, slug=slug)
    stages = sorted(public_related(found, "exchanges"), key=lambda stage: (stage.date, stage.pk))
    statement = Tally.objects.shown(as_of).filter(agreement=found).order_by("-as_of", "-pk").first()
    corrections = corrections_data(found)
    if statement is not None:
        total = {
            "uuid": str(statement.uuid),
            "as_of": date_data(statement.as_of),
            "returned": figure_data(statement.returned_figure),
            "official": True,
            "label": _("Returned under it, official figure as of %(date)s")
            % {"date": date_words(statement.as_of)},
            "source": statement_source(statement),
        }
        corrections += corrections_data(statement)
    elif stages:
        # A sum keeps honest bounds: a stage not disclosed makes it “at least”.
        summed = sum_figures([stage.returned_figure for stage in stages])
        total = {
            "uuid": None,
            # The sum is as of the last stage in it.
            "as_of": date_data(stages[-1].date),
            "returned": figure_data(summed),
            "official": False,
            "label": _("Returned in the stages recorded here"),
            "source": None,
        }
    else:
        total = {
            "uuid": None,
            "as_of": None,
            "returned": {**figure_data(Figure.unknown()), "words": _("no stage recorded yet")},
            "official": False,
            "label": _("Returned under it"),
            "source": None,
        }
    round_words = (
        pgettext("negotiation round", "round %(number)s") % {"number": found.round_number}
        if found.round_number
        else None
    )
    title = translated(found, "title")
    return {
        "title": title,
        "uuid": str(found.uuid),
        "slug": found.slug,
        "round": round_words,
        "venue": translated(found, "venue"),
        "date": date_data(found.concluded_on),
        "terms": translated(found, "terms"),
        "parties": [translated(party, "name") for party in public_related(found, "parties")],
        "categories": [translated(category, "name") for category in found.categories.all()],
        "implementation": implementation_words(found),
        # Status and notes are kept as they are now, not as they were: say so when pinned.
        "implementation_label": _("Status today") if as_of else _("Status"),
        "counting": counting_words(found.counts_toward_tally, stages),
        "counts_toward_tally": found.counts_toward_tally,
        "stages": [stage_data(stage) for stage in stages],
        "corrections": corrections,
        "total": total,
        "notes": None if as_of else translated(found, "notes"),
        "source": source_data(found),
        "jsonld": jsonld_base(
            "Event",
            str(title),
            startDate=found.concluded_on.isoformat(),
            location={"@type": "Place", "name": str(found.venue)} if found.venue else None,
            description=found.terms,
            url=public_url(found.source_url),
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
    found = Exchange.objects.shown(as_of).filter(uuid=pk).first()
    if found is None:
        unavailable(Exchange, "exchange", key, uuid=pk)
    # A draft agreement stays unnamed.
    agreement = public_related(found, "agreement")
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
        "categories": [translated(category, "name") for category in found.categories.all()],
        "mediators": [
            translated(mediator, "name") for mediator in public_related(found, "mediators")
        ],
        "agreement": (
            {
                "title": translated(agreement, "title"),
                "slug": agreement.slug,
                "stage": (_("stage %(number)s") % {"number": found.stage} if found.stage else None),
            }
            if agreement
            else None
        ),
        "counting": counting_words(found.counts_toward_tally),
        "counts_toward_tally": found.counts_toward_tally,
        "notes": translated(found, "notes"),
        "source": source_data(found),
        "corrections": corrections_data(found),
        "jsonld": jsonld_base(
            "Event",
            title,
            startDate=found.date.isoformat(),
            description=headline(found),
            url=public_url(found.source_url),
        ),
    }


def quote(key, as_of):
    """A quote card: the words, who said them (roles that day), context, date and source."""
    pk = parse_uuid("quote", key)
    found = Quote.objects.shown(as_of).filter(uuid=pk).first()
    if found is None:
        unavailable(Quote, "quote", key, uuid=pk)
    lang = translation.get_language()
    text, text_lang = quote_text(found, lang)
    if text_lang != found.language:
        note = _("Translated from %(language)s.") % {"language": found.get_language_display()}
    elif found.language != lang:
        note = _("Quoted in %(language)s, as published.") % {
            "language": found.get_language_display()
        }
    else:
        note = None
    source = statement_source(found)
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
            spokenByCharacter=jsonld_speaker(source),
            creator=jsonld_speaker(source),
            dateCreated=found.said_on.isoformat(),
            isBasedOn=public_url(found.source_url),
        ),
    }


def exchange_items(exchanges, as_of, count):
    """One bar per exchange, at its date; a draft agreement stays unnamed."""
    found = list(exchanges.order_by("date", "pk"))
    agreement_ids = {item.agreement_id for item in found if item.agreement_id}
    agreements = {
        agreement.pk: translated(agreement, "title")
        for agreement in Agreement.objects.public(as_of=as_of).filter(pk__in=agreement_ids)
    }
    return [
        {
            "uuid": str(item.uuid),
            "date": date_data(item.date),
            "end": None,
            "label": date_words(item.date),
            "count": 1,
            "undisclosed": 0 if item.returned_figure.is_known else 1,
            "returned": figure_data(item.returned_figure),
            "counts_toward_tally": item.counts_toward_tally,
            "agreement": agreements.get(item.agreement_id),
            "stack": [
                ("counted" if item.counts_toward_tally else "separate", item.returned_figure)
            ],
            "start": item.date,
            "centre": True,
        }
        for item in found
    ]


def period_label(start, period):
    if period == "month":
        return dateformat.format(start, _("F Y"))
    if period == "quarter":
        return _("Q%(quarter)s %(year)s") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    return str(start.year)


def period_items(exchanges, period):
    """One bar per period, counted exchanges and separate-case stages stacked."""
    items = []
    for row in chart.sums_by_period(exchanges, period):
        parts = [figure for figure in (row["counted"], row["separate"]) if figure is not None]
        items.append(
            {
                "uuid": None,
                "date": date_data(row["start"]),
                "end": date_data(row["end"]),
                "label": period_label(row["start"], period),
                "count": row["count"],
                "undisclosed": row["undisclosed"],
                "returned": figure_data(sum_figures(parts)),
                "counted": figure_data(row["counted"]) if row["counted"] else None,
                "separate": figure_data(row["separate"]) if row["separate"] else None,
                "stack": [("counted", row["counted"]), ("separate", row["separate"])],
                "start": row["start"],
                "last": row["end"],
                "centre": False,
            }
        )
    return items


def timeline(as_of):
    """
    People returned on a real time axis: a bar per exchange, or, past a set
    number of bars, per month, quarter or year as summed by the database.
    """
    title = _("Prisoner exchanges over time")
    exchanges = Exchange.objects.public(as_of=as_of)
    count, first, last = chart.span(exchanges)
    if not count:
        if as_of is None:
            description = _("No exchange is recorded here yet.")
        else:
            description = _("None of the exchanges recorded here had taken place by %(date)s.") % {
                "date": date_words(as_of)
            }
        return {
            "title": title,
            "description": description,
            "period": None,
            "points": [],
            "ticks": [],
            "chart": None,
            "jsonld": jsonld_base("Dataset", title, description=description),
        }
    period = chart.period_for(count, first, last, app_settings.TIMELINE_MAX_BARS)
    if period is None:
        items = exchange_items(exchanges, as_of, count)
        axis = chart.Axis(first, last)
    else:
        items = period_items(exchanges, period)
        axis = chart.Axis(items[0]["start"], items[-1]["last"])
    top = max(
        (sum(figure.value for _kind, figure in item["stack"] if figure and figure.is_known))
        for item in items
    )
    if period is None:
        width, lefts = chart.place([axis.x(item["start"]) for item in items])
    for index, item in enumerate(items):
        item["segments"] = chart.stack(item.pop("stack"), top)
        # An undisclosed figure is marked on top of what is known.
        item["marker_y"] = min([chart.BASELINE, *(s["y"] for s in item["segments"])]) - 16
        start, end = item.pop("start"), item.pop("last", None)
        if item.pop("centre"):
            item["x"], item["width"] = lefts[index], width
        else:
            days = (end - start).days + 1
            item["width"] = round(axis.width(days) * 0.8, 2)
            item["x"] = round(axis.x(start) + axis.width(days) * 0.1, 2)
        item["tooltip"] = _("%(date)s: %(returned)s") % {
            "date": item["label"],
            "returned": item["returned"]["words"],
        }
    undisclosed = sum(item["undisclosed"] for item in items)
    words = {"count": Figure(count).words(), "first": date_words(first), "last": date_words(last)}
    if count == 1:
        description = _("People returned to Ukraine in the exchange of %(first)s.") % words
    elif period is None:
        description = (
            npgettext(
                "timeline",
                "People returned to Ukraine in %(count)s exchange recorded from %(first)s to "
                "%(last)s.",
                "People returned to Ukraine in each of %(count)s exchanges recorded from %(first)s "
                "to %(last)s.",
                count,
            )
            % words
        )
    else:
        description = {
            "month": _(
                "People returned to Ukraine in %(count)s exchanges recorded from %(first)s to "
                "%(last)s, summed by month."
            ),
            "quarter": _(
                "People returned to Ukraine in %(count)s exchanges recorded from %(first)s to "
                "%(last)s, summed by quarter."
            ),
            "year": _(
                "People returned to Ukraine in %(count)s exchanges recorded from %(first)s to "
                "%(last)s, summed by year."
            ),
        }[period] % words
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
        "period": period,
        "points": items,
        "ticks": chart.ticks(first, last, axis),
        "chart": {
            "height": chart.HEIGHT,
            "top": chart.TOP,
            "baseline": chart.BASELINE,
            "label_y": chart.BASELINE + 18,
            "top_value": Figure(top).words() if top else None,
        },
        "jsonld": jsonld_base("Dataset", title, description=description),
    }


# Titles alone, for oEmbed: a consumer asks for a title and an iframe, so it
# costs one small query at most, never the whole box. ---------------------------


def totals_title(as_of):
    return _("Prisoner exchanges")


def timeline_title(as_of):
    return _("Prisoner exchanges over time")


def agreement_title(slug, as_of):
    found = Agreement.objects.public(as_of).filter(slug=slug).first()
    if found is None:
        unavailable(Agreement, "agreement", slug, slug=slug)
    return translated(found, "title")


def exchange_title(key, as_of):
    pk = parse_uuid("exchange", key)
    number = Exchange.objects.public(as_of).filter(uuid=pk).values_list("official_number")
    if not number:
        unavailable(Exchange, "exchange", key, uuid=pk)
    if number[0][0]:
        return _("Exchange No. %(number)s") % {"number": number[0][0]}
    return _("Prisoner exchange")


def quote_title(key, as_of):
    pk = parse_uuid("quote", key)
    if not Quote.objects.public(as_of).filter(uuid=pk).exists():
        unavailable(Quote, "quote", key, uuid=pk)
    return _("Quote")


# Figures alone, for “Get the data”: one row per figure a box shows, worded as
# it shows them, read from the box's own context so a figure cannot differ
# between the box and its data. -----------------------------------------------

FIGURE_COLUMNS = ("figure", "value", "upper", "qualifier", "as_shown", "date", "source", "uuid")


def source_words(source, hide_line=False):
    """
    A source as the box prints it after “Source:” (who said it, then the name),
    with its link written out, as a cell cannot link a name.
    """
    if not source:
        return ""
    line = None if hide_line else source["line"]
    url = source["source_url"]
    named = source["source_name"] and str(source["source_name"]) != urlsplit(url or "").hostname
    return str(join([line, source["source_name"] if named else None, url], " · "))


# Marks that reorder text: editor text holding one keeps its isolates in a cell.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067")


def cell_words(text):
    """
    Our words with an editor's in them, for a spreadsheet cell: without the
    invisible isolates around the editor's parts (they would stand in every
    search and comparison), unless a part holds a mark that would reorder the
    words around it.
    """
    text = str(text)
    bare = text.replace(FSI, "").replace(PDI, "")
    return text if BIDI_CONTROLS.intersection(bare) else bare


def figure_row(label, figure, date=None, source=None, uuid=None, shown=None):
    """One figure: its label, its machine form, the words the box prints, when, whose."""
    return {
        "figure": cell_words(label),
        "value": figure["value"],
        "upper": figure["upper"],
        "qualifier": str(figure["precision"]),
        "as_shown": str(figure["words"] if shown is None else shown),
        "date": date["iso"] if date else "",
        "source": cell_words(source or ""),
        "uuid": uuid or "",
    }


def exchanges_label(tally):
    """The totals box's label of its exchanges figure, as its template words it, as text."""
    if not tally["counted_since"]:
        return _("Exchanges")
    # The template's own words (one translation), without its markup.
    return strip_tags(
        _('Exchanges since <time datetime="%(iso)s">%(date)s</time>')
        % {"iso": tally["counted_since"]["iso"], "date": tally["counted_since"]["words"]}
    )


def totals_figures(box):
    """The official tally's exchanges and people returned, then each separate case's figure."""
    rows = []
    tally = box["tally"]
    if tally:
        source = source_words(box["source"])
        rows += [
            figure_row(
                exchanges_label(tally), tally["exchanges"], tally["as_of"], source, tally["uuid"]
            ),
            figure_row(
                _("People returned"), tally["returned"], tally["as_of"], source, tally["uuid"]
            ),
        ]
    for case in box["separate_cases"]:
        label = compose(
            _("People returned under “%(agreement)s” (separate case)"),
            agreement=case["agreement"]["title"],
        )
        rows.append(
            figure_row(
                label,
                case["returned"],
                case["as_of"],
                source_words(case["source"]),
                case["uuid"],
                # An undisclosed figure is not printed: the box says “more”.
                shown=None if case["returned"]["value"] is not None else "",
            )
        )
    return rows


def agreement_figures(box):
    """The total returned under the agreement as the box states it, then each stage's."""
    total = box["total"]
    own_source = source_words(box["source"])
    total_source = source_words(total["source"]) if total["source"] else own_source
    rows = [
        figure_row(total["label"], total["returned"], total["as_of"], total_source, total["uuid"])
    ]
    for stage in box["stages"]:
        stage_words = _("stage %(number)s") % {"number": stage["stage"]} if stage["stage"] else None
        label = join([_("Returned"), stage_words, stage["date"]["words"]])
        rows.append(figure_row(label, stage["returned"], stage["date"], own_source, stage["uuid"]))
    return rows


def exchange_figures(box):
    """People returned to Ukraine and people handed over in one exchange."""
    source = source_words(box["source"])
    return [
        figure_row(
            _("People returned to Ukraine"), box["returned"], box["date"], source, box["uuid"]
        ),
        figure_row(_("People handed over"), box["handed_over"], box["date"], source, box["uuid"]),
    ]


def quote_figures(box):
    """A quote box shows words, not figures: its data is the header alone."""
    return []


def timeline_figures(box):
    """
    The rows of the box's table: per exchange, with its agreement and whether it
    counts in the official tally; or, when summed, per period (dated by its
    start), counted and separate-case figures apart, never added together.
    """
    rows = []
    for point in box["points"]:
        if box["period"]:
            for part, words in (
                ("counted", _("Returned, counted in the tally")),
                ("separate", _("Returned, separate case")),
            ):
                if point[part]:
                    label = join([words, point["label"]])
                    rows.append(figure_row(label, point[part], point["date"]))
        else:
            counted = _("counted") if point["counts_toward_tally"] else _("separate case")
            label = join([_("Returned"), point["label"], point["agreement"], counted])
            rows.append(figure_row(label, point["returned"], point["date"], uuid=point["uuid"]))
    return rows
