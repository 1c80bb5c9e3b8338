"""
Sums and differences of qualified figures, with honest bounds.

Each Figure stands for the set of numbers its claim allows: "over 1,000" for
1,001 and up, "nearly 1,000" and "fewer than 1,000" for below 1,000, "1,000 to
1,200" for that range, "not disclosed" for any number at all. Adding or
subtracting figures adds or subtracts those ranges, so the result claims no
more than its parts: "at least 70" minus 16 recorded is "at least 54", and
5,857 minus "at least 2,687" cannot be told from below.

"About" is an estimate with no hard bounds: figures that are all exact or about
sum to "about" their total; mixed with one-sided figures, an "about" part only
counts as "some number, maybe none".
"""

from dataclasses import dataclass

from .figures import Figure, Precision


@dataclass(frozen=True)
class Bound:
    """One end of a range: a number (None: unbounded) and whether it is excluded."""

    value: int | None
    open: bool = False

    def __add__(self, other):
        if self.value is None or other.value is None:
            return Bound(None)
        return Bound(self.value + other.value, self.open or other.open)

    def __neg__(self):
        return Bound(None if self.value is None else -self.value, self.open)


@dataclass(frozen=True)
class Range:
    """The numbers a figure, a sum or a difference may be; ``estimate`` for "about"."""

    low: Bound
    high: Bound
    estimate: int | None = None
    estimate_kind: str | None = None

    @classmethod
    def of(cls, figure):
        value, precision = figure.value, figure.precision
        if precision == Precision.EXACT:
            return cls(Bound(value), Bound(value), value, Precision.EXACT)
        if precision == Precision.ABOUT:
            return cls(Bound(0), Bound(None), value, Precision.ABOUT)
        if precision == Precision.NEARLY:
            return cls(Bound(0), Bound(value, open=True), value, Precision.NEARLY)
        return {
            Precision.OVER: lambda: cls(Bound(value, open=True), Bound(None)),
            Precision.AT_LEAST: lambda: cls(Bound(value), Bound(None)),
            Precision.FEWER_THAN: lambda: cls(Bound(0), Bound(value, open=True)),
            Precision.UP_TO: lambda: cls(Bound(0), Bound(value)),
            Precision.BETWEEN: lambda: cls(Bound(value), Bound(figure.upper)),
            Precision.UNKNOWN: lambda: cls(Bound(0), Bound(None)),
        }[precision]()

    def __add__(self, other):
        return Range(
            self.low + other.low,
            self.high + other.high,
            *combined_estimate(self, other, add=True),
        )

    def __sub__(self, other):
        return Range(
            self.low + -other.high,
            self.high + -other.low,
            *combined_estimate(self, other, add=False),
        )

    def __neg__(self):
        estimate = None if self.estimate is None else -self.estimate
        return Range(-self.high, -self.low, estimate, self.estimate_kind)

    def lowest(self):
        """The smallest whole number in the range; None when unbounded below."""
        if self.low.value is None:
            return None
        return self.low.value + 1 if self.low.open else self.low.value

    def highest(self):
        """The largest whole number in the range; None when unbounded above."""
        if self.high.value is None:
            return None
        return self.high.value - 1 if self.high.open else self.high.value

    def figure(self):
        """
        The claim this range supports, as a Figure; None when part of it is below
        zero (a difference that may go either way), which no Figure can say.
        """
        if self.estimate_kind == Precision.EXACT:
            return None if self.estimate < 0 else Figure(self.estimate)
        if self.estimate_kind in (Precision.ABOUT, Precision.NEARLY) and self.estimate > 0:
            return Figure(self.estimate, self.estimate_kind)
        low = self.lowest()
        if low is None or low < 0:
            return None
        if self.high.value is None:
            if low == 0:
                return Figure.unknown()
            if self.low.open:
                return Figure(self.low.value, Precision.OVER)
            return Figure(low, Precision.AT_LEAST)
        if low == 0:
            if self.high.open:
                return Figure(self.high.value, Precision.FEWER_THAN)
            return Figure(self.high.value, Precision.UP_TO)
        high = self.highest()
        if low == high:
            return Figure(low)
        return Figure(low, Precision.BETWEEN, high)


def combined_estimate(a, b, add):
    """The estimate of a sum or difference, kept only while both sides are estimates."""
    if a.estimate_kind is None or b.estimate_kind is None:
        return None, None
    kinds = {a.estimate_kind, b.estimate_kind}
    if kinds == {Precision.EXACT}:
        kind = Precision.EXACT
    elif kinds <= {Precision.EXACT, Precision.ABOUT}:
        kind = Precision.ABOUT
    elif not add:
        # “Nearly” bounds from above; in a difference only its bounds are honest.
        return None, None
    elif kinds <= {Precision.EXACT, Precision.NEARLY}:
        kind = Precision.NEARLY
    else:
        kind = Precision.ABOUT
    value = a.estimate + b.estimate if add else a.estimate - b.estimate
    return value, kind


def total(figures):
    """The sum of qualified figures as a Figure; no figures make an exact 0."""
    figures = list(figures)
    if not figures:
        return Figure(0)
    result = Range.of(figures[0])
    for figure in figures[1:]:
        result = result + Range.of(figure)
    return result.figure()


def difference(a, b):
    """``a`` minus ``b`` as a Range: how much more (or less) ``a`` may be than ``b``."""
    return Range.of(a) - Range.of(b)
