"""
How much each door costs, as a multiple of a baseline request in the same process.

The baseline is Django's own admin login page served by the test client: it
exercises the same middleware, templates and database connection, so the
ratios say what the app adds. Data is the seed plus 500 more exchanges, so a
cost that grows with data shows up.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 30


def timed(client, path, **headers):
    start = time.perf_counter()
    for _ in range(ROUNDS):
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) / ROUNDS


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_seed", verbosity=0)
    from exchanges.figures import Precision
    from exchanges.models import Agreement, Exchange, Partner, PartnerAPIKey, Status

    agreement = Agreement.objects.get(slug="istanbul-2")
    import datetime

    Exchange.objects.bulk_create(
        Exchange(
            date=datetime.date(2023, 1, 1) + datetime.timedelta(days=n),
            agreement=agreement if n % 2 else None,
            stage=100 + n if n % 2 else None,
            returned=n,
            returned_precision=Precision.EXACT,
            handed_over_precision=Precision.UNKNOWN,
            status=Status.PUBLISHED,
            published_at=django.utils.timezone.now(),
        )
        for n in range(500)
    )
    partner = Partner.objects.create(name="Bench")
    _record, key = PartnerAPIKey.objects.create_key(name="bench", partner=partner)
    client = Client()
    api = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}

    baseline = timed(client, "/admin/login/")
    doors = {
        "embed totals": ("/embed/totals/?as_of=2025-07-28", {}),
        "embed agreement (stages)": ("/embed/agreement/istanbul-2/", {}),
        "embed timeline (522 exchanges)": ("/embed/timeline/", {}),
        "oEmbed": ("/oembed/?url=http://testserver/embed/totals/", {}),
        "API exchanges, 50": ("/api/v1/exchanges/", api),
        "API exchanges, 200": ("/api/v1/exchanges/?page_size=200", api),
        "API exchanges, 200, ninjs": ("/api/v1/exchanges/?page_size=200&format=ninjs", api),
        "API changes, 200": ("/api/v1/changes/?page_size=200", api),
        "feed exchanges.atom": ("/feeds/exchanges.atom", api),
    }
    print(f"baseline (admin login page): {baseline * 1000:.1f} ms per request, {ROUNDS} rounds")
    for name, (path, headers) in doors.items():
        cost = timed(client, path, **headers)
        print(f"{name:32} {cost / baseline:6.1f} × baseline")


if __name__ == "__main__":
    main()
