"""
What a hostile search costs: ``q=`` with 400 words on ``quotes/``, against a
plain list in the same process, on the database ``DATABASE_URL`` names (run it
against PostgreSQL: that is where one such request once took 18 s and 24 GB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/search.py

The database is created for the run and dropped afterwards (Django's test
database), filled with the seed and 5,000 quotes with translations.
"""

import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 10
QUOTES = 5000


def timed(client, path, params, headers, status):
    start = time.perf_counter()
    for _ in range(ROUNDS):
        response = client.get(path, params, **headers)
        assert response.status_code == status, (response.status_code, response.content[:200])
    return (time.perf_counter() - start) / ROUNDS, response


def main():
    # The 400s are expected: they are what is measured.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"(database {connection.vendor}, {test_name} dropped)")


def run():
    call_command("load_seed", verbosity=0)
    from exchanges.models import Partner, PartnerAPIKey, Person, Quote, QuoteTranslation, Status

    speaker = Person.objects.first()
    quotes = Quote.objects.bulk_create(
        Quote(
            text=f"Words number {n} about the exchange of prisoners and their return home.",
            language="en",
            speaker=speaker,
            said_on=django.utils.timezone.localdate(),
            source_name_en="Bench",
            status=Status.PUBLISHED,
            published_at=django.utils.timezone.now(),
        )
        for n in range(QUOTES)
    )
    QuoteTranslation.objects.bulk_create(
        QuoteTranslation(quote=quote, language="uk", text=f"Слова {quote.pk}") for quote in quotes
    )
    _key, secret = PartnerAPIKey.objects.create_key(
        name="bench", partner=Partner.objects.create(name="Bench")
    )
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {secret}"}
    client = Client()
    words = " ".join(f"word{n}" for n in range(400))
    cases = [
        ("list, 50 quotes", {}, 200),
        ("q=, 3 words", {"q": "exchange prisoners home"}, 200),
        ("q=, 10 words (the maximum)", {"q": " ".join(["prisoners"] * 10)}, 200),
        ("q=, 400 words", {"q": words}, 400),
    ]
    baseline, _response = timed(client, "/api/v1/quotes/", {}, headers, 200)
    print(f"{'request':32} {'ms':>8} {'× list':>8}  status")
    for label, params, status in cases:
        seconds, response = timed(client, "/api/v1/quotes/", params, headers, status)
        print(f"{label:32} {seconds * 1000:8.1f} {seconds / baseline:8.2f}  {response.status_code}")
    print(f"(mean of {ROUNDS} requests each, {QUOTES} quotes)")


if __name__ == "__main__":
    main()
