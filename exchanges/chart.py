"""
The timeline chart: exchanges on a real time axis, bounded whatever the data size.

Up to ``TIMELINE_MAX_BARS`` exchanges are drawn one bar each, at their date;
beyond that they are summed by month, quarter or year (the database sums them
per day first), so the queries, the page and its rendering stay the same size
at 100,000 exchanges as at 100; only the database's scan grows with the rows.
Positions are percentages of the chart's width and heights are pixels, so the
chart stretches with the page while its text keeps its size.
"""

import datetime
import math

from django.db.models import Count, Max, Min, Sum
from django.utils import dateformat
from django.utils.translation import gettext as _

from .arithmetic import total
from .figures import Figure, Precision

# Months per period.
PERIODS = {"month": 1, "quarter": 3, "year": 12}
# Months between date ticks, tried from the finest; short labels fit seven at 320 px.
TICK_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
MIN_TICKS, MAX_TICKS = 4, 7
# Pixel geometry of the SVG: bars stand on the baseline, tick labels below it.
HEIGHT, TOP, BASELINE = 236, 22, 200
LEFT, RIGHT = 2.0, 98.0  # the plot's horizontal extent, in percent


def add_months(date, months):
    index = date.year * 12 + date.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def span(exchanges):
    """(count, first date, last date) of the exchanges, in one query."""
    row = exchanges.aggregate(count=Count("pk"), first=Min("date"), last=Max("date"))
    return row["count"], row["first"], row["last"]


def period_for(count, first, last, max_bars):
    """None to draw each exchange, else the period to sum them by."""
    if count <= max_bars:
        return None
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    for period, length in PERIODS.items():
        if math.ceil(months / length) <= max_bars:
            return period
    return "year"


def sums_by_period(exchanges, period):
    """
    Per period and per counted/separate: how many exchanges, how many undisclosed,
    and the people returned as one honest Figure.
    """
    # Summed per day in SQL (at most one row per day, side and qualifier, however
    # many exchanges), then per period here: date truncation is a Python function
    # per row on SQLite, a plain GROUP BY on a date column is not.
    rows = (
        exchanges.order_by()
        .values("date", "counts_toward_tally", "returned_precision")
        .annotate(count=Count("pk"), value=Sum("returned"), upper=Sum("returned_upper"))
    )
    length = PERIODS[period]
    periods = {}
    for row in rows:
        day = row["date"]
        start = datetime.date(day.year, (day.month - 1) // length * length + 1, 1)
        side = "counted" if row["counts_toward_tally"] else "separate"
        bucket = periods.setdefault(
            start, {"count": 0, "undisclosed": 0, "counted": [], "separate": []}
        )
        bucket["count"] += row["count"]
        figure = Figure(row["value"], row["returned_precision"], row["upper"])
        if not figure.is_known:
            bucket["undisclosed"] += row["count"]
        bucket[side].append(figure)
    return [
        {
            "start": start,
            "end": add_months(start, length) - datetime.timedelta(days=1),
            "count": bucket["count"],
            "undisclosed": bucket["undisclosed"],
            "counted": total(bucket["counted"]) if bucket["counted"] else None,
            "separate": total(bucket["separate"]) if bucket["separate"] else None,
        }
        for start, bucket in sorted(periods.items())
    ]


class Axis:
    """Dates to horizontal positions, in percent of the chart's width."""

    def __init__(self, first, last):
        self.first = first
        self.days = max((last - first).days, 1)
        self.single = first == last

    def x(self, date):
        if self.single:
            return 50.0
        return round(LEFT + (RIGHT - LEFT) * (date - self.first).days / self.days, 2)

    def width(self, days):
        """The width of a stretch of ``days``, in percent."""
        return (RIGHT - LEFT) * days / self.days


def tick_label(date, step, first=False):
    """“2024” at a year's start, a short month name elsewhere (“Jul”); the first has its year."""
    if date.month == 1 or step >= 12:
        return str(date.year)
    if first:
        return dateformat.format(date, _("M Y"))
    return dateformat.format(date, "M")


def ticks(first, last, axis):
    """At least four date ticks, at most seven, on month starts where the span allows."""
    chosen = []
    for step in TICK_STEPS:
        start = add_months(first, 0 if first.day == 1 else 1)
        while (start.year * 12 + start.month - 1) % step:
            start = add_months(start, 1)
        dates = []
        while start <= last:
            dates.append(start)
            start = add_months(start, step)
        if len(dates) <= MAX_TICKS:
            chosen = [(date, tick_label(date, step, i == 0)) for i, date in enumerate(dates)]
            break
    if len(chosen) < MIN_TICKS and not axis.single:
        # A span of a few months: four evenly spaced days.
        days = (last - first).days
        dates = [first + datetime.timedelta(days=round(days * i / 3)) for i in range(4)]
        chosen = [(date, dateformat.format(date, _("j M"))) for date in dates]
    elif axis.single:
        chosen = [(first, dateformat.format(first, _("j M Y")))]
    result = []
    for date, label in chosen:
        x = axis.x(date)
        anchor = "start" if x < 5 else "end" if x > 95 else "middle"
        result.append({"x": x, "label": label, "iso": date.isoformat(), "anchor": anchor})
    return result


def place(centres, widest=2.5, narrowest=0.4, gap=0.15):
    """
    (width, left edges), in percent, for bars centred on ``centres`` (sorted): as
    wide as fits, and side by side, never overlapping, where dates are close
    (three stages on three days stand next to each other, near their dates).
    """

    def lefts(width):
        placed, right = [], -gap
        for centre in centres:
            left = max(centre - width / 2, right + gap, 0.0)
            placed.append(left)
            right = left + width
        return placed

    low, high = narrowest, widest
    if lefts(high)[-1] + high <= 100:
        low = high
    else:
        for _step in range(20):  # the widest bars that fit, to a hundredth of a percent
            middle = (low + high) / 2
            if lefts(middle)[-1] + middle <= 100:
                low = middle
            else:
                high = middle
    placed = lefts(low)
    # Never past the right edge: when even the narrowest bars do not fit, the
    # crowded end is pushed back (and only there do bars overlap).
    limit = 100 - low
    for index in range(len(placed) - 1, -1, -1):
        placed[index] = max(min(placed[index], limit), 0.0)
        limit = placed[index] - low - gap
    return round(low, 2), [round(left, 2) for left in placed]


def bar_height(figure, top):
    """Pixels for a figure's number (its stated value); none for an undisclosed one."""
    if figure is None or not figure.is_known or not top:
        return 0
    return round((BASELINE - TOP) * figure.value / top, 1)


def stack(figures, top):
    """Segments from the baseline up, one per (kind, figure) with a number."""
    segments, y = [], BASELINE
    for kind, figure in figures:
        height = bar_height(figure, top)
        if height:
            y -= height
            # “About 250”, “at least 3,400”: drawn at the stated number, outlined as not exact.
            exact = figure.precision == Precision.EXACT
            segments.append({"kind": kind, "y": round(y, 1), "height": height, "exact": exact})
    return segments
