"""
A Figure is a number as an official stated it: a value and its qualifier.

"Over a thousand", "at least 7,000", "1,000 to 1,200" and "not disclosed" are
facts as much as 5,857 is, and each is a different claim, so a figure is never
a bare integer. Everything that shows a figure to a person (admin, fact boxes,
API ``display``, ninjs, feeds) words it through ``Figure.words``.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import formats, translation
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    """The qualifier a source gave with a number; each is a different claim."""

    EXACT = "exact", _("exact")
    ABOUT = "about", _("about")
    OVER = "over", _("over (more than)")
    AT_LEAST = "at_least", _("at least")
    NEARLY = "nearly", _("nearly")
    FEWER_THAN = "fewer_than", _("fewer than")
    UP_TO = "up_to", _("up to")
    BETWEEN = "between", _("between (a range)")
    UNKNOWN = "unknown", _("unknown (not disclosed)")


# The case a Ukrainian qualifier governs in the noun after it («близько 21 особи»,
# «понад 21 особу»); qualifiers not named here leave the noun in the case of the
# sentence. English nouns do not change, so English ignores this.
GOVERNED_CASE = {
    Precision.ABOUT: "genitive",
    Precision.OVER: "accusative",
    Precision.UP_TO: "genitive",
    Precision.BETWEEN: "genitive",
}


# The phrase of each qualifier, translated when ``words`` asks for that one alone.
QUALIFIED = {
    Precision.ABOUT: pgettext_lazy("figure", "about %(number)s"),
    Precision.OVER: pgettext_lazy("figure", "over %(number)s"),
    Precision.AT_LEAST: pgettext_lazy("figure", "at least %(number)s"),
    Precision.NEARLY: pgettext_lazy("figure", "nearly %(number)s"),
    Precision.FEWER_THAN: pgettext_lazy("figure", "fewer than %(number)s"),
    Precision.UP_TO: pgettext_lazy("figure", "up to %(number)s"),
}


@dataclass(frozen=True)
class Figure:
    value: int | None
    precision: str = Precision.EXACT
    upper: int | None = None

    def __post_init__(self):
        if (self.value is None) != (self.precision == Precision.UNKNOWN):
            raise ValueError(
                "A figure has a value unless its precision is unknown: "
                f"{self.value!r}, {self.precision!r}"
            )
        if (self.upper is None) == (self.precision == Precision.BETWEEN):
            raise ValueError(
                f"Only a range has an upper value: {self.precision!r}, upper {self.upper!r}"
            )

    @classmethod
    def unknown(cls):
        return cls(None, Precision.UNKNOWN)

    @property
    def is_known(self):
        return self.value is not None

    @property
    def count(self):
        """The number a noun agrees with: the upper end of a range, else the value."""
        return self.upper if self.upper is not None else self.value

    @staticmethod
    def grouped(number, lang):
        """``number`` grouped by thousands as ``lang`` writes it: 5,857 or 5 857."""
        separator = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
        return f"{number:,}".replace(",", separator)

    def number(self, lang=None):
        """The bare value grouped by thousands as ``lang`` writes it: 5,857 or 5 857."""
        return self.grouped(self.value, lang or translation.get_language() or "en")

    def words(self, lang=None):
        """The figure as a reader sees it: "5,857", "at least 7,000", "понад 1 000"."""
        lang = lang or translation.get_language() or "en"
        if lang != translation.get_language():
            with translation.override(lang):
                return self.words(lang)
        if self.precision == Precision.UNKNOWN:
            return gettext("not disclosed")
        number = self.number(lang)
        if self.precision == Precision.BETWEEN:
            return pgettext("figure", "%(number)s to %(upper)s") % {
                "number": number,
                "upper": self.grouped(self.upper, lang),
            }
        if self.precision == Precision.EXACT:
            return number
        return str(QUALIFIED[self.precision]) % {"number": number}

    def display(self):
        """The wording in every language the site speaks, for machines that show it."""
        return {code: self.words(code) for code, _name in settings.LANGUAGES}

    def data(self):
        """The machine-readable figure that the API, ``summary/`` and boxes share."""
        return {
            "value": self.value,
            "upper": self.upper,
            "precision": self.precision,
            "display": self.display(),
        }

    def __str__(self):
        return self.words()


class FigureAttribute:
    """
    Reads and writes a model's ``<name>``, ``<name>_precision`` and ``<name>_upper``
    fields as one Figure.

    Kept to plain columns so the database can check and sum them.
    """

    def __init__(self, name):
        self.value_field = name
        self.precision_field = f"{name}_precision"
        self.upper_field = f"{name}_upper"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.value_field)
        precision = getattr(instance, self.precision_field)
        upper = getattr(instance, self.upper_field)
        try:
            return Figure(value, precision, upper)
        except ValueError:
            # An unsaved, not yet validated form: never pretend to know.
            return Figure.unknown()

    def __set__(self, instance, figure):
        setattr(instance, self.value_field, figure.value)
        setattr(instance, self.precision_field, figure.precision)
        setattr(instance, self.upper_field, figure.upper)

    def errors(self, instance):
        """Field errors for a value that does not fit its qualifier, worded for editors."""
        value = getattr(instance, self.value_field)
        precision = getattr(instance, self.precision_field)
        upper = getattr(instance, self.upper_field)
        if precision == Precision.UNKNOWN and value is not None:
            return {
                self.value_field: _(
                    "Leave the number empty when its qualifier is “unknown”, "
                    "or choose the qualifier the source gave."
                )
            }
        if precision != Precision.UNKNOWN and value is None:
            return {
                self.value_field: _(
                    "Enter the number the source gave, or set the qualifier "
                    "to “unknown” if it was not disclosed."
                )
            }
        if precision == Precision.BETWEEN and upper is None:
            return {
                self.upper_field: _(
                    "A range needs its upper number too, e.g. 1,200 for “1,000 to 1,200”."
                )
            }
        if precision == Precision.BETWEEN and upper <= value:
            return {
                self.upper_field: _("The upper number of a range must be greater than the lower.")
            }
        if precision != Precision.BETWEEN and upper is not None:
            return {
                self.upper_field: _(
                    "Only a range (“between”) has an upper number: clear it, or choose “between”."
                )
            }
        return {}


def figure_constraints(prefix, name):
    """Database checks that keep a model's figure columns a valid Figure."""
    value, precision, upper = name, f"{name}_precision", f"{name}_upper"
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{value}__gte": 0}),
            name=f"{prefix}_{value}_not_negative",
            violation_error_message=_("A number of people or exchanges cannot be negative."),
        ),
        models.CheckConstraint(
            condition=models.Q(**{f"{precision}__in": Precision.values}),
            name=f"{prefix}_{precision}_valid",
        ),
        models.CheckConstraint(
            condition=(
                models.Q(**{precision: Precision.UNKNOWN, f"{value}__isnull": True})
                | (
                    models.Q(**{f"{value}__isnull": False})
                    & ~models.Q(**{precision: Precision.UNKNOWN})
                )
            ),
            name=f"{prefix}_{value}_fits_precision",
            violation_error_message=_("A figure has a number unless its precision is unknown."),
        ),
        models.CheckConstraint(
            condition=(
                models.Q(**{precision: Precision.BETWEEN, f"{upper}__gt": models.F(value)})
                | (
                    ~models.Q(**{precision: Precision.BETWEEN})
                    & models.Q(**{f"{upper}__isnull": True})
                )
            ),
            name=f"{prefix}_{upper}_fits_range",
            violation_error_message=_(
                "Only a range has an upper number, and it is greater than the lower one."
            ),
        ),
    ]


def upper_field():
    """The upper end of a range (“1,000 to 1,200”); empty for every other qualifier."""
    return models.PositiveIntegerField(
        _("up to"),
        null=True,
        blank=True,
        help_text=_("Only for a range: the upper number, e.g. 1,200 in “1,000 to 1,200”."),
    )


def precision_field(default=Precision.EXACT):
    return models.CharField(
        _("qualifier"),
        max_length=10,
        choices=Precision,
        default=default,
        help_text=_(
            "As the source said it: “over 1,000” is over; “at least 7,000” is at least; "
            "“1,000 to 1,200” is between, with 1,200 as the upper number."
        ),
    )
