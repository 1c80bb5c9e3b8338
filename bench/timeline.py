"""
The timeline embed at 1,000, 10,000 and 100,000 exchanges: bytes, queries, and
time as a multiple of a baseline request (the admin login page) in the same run.

    .venv/bin/python bench/timeline.py
"""

import datetime
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = 10


def timed(client, path):
    start = time.perf_counter()
    for _ in range(ROUNDS):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) / ROUNDS


def add_exchanges(count, offset):
    from exchanges.figures import Precision
    from exchanges.models import Exchange, Status

    start, days = datetime.date(2022, 3, 1), 1700
    Exchange.objects.bulk_create(
        (
            Exchange(
                date=start + datetime.timedelta(days=(offset + i) * days // 100_000),
                returned=None if i % 17 == 0 else 50 + i % 200,
                returned_precision=Precision.UNKNOWN if i % 17 == 0 else Precision.EXACT,
                counts_toward_tally=i % 5 != 0,
                source_name_en="Generated",
                status=Status.PUBLISHED,
                published_at=timezone.now() - datetime.timedelta(days=1),
            )
            for i in range(count)
        ),
        batch_size=5000,
    )


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()
    total = 0
    print(f"{'exchanges':>10} {'bytes':>8} {'queries':>8} {'× baseline':>11}")
    for size in (1_000, 10_000, 100_000):
        add_exchanges(size - total, total)
        total = size
        baseline = timed(client, "/admin/login/")
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/embed/timeline/").content
        cost = timed(client, "/embed/timeline/")
        print(f"{size:>10,} {len(body):>8,} {len(queries):>8} {cost / baseline:>11.1f}")


if __name__ == "__main__":
    main()
