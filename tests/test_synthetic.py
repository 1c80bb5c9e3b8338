"""Synthetic scale data: deterministic, bulk, logged like any save, public at once."""

import pytest
from django.core.management import CommandError, call_command

from exchanges.models import Change, Exchange, Quote

pytestmark = pytest.mark.django_db


def synthesize(**options):
    call_command("seed_synthetic", **options)
    return (
        set(Exchange.objects.filter(official_number=None).values_list("uuid", flat=True)),
        set(Quote.objects.values_list("uuid", flat=True)),
    )


def test_the_same_seed_gives_the_same_records_once(seed, api, settled, capsys):
    seeded_quotes = set(Quote.objects.values_list("uuid", flat=True))
    seeded_exchanges = set(Exchange.objects.values_list("uuid", flat=True))
    exchanges, quotes = synthesize(exchanges=30, quotes=10, seed=7, batch=8)
    exchanges -= seeded_exchanges
    quotes -= seeded_quotes
    assert len(exchanges) == 30 and len(quotes) == 10
    assert "Added 30 exchanges and 10 quotes (seed 7)" in capsys.readouterr().out
    # Every record has its change-log entry, dated by the record's own date.
    logged = Change.objects.filter(uuid__in=exchanges | quotes)
    assert logged.count() == 40 and not logged.filter(dated=None).exists()
    # Partners see them at once: the API, and the cached boxes.
    listed = api.get("/api/v1/quotes/", {"page_size": 200}).json()["results"]
    assert {str(pk) for pk in quotes} <= {item["uuid"] for item in listed}
    assert all(item["attribution"] for item in listed)

    again_exchanges, again_quotes = synthesize(exchanges=30, quotes=10, seed=7)
    assert (
        again_exchanges - seeded_exchanges == exchanges and again_quotes - seeded_quotes == quotes
    )
    assert "Added 0 exchanges and 0 quotes" in capsys.readouterr().out
    other, _quotes = synthesize(exchanges=5, seed=8)
    assert len(other - seeded_exchanges - exchanges) == 5


def test_bad_counts_are_refused(db):
    with pytest.raises(CommandError, match="zero or more"):
        call_command("seed_synthetic", exchanges=-1)
    with pytest.raises(CommandError, match="run load_seed first"):
        call_command("seed_synthetic", exchanges=0, quotes=3)
