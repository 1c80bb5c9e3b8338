"""
Words around figures, in the active language: dates, “5,857 people”, “in 66
exchanges”, and the words every door shares for a record: its headline, its
description, its attribution and its correction lines. Boxes, the API, ninjs
and the feeds all take them from here. Figures themselves are worded by
``Figure.words``.
"""

from django.utils import dateformat
from django.utils.translation import get_language, npgettext, pgettext
from django.utils.translation import gettext as _

from .editor_text import EditorText, chosen, compose, join, join_words, translated
from .figures import GOVERNED_CASE, Figure, Precision
from .models import public_related

NBSP = "\N{NO-BREAK SPACE}"


def date_words(date):
    """“28 July 2025”, “28 липня 2025 р.”; never broken across lines."""
    # Translators: date format of fact boxes and headlines, see Django's date filter.
    return dateformat.format(date, _("j F Y")).replace(" ", NBSP)


def pinned_words(start, end):
    """Which pinned fact boxes a change reaches, for the editor about to make it."""
    if end is None:
        return _(
            "This changes what fact boxes pinned to %(start)s or later show, and live boxes."
        ) % {"start": date_words(start)}
    return _("This changes what fact boxes pinned to %(start)s to %(end)s show.") % {
        "start": date_words(start),
        "end": date_words(end),
    }


def quantity_case(figure, case):
    """The case of the noun after a figure: the qualifier's own, or the sentence's."""
    return GOVERNED_CASE.get(figure.precision, case)


def people_words(figure, case="accusative"):
    """
    “5,857 people”, “понад 1 000 осіб”, “близько 21 особи”: the noun agrees with
    the number (the upper end of a range) and takes the case the qualifier
    governs, else the case of the sentence (``case``). None when the number was
    not disclosed: there is no number to agree with.
    """
    if not figure.is_known:
        return None
    case, count = quantity_case(figure, case), figure.count
    if case == "genitive":
        noun = npgettext("people, genitive", "%(number)s person", "%(number)s people", count)
    elif case == "nominative":
        noun = npgettext("people, nominative", "%(number)s person", "%(number)s people", count)
    else:
        noun = npgettext("people, accusative", "%(number)s person", "%(number)s people", count)
    return noun % {"number": figure.words()}


def exchanges_words(figure, case="nominative"):
    """“66 exchanges”, “66 обмінів”, “до 21 обміну”; None when not disclosed."""
    if not figure.is_known:
        return None
    case, count = quantity_case(figure, case), figure.count
    if case == "genitive":
        noun = npgettext(
            "exchanges, genitive", "%(number)s exchange", "%(number)s exchanges", count
        )
    elif case == "accusative":
        noun = npgettext(
            "exchanges, accusative", "%(number)s exchange", "%(number)s exchanges", count
        )
    else:
        noun = npgettext(
            "exchanges, nominative", "%(number)s exchange", "%(number)s exchanges", count
        )
    return noun % {"number": figure.words()}


def attribution(statement):
    """
    (kind, name, roles) of who made a statement, in the active language, as it
    was published; (None, None, []) when the speaker is not public.
    """
    said = statement.public_attribution()
    if not said:
        return None, None, []
    lang = get_language()
    return said["kind"], chosen(said["speaker"], lang), [chosen(r, lang) for r in said["roles"]]


def in_exchanges_words(figure):
    """
    “in 66 exchanges”, «за 66 обмінів», «щонайменше за 70 обмінів»: each language
    puts the preposition where it goes with the qualifier. None when not disclosed.
    """
    if not figure.is_known:
        return None
    count, precision = figure.count, figure.precision
    if precision == Precision.ABOUT:
        words = npgettext(
            "in exchanges, about",
            "in about %(number)s exchange",
            "in about %(number)s exchanges",
            count,
        )
    elif precision == Precision.OVER:
        words = npgettext(
            "in exchanges, over",
            "in over %(number)s exchange",
            "in over %(number)s exchanges",
            count,
        )
    elif precision == Precision.AT_LEAST:
        words = npgettext(
            "in exchanges, at least",
            "in at least %(number)s exchange",
            "in at least %(number)s exchanges",
            count,
        )
    elif precision == Precision.NEARLY:
        words = npgettext(
            "in exchanges, nearly",
            "in nearly %(number)s exchange",
            "in nearly %(number)s exchanges",
            count,
        )
    elif precision == Precision.FEWER_THAN:
        words = npgettext(
            "in exchanges, fewer than",
            "in fewer than %(number)s exchange",
            "in fewer than %(number)s exchanges",
            count,
        )
    elif precision == Precision.UP_TO:
        words = npgettext(
            "in exchanges, up to",
            "in up to %(number)s exchange",
            "in up to %(number)s exchanges",
            count,
        )
    elif precision == Precision.BETWEEN:
        words = npgettext(
            "in exchanges, between",
            "in %(number)s to %(upper)s exchange",
            "in %(number)s to %(upper)s exchanges",
            count,
        )
    else:
        words = npgettext(
            "in exchanges", "in %(number)s exchange", "in %(number)s exchanges", count
        )
    lang = get_language()
    upper = Figure.grouped(figure.upper, lang) if figure.upper is not None else None
    return words % {"number": figure.number(), "upper": upper}


def by_words(figure):
    """How much more or fewer: “at least 43”, «щонайменше на 43»."""
    number = figure.number()
    if figure.precision == Precision.BETWEEN:
        return pgettext("difference", "%(number)s to %(upper)s") % {
            "number": number,
            "upper": Figure.grouped(figure.upper, get_language()),
        }
    template = {
        Precision.EXACT: pgettext("difference", "%(number)s"),
        Precision.ABOUT: pgettext("difference", "about %(number)s"),
        Precision.OVER: pgettext("difference", "over %(number)s"),
        Precision.AT_LEAST: pgettext("difference", "at least %(number)s"),
        Precision.NEARLY: pgettext("difference", "nearly %(number)s"),
        Precision.FEWER_THAN: pgettext("difference", "fewer than %(number)s"),
        Precision.UP_TO: pgettext("difference", "up to %(number)s"),
    }[figure.precision]
    return template % {"number": number}


def headline(record):
    """One line that names a record and its figures, for feeds and ninjs."""
    kind = type(record)._meta.model_name
    if kind == "exchange":
        people = people_words(record.returned_figure)
        if people is None:
            return _("Prisoner exchange of %(date)s: number returned not disclosed") % {
                "date": date_words(record.date)
            }
        return _("Prisoner exchange of %(date)s: %(people)s returned") % {
            "date": date_words(record.date),
            "people": people,
        }
    if kind == "tally":
        # A draft agreement stays unnamed.
        agreement = public_related(record, "agreement")
        subject = agreement.title if agreement else _("Official tally")
        people = people_words(record.returned_figure)
        figures = [exchanges_words(record.exchanges_figure)]
        figures.append(
            _("%(people)s returned") % {"people": people}
            if people
            else _("number returned not disclosed")
        )
        return _("%(subject)s as of %(date)s: %(figures)s") % {
            "subject": subject,
            "date": date_words(record.as_of),
            "figures": ", ".join(part for part in figures if part),
        }
    if kind == "quote":
        text = quote_text(record)[0]
        text = text if len(text) <= 80 else text[:79] + "…"
        _kind, speaker, _roles = attribution(record)
        speaker = speaker.capitalised() if speaker else _("Unnamed source")
        return _("%(speaker)s: “%(text)s”") % {"speaker": speaker, "text": text}
    if kind == "agreement":
        return record.title
    return record.name


def counting_words(counts, stages=()):
    """Whether officials count it in their tally, in a sentence."""
    if counts is True:
        return _("Counted in the official tally.")
    if counts is False:
        if any(stage.counts_toward_tally for stage in stages):
            return _(
                "A separate case: its stages are not counted in the official tally, "
                "except those marked as counted."
            )
        return _("A separate case: not counted in the official tally.")
    return _("Officials have not said whether it counts in the official tally.")


def correction_line(date, note):
    """“Corrected 29 July 2025: …”, as boxes, ninjs and feeds show a correction."""
    return compose(_("Corrected %(date)s: %(note)s"), date=date_words(date), note=note)


def attribution_line(statement):
    """Who said it, in which roles, in which context: “Major Andrii Yusov, head of …, in …”."""
    _kind, speaker, roles = attribution(statement)
    parts = [speaker, join_words(roles), translated(statement, "context")]
    parts = [part for part in parts if part]
    if parts and isinstance(parts[0], EditorText):
        parts[0] = parts[0].capitalised()
    return join(parts) if parts else None


def quote_text(quote, lang=None):
    """(text, language) of a quote in ``lang`` (the active one): its translation, else its own."""
    lang = lang or get_language()
    if quote.language != lang:
        for translation in quote.translations.all():
            if translation.language == lang:
                return translation.text, lang
    return quote.text, quote.language


def description(record):
    """
    The record in a few plain lines, in the active language, below its headline:
    the body of its ninjs object and of its feed item, and ``description`` in the API.
    """
    kind = type(record)._meta.model_name
    if kind == "exchange":
        lines = [
            _("People returned to Ukraine: %(n)s.") % {"n": record.returned_figure.words()},
            _("People handed over: %(n)s.") % {"n": record.handed_over_figure.words()},
            counting_words(record.counts_toward_tally),
            translated(record, "notes"),
        ]
    elif kind == "agreement":
        lines = [translated(record, field) for field in ("terms", "venue", "notes")]
    elif kind == "tally":
        lines = [attribution_line(record), translated(record, "notes")]
    elif kind == "quote":
        lines = [quote_text(record)[0], translated(record, "context")]
    elif kind == "person":
        lines = [chosen(role.titles()) for role in record.roles.all()]
    else:
        lines = []
    return "\n".join(str(line) for line in lines if line)
