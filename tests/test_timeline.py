"""The timeline chart: a real time axis, hatched undisclosed figures, bounded at any size."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.caching import local
from exchanges.figures import Precision
from exchanges.kinds import build_box as build
from exchanges.models import Exchange, Status

from .test_boxes import render, visible

pytestmark = pytest.mark.django_db


def test_bars_stand_on_a_real_time_axis_side_by_side_where_dates_are_close(seed):
    box = build("timeline", as_of="2025-07-28", lang="en")
    first, last = datetime.date(2022, 4, 19), datetime.date(2025, 7, 23)
    span = (last - first).days
    points = box["points"]
    for point in points:
        date = datetime.date.fromisoformat(point["date"]["iso"])
        where = 2 + 96 * (date - first).days / span
        centre = point["x"] + point["width"] / 2
        if date.year == 2022:  # far from the others: exactly at its date
            assert centre == pytest.approx(where, abs=0.02)
        assert abs(centre - where) < 10  # close ones move aside, not far
    for before, after in zip(points, points[1:], strict=False):
        assert after["x"] >= before["x"] + before["width"]  # never on top of each other
    assert points[-1]["x"] + points[-1]["width"] <= 100
    assert points[0]["width"] >= 0.6  # two pixels at 320 px, eight at 1200


def test_the_axis_has_at_least_four_dated_ticks(seed):
    box = build("timeline", as_of="2025-07-28", lang="en")
    labels = [tick["label"] for tick in box["ticks"]]
    assert 4 <= len(labels) <= 7
    assert labels == ["Jul 2022", "2023", "Jul", "2024", "Jul", "2025", "Jul"]
    uk = build("timeline", as_of="2025-07-28", lang="uk")
    assert [tick["label"] for tick in uk["ticks"]][:3] == ["Лип 2022", "2023", "Лип"]
    assert all(0 <= tick["x"] <= 100 for tick in box["ticks"])


def test_undisclosed_figures_are_hatched_and_the_legend_tells_them_apart(seed):
    html = render('{% factbox "timeline" as_of="2025-07-28" lang="en" %}')
    pattern = re.search(r'<pattern id="([^"]+-hatch)"', html).group(1)
    assert html.count(f'fill="url(#{pattern})"') == 5
    # 23 July 2025, “about 250”: a separate case, outlined as not exact.
    assert html.count('class="xb__seg xb__seg--separate xb__seg--approx"') == 1
    assert html.count("xb__seg--separate") == 1
    text = visible(html)
    assert (
        "counted in the official tally separate case, not in the tally number not disclosed" in text
    )
    assert "9 June 2025: not disclosed" in text


def test_chart_numbers_are_not_localised_in_ukrainian(seed):
    html = render('{% factbox "timeline" lang="uk" %}')
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert not re.search(r'="-?\d+,\d+%?"', svg)  # “2,5%” is no SVG length
    assert re.search(r'width="\d+\.\d+%"', svg)


def test_a_timeline_pinned_before_any_exchange_says_so(seed):
    text = visible(render('{% factbox "timeline" as_of="2022-04-01" lang="uk" %}'))
    assert "Станом на 1 квітня 2022 р. жоден із внесених обмінів ще не відбувся." in text


def many_exchanges(count, start=datetime.date(2022, 3, 1), days=1700):
    """``count`` published exchanges spread over ``days``, some undisclosed, some separate."""
    published = timezone.now() - datetime.timedelta(days=1)
    Exchange.objects.bulk_create(
        (
            Exchange(
                date=start + datetime.timedelta(days=i * days // count),
                returned=None if i % 17 == 0 else 50 + i % 200,
                returned_precision=Precision.UNKNOWN if i % 17 == 0 else Precision.EXACT,
                counts_toward_tally=i % 5 != 0,
                source_name_en="Generated",
                status=Status.PUBLISHED,
                published_at=published,
            )
            for i in range(count)
        ),
        batch_size=5000,
    )


def fetch_embed(client):
    # The real work, not a cached answer (bulk_create writes no change log).
    cache.clear()
    local.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/embed/timeline/", {"lang": "en"})
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_a_hundred_thousand_exchanges_stay_small_and_cheap(client):
    many_exchanges(1000)
    small, small_queries = fetch_embed(client)
    many_exchanges(99_000)
    assert Exchange.objects.count() == 100_000
    response, queries = fetch_embed(client)
    assert len(response.content) < 100_000
    # The timeline's own two, and the data version (none from a shared cache).
    assert queries == small_queries <= 4
    text = visible(response.content.decode())
    assert "People returned to Ukraine in 100,000 exchanges recorded from" in text
    assert "summed by month" in text
    # A table row per month, not per exchange.
    assert response.content.decode().count("<tr>") < 80
    assert len(small.content) < 100_000


def test_crowded_bars_never_leave_the_chart():
    from exchanges.chart import place

    width, lefts = place([2.0] + [90 + 8 * i / 118 for i in range(119)])
    assert width == 0.4
    assert all(left >= 0 and left + width <= 100 for left in lefts)
