"""
A Figure is a number as an official stated it: a value and its precision.

"Over a thousand" and "not disclosed" are facts as much as 5,857 is, so a
figure is never a bare integer. Everything that shows a figure to a person
(admin, fact boxes, API ``display``, feeds) words it through ``Figure.words``.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    EXACT = "exact", _("exact")
    ABOUT = "about", _("about")
    AT_LEAST = "at_least", _("at least")
    UNKNOWN = "unknown", _("unknown (not disclosed)")


@dataclass(frozen=True)
class Figure:
    value: int | None
    precision: str = Precision.EXACT

    def __post_init__(self):
        if (self.value is None) != (self.precision == Precision.UNKNOWN):
            raise ValueError(
                "A figure has a value unless its precision is unknown: "
                f"{self.value!r}, {self.precision!r}"
            )

    @classmethod
    def unknown(cls):
        return cls(None, Precision.UNKNOWN)

    @property
    def is_known(self):
        return self.value is not None

    def __add__(self, other):
        """Add two figures; the sum is only as precise as its least precise part."""
        if not isinstance(other, Figure):
            return NotImplemented
        if not self.is_known and not other.is_known:
            return Figure.unknown()
        total = (self.value or 0) + (other.value or 0)
        precisions = {self.precision, other.precision}
        if precisions & {Precision.UNKNOWN, Precision.AT_LEAST}:
            return Figure(total, Precision.AT_LEAST)
        if Precision.ABOUT in precisions:
            return Figure(total, Precision.ABOUT)
        return Figure(total, Precision.EXACT)

    def number(self, lang=None):
        """The bare value grouped by thousands as ``lang`` writes it: 5,857 or 5 857."""
        lang = lang or translation.get_language() or "en"
        separator = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
        return f"{self.value:,}".replace(",", separator)

    def words(self, lang=None):
        """The figure as a reader sees it: "5,857", "over 1,000", "понад 1 000"."""
        lang = lang or translation.get_language() or "en"
        with translation.override(lang):
            if self.precision == Precision.UNKNOWN:
                return gettext("not disclosed")
            number = self.number(lang)
            if self.precision == Precision.ABOUT:
                return gettext("about %(number)s") % {"number": number}
            if self.precision == Precision.AT_LEAST:
                return gettext("over %(number)s") % {"number": number}
            return number

    def display(self):
        """The wording in every language the site speaks, for machines that show it."""
        return {code: self.words(code) for code, _name in settings.LANGUAGES}

    def __str__(self):
        return self.words()


class FigureAttribute:
    """
    Reads and writes a model's ``<name>`` and ``<name>_precision`` fields as one Figure.

    Kept to two plain columns so the database can check and sum them.
    """

    def __init__(self, name):
        self.value_field = name
        self.precision_field = f"{name}_precision"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.value_field)
        precision = getattr(instance, self.precision_field)
        if (value is None) != (precision == Precision.UNKNOWN):
            # An unsaved, not yet validated form: never pretend to know.
            return Figure.unknown()
        return Figure(value, precision)

    def __set__(self, instance, figure):
        setattr(instance, self.value_field, figure.value)
        setattr(instance, self.precision_field, figure.precision)

    def errors(self, instance):
        """Field errors for a value that does not fit its precision, worded for editors."""
        value = getattr(instance, self.value_field)
        precision = getattr(instance, self.precision_field)
        if precision == Precision.UNKNOWN and value is not None:
            return {
                self.value_field: _(
                    "Leave the number empty when its precision is “unknown”, "
                    "or choose the precision the source gave."
                )
            }
        if precision != Precision.UNKNOWN and value is None:
            return {
                self.value_field: _(
                    "Enter the number the source gave, or set the precision "
                    "to “unknown” if it was not disclosed."
                )
            }
        return {}


def figure_constraints(prefix, name):
    """Database checks that keep a model's two figure columns a valid Figure."""
    value, precision = name, f"{name}_precision"
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
    ]
