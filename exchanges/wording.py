"""
Words around figures, in the active language: dates, “5,857 people”, “in 66
exchanges”, and the one-line headline of each record that feeds, ninjs and
the API share. Figures themselves are worded by ``Figure.words``.
"""

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from .figures import Precision

NBSP = "\N{NO-BREAK SPACE}"


def date_words(date):
    """“28 July 2025”, “28 липня 2025 р.”; never broken across lines."""
    # Translators: date format of fact boxes and headlines, see Django's date filter.
    return dateformat.format(date, _("j F Y")).replace(" ", NBSP)


def join_words(items):
    items = [str(item) for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def people_words(figure):
    """
    “5,857 people”, “понад 1 000 осіб”, “близько 21 особи”: the noun agrees with
    the number, and with “about”, which governs its own case in Ukrainian.
    None when the number was not disclosed: there is no number to agree with.
    """
    if not figure.is_known:
        return None
    if figure.precision == Precision.ABOUT:
        noun = npgettext("people, about", "%(number)s person", "%(number)s people", figure.value)
    else:
        noun = npgettext("people returned", "%(number)s person", "%(number)s people", figure.value)
    return noun % {"number": figure.words()}


def exchanges_words(figure):
    """“66 exchanges”, “66 обмінів”; None when not disclosed."""
    if not figure.is_known:
        return None
    return npgettext(
        "exchanges count", "%(number)s exchange", "%(number)s exchanges", figure.value
    ) % {"number": figure.words()}


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
        agreement = record.agreement if record.agreement_id else None
        subject = agreement.title if agreement and agreement.is_public else _("Official tally")
        figures = [exchanges_words(record.exchanges_figure)]
        people = people_words(record.returned_figure)
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
        text = record.text if len(record.text) <= 80 else record.text[:79] + "…"
        speaker = record.speaker.full_name if record.speaker.is_public else _("Unnamed source")
        return f"{speaker}: “{text}”"
    if kind == "agreement":
        return record.title
    return record.name
