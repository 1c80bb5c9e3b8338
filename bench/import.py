"""
What an import of 10,000 rows costs, in time and in memory, and whether it streams.

Each size is imported as CSV and as XLSX (a dry run, the import, the same file
again), then exported. Time is given against a baseline run in the same
process: the same rows saved with bare ``Exchange.objects.create``, no reading,
checks or history. Memory is the peak Python allocation (``tracemalloc``) of a
separate run of the same step: if the import streams, 10,000 rows need about
what 1,000 do, while the whole file read into a list grows with it.

    .venv/bin/python bench/import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/import.py
"""

import csv
import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

SIZES = (1_000, 10_000)
FIGURES = ("{n}", "{n:,}", "over {n:,}", "at least {n:,}", "about {n}", "{n:,}–{m:,}")
MB = 1024 * 1024


def rows(size, slug):
    """Exchanges of one agreement, stage by stage, figures written every way editors do."""
    start = datetime.date(2022, 3, 1)
    for n in range(size):
        returned = 10 + n % 990
        yield {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{slug}/{n}")),
            "date": (start + datetime.timedelta(days=n % 1500)).isoformat(),
            "returned": FIGURES[n % len(FIGURES)].format(n=returned, m=returned + 100),
            "handed_over": "" if n % 3 else str(returned),
            "counts_toward_tally": "yes",
            "agreement": slug,
            "stage": str(n + 1),
            "categories": "military;civilians" if n % 2 else "military",
            "mediators": "United Arab Emirates" if n % 4 == 0 else "",
            "notes": f"Row {n} of the benchmark",
            "source": "Coordination Headquarters",
            "source_url": f"https://example.org/{slug}/{n}",
        }


def write_csv(size, slug):
    file = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="")  # noqa: SIM115
    writer = None
    for row in rows(size, slug):
        if writer is None:
            writer = csv.DictWriter(file, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
    file.close()
    return file.name


def write_xlsx(size, slug):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("exchanges")
    header = None
    for row in rows(size, slug):
        if header is None:
            header = list(row)
            sheet.append(header)
        sheet.append([row[name] for name in header])
    path = tempfile.mktemp(suffix=".xlsx")
    book.save(path)
    return path


def read_whole(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def timed(step):
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def peak(step):
    """The most Python memory ``step`` held at once, in MB."""
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def main():
    from django.contrib.auth import get_user_model

    from exchanges.exporting import chunks
    from exchanges.importing import import_file
    from exchanges.models import Agreement, Exchange

    call_command("load_seed", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    print(f"database: {connection.vendor}; seed plus the rows below\n")
    print(f"{'step':44} {'rows':>7} {'s':>7} {'rows/s':>8} {'× baseline':>11} {'peak MB':>8}")

    def line(step, size, seconds, baseline=None, memory=None):
        ratio = f"{seconds / baseline:.2f}" if baseline else "1.00"
        memory = f"{memory:.1f}" if memory is not None else ""
        print(
            f"{step:44} {size:>7,} {seconds:>7.2f} {size / seconds:>8,.0f} {ratio:>11} {memory:>8}"
        )

    def agreement(slug):
        return Agreement.objects.create(
            slug=slug, title_en=f"Benchmark {slug}", concluded_on=datetime.date(2022, 3, 1)
        )

    for size in SIZES:
        # Baseline: the same rows, saved bare.
        bare = agreement(f"bare-{size}")
        start = datetime.date(2022, 3, 1)

        def save_bare(bare=bare, size=size, start=start):
            for n in range(size):
                Exchange.objects.create(
                    date=start + datetime.timedelta(days=n % 1500),
                    returned=10 + n % 990,
                    agreement=bare,
                    stage=n + 1,
                )

        baseline, _ = timed(save_bare)
        line("baseline: Exchange.objects.create", size, baseline)

        csv_path = write_csv(size, f"csv-{size}")
        whole = peak(lambda csv_path=csv_path: read_whole(csv_path))
        print(
            f"{'  (the CSV read whole into a list)':44} {size:>7,} {'':>7} {'':>8} {'':>11} "
            f"{whole:>8.1f}"
        )
        for kind, path, slug in (
            ("CSV", csv_path, f"csv-{size}"),
            ("XLSX", write_xlsx(size, f"xlsx-{size}"), f"xlsx-{size}"),
        ):
            agreement(slug)

            def run(path=path, **options):
                report = import_file(path, "exchanges", user, **options)
                assert report.ok, report.problems[:3]
                return report

            memory = peak(lambda run=run: run(dry_run=True))
            seconds, report = timed(lambda run=run: run(dry_run=True))
            assert report.created == size and not report.written
            line(f"{kind} dry run", size, seconds, baseline, memory)
            seconds, report = timed(lambda run=run: run(publish=True))
            assert report.created == size and report.written
            line(f"{kind} import, published", size, seconds, baseline)
            memory = peak(lambda run=run: run(publish=True))
            seconds, report = timed(lambda run=run: run(publish=True))
            assert report.unchanged == size, report.summary()
            line(f"{kind} the same file again (all unchanged)", size, seconds, baseline, memory)
            os.unlink(path)

        total = Exchange.objects.count()

        def export(format):
            return sum(len(chunk) for chunk in chunks("exchanges", format))

        for format in ("csv", "json"):
            memory = peak(lambda format=format: export(format))
            seconds, _ = timed(lambda format=format: export(format))
            line(f"export of every exchange, {format.upper()}", total, seconds, baseline, memory)
        print()

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"largest resident size of the process: {rss:.0f} MB")


if __name__ == "__main__":
    config = setup_databases(verbosity=0, interactive=False)
    try:
        main()
    finally:
        teardown_databases(config, verbosity=0)
