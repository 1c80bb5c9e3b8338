"""
Reading the cells of a spreadsheet the way editors type them.

Officials write “5,857”, “5 857”, “over 1,000”, “at least 7,000”, “about 250”
or “1,000–1,200”; a spreadsheet may hold a date as a date or as text. Each
reader here turns one cell into a value, or raises ``CellError`` with a
message an editor can act on; ``layouts`` says which cell is which.
"""

import datetime
import re

from django.utils.translation import gettext as _

from .figures import Precision


class CellError(ValueError):
    """A cell that cannot be read: the message says why, and how to write it."""


def cell_text(value):
    """Any cell (text, number, date, list, yes/no) as the text an editor would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(item) for item in value)
    return str(value).strip()


# Cells a spreadsheet would run as a formula: exports write them with a leading
# quote (OWASP's advice), which reading takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_cell(value):
    """A cell as read from a file: its text, without the quote an export put before a formula."""
    text = cell_text(value)
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def items(text):
    """A list cell: “military; civilians” → ["military", "civilians"]."""
    return [item.strip() for item in text.split(";") if item.strip()]


DAY_FIRST = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def read_date(text):
    """
    2025-05-23, or 23.05.2025 as Ukrainian spreadsheets write it; an Excel date
    cell that also holds a time (2025-05-23T14:30:00) is its day.
    """
    try:
        match = DAY_FIRST.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if "T" in text:
            return datetime.datetime.fromisoformat(text).date()
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(
            _("“%(text)s” is not a date: write it as YYYY-MM-DD, e.g. 2025-05-23.") % {"text": text}
        ) from None


# Thousands grouped by commas or spaces (a space may be a no-break one), or none.
NUMBER = r"-?\d{1,3}(?:[ ,]\d{3})+|-?\d+"
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def normalised(text):
    return " ".join(text.translate(SPACES).split()).lower()


def read_number(text):
    """A whole number, grouped or not: “5,857”, “5 857”, “5857”; never negative."""
    text = normalised(text)
    if not re.fullmatch(NUMBER, text):
        raise CellError(
            _("“%(text)s” is not a whole number: write digits, e.g. 5857 or 5,857.")
            % {"text": text}
        )
    number = int(re.sub(r"[ ,]", "", text))
    if number < 0:
        raise CellError(_("A number of people or exchanges cannot be negative."))
    return number


# The words a source puts before a number, in English and Ukrainian.
QUALIFIER_WORDS = {
    Precision.ABOUT: ["about", "around", "approximately", "some", "близько", "приблизно", "~"],
    Precision.OVER: ["over", "more than", "понад", "більше ніж", "більше як", "більш як"],
    Precision.AT_LEAST: ["at least", "no fewer than", "щонайменше", "не менше ніж", "не менш як"],
    Precision.NEARLY: ["nearly", "almost", "майже"],
    Precision.FEWER_THAN: ["fewer than", "less than", "менше ніж", "менш як"],
    Precision.UP_TO: ["up to", "до"],
}
UNKNOWN_WORDS = {
    "unknown",
    "not disclosed",
    "undisclosed",
    "n/a",
    "невідомо",
    "не розголошено",
    "не розголошується",
}
# “1,000–1,200”, “1,000 to 1,200”, “between 1,000 and 1,200”, “від 1 000 до 1 200”.
RANGE = re.compile(rf"^(?:between |from |від )?({NUMBER})\s*(?:–|—|-|to|and|до)\s*({NUMBER})$")


def read_precision(text):
    """A qualifier column: its value (“at_least”), its words (“at least”) or its label."""
    text = normalised(text).replace("_", " ")
    for precision in Precision:
        if text in (precision.value.replace("_", " "), str(precision.label).lower()):
            return precision
    for precision, words in QUALIFIER_WORDS.items():
        if text in words:
            return precision
    if text in UNKNOWN_WORDS:
        return Precision.UNKNOWN
    if text in ("between", "range"):
        return Precision.BETWEEN
    raise CellError(
        _("“%(text)s” is not a qualifier: use one of %(choices)s.")
        % {"text": text, "choices": ", ".join(Precision.values)}
    )


def read_figure(text):
    """
    (value, qualifier or None, upper) from a figure as written: a bare number
    has no qualifier of its own (its qualifier column, else exact, decides).
    """
    text = normalised(text)
    if not text or text in UNKNOWN_WORDS:
        return None, Precision.UNKNOWN if text else None, None
    if match := RANGE.match(text):
        lower, upper = read_number(match[1]), read_number(match[2])
        return lower, Precision.BETWEEN, upper
    for precision, words in QUALIFIER_WORDS.items():
        for word in words:
            if text.startswith(word + " ") or (word == "~" and text.startswith(word)):
                return read_number(text[len(word) :].strip()), precision, None
    return read_number(text), None, None


YES = {"yes", "y", "true", "1", "так"}
NO = {"no", "n", "false", "0", "ні"}


def read_yes_no(text):
    """yes/no (true/false, 1/0, так/ні); empty is None: not known."""
    text = normalised(text)
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("“%(text)s” is not yes or no.") % {"text": text})


def read_choice(text, choices):
    """One of a TextChoices, by its value or its label, spaces for underscores."""
    wanted = normalised(text).replace(" ", "_")
    for choice in choices:
        if wanted in (choice.value, str(choice.label).lower().replace(" ", "_")):
            return choice
    raise CellError(
        _("“%(text)s” is not one of %(choices)s.")
        % {"text": text, "choices": ", ".join(choices.values)}
    )
