"""
What an import of 10,000 rows costs, in time and in memory, and whether it streams.

Each size runs in a process of its own, so that memory is comparable: the file
is checked (a dry run), imported and published, imported again (every row
unchanged), and everything is exported. Time is given against a baseline run in
the same process: the same rows saved with bare ``Exchange.objects.create``, no
reading, checks or history. Memory is how far the process grew during the step
(its peak resident size, sampled every 10 ms, over its size when the step
began). If the import streams, 10,000 rows need about what 1,000 do; reading
the file whole into a list (in a process of its own) grows with it.

    .venv/bin/python bench/import.py               # 1,000 and 10,000 rows, SQLite
    .venv/bin/python bench/import.py 500           # one size
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/import.py

The database is created for the run and dropped afterwards (Django's test database).
"""

import csv
import datetime
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///" + tempfile.gettempdir() + "/bench.sqlite3")

SIZES = (1_000, 10_000)
FIGURES = ("{n}", "{n:,}", "over {n:,}", "at least {n:,}", "about {n}", "{n:,}–{m:,}")
PAGE = os.sysconf("SC_PAGE_SIZE")
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
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as file:
        writer = None
        for row in rows(size, slug):
            if writer is None:
                writer = csv.DictWriter(file, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
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
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        book.save(file)
    return file.name


def read_whole(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def measured(step):
    """``step``'s result, its seconds, and how many MB the process grew while it ran."""
    before = peak = resident()
    running = True

    def sample():
        nonlocal peak
        while running:
            peak = max(peak, resident())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    try:
        result = step()
    finally:
        seconds = time.perf_counter() - start
        running = False
        sampler.join()
    return result, seconds, (max(peak, resident()) - before) / MB


def one_size(size, formats):
    import django

    django.setup()
    from django.conf import settings

    # No query log (DEBUG keeps the last 9,000 queries), and SQLite in a file, so that
    # the process's growth is the import's, not the log's or the database's pages.
    settings.DEBUG = False
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = os.path.join(tempfile.gettempdir(), "bench-import.sqlite3")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases

    config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("load_seed", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        from exchanges.exporting import chunks
        from exchanges.importing import import_file
        from exchanges.models import Agreement, Exchange

        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")

        def agreement(slug):
            return Agreement.objects.create(
                slug=slug, title_en=f"Benchmark {slug}", concluded_on=datetime.date(2022, 3, 1)
            )

        def line(step, count, seconds, baseline, grew):
            print(
                f"{step:42} {count:>7,} {seconds:>8.2f} {count / seconds:>7,.0f} "
                f"{seconds / baseline:>10.2f} {grew:>9.1f}",
                flush=True,
            )

        bare = agreement("bare")

        def save_bare():
            for n in range(size):
                Exchange.objects.create(
                    date=datetime.date(2022, 3, 1) + datetime.timedelta(days=n % 1500),
                    returned=10 + n % 990,
                    agreement=bare,
                    stage=n + 1,
                )

        _, baseline, grew = measured(save_bare)
        line("baseline: Exchange.objects.create", size, baseline, baseline, grew)

        csv_path = None
        for kind in formats:
            slug = kind.lower()
            path = write_csv(size, slug) if kind == "CSV" else write_xlsx(size, slug)
            agreement(slug)

            def run(path=path, **options):
                report = import_file(path, "exchanges", user, **options)
                assert report.ok, [str(problem) for problem in report.problems[:3]]
                return report

            report, seconds, grew = measured(lambda run=run: run(dry_run=True))
            assert report.created == size and not report.written
            line(f"{kind}: check (dry run)", size, seconds, baseline, grew)
            report, seconds, grew = measured(lambda run=run: run(publish=True))
            assert report.created == size and report.published == size and report.written
            line(f"{kind}: import and publish", size, seconds, baseline, grew)
            report, seconds, grew = measured(lambda run=run: run(publish=True))
            assert report.unchanged == size, report.summary()
            line(f"{kind}: the same file again, all unchanged", size, seconds, baseline, grew)
            if kind == "CSV":
                csv_path = path
            else:
                os.unlink(path)

        total = Exchange.objects.count()
        for format in ("csv", "json"):
            size_of, seconds, grew = measured(
                lambda format=format: sum(len(chunk) for chunk in chunks("exchanges", format))
            )
            line(f"export of every exchange, {format.upper()}", total, seconds, baseline, grew)

        os.unlink(csv_path)
    finally:
        teardown_databases(config, verbosity=0)


def whole(size):
    """For scale, in a process of its own: the same CSV read whole into a list of rows."""
    path = write_csv(size, "whole")
    try:
        rows, seconds, grew = measured(lambda: read_whole(path))
        print(
            f"{'for scale: the CSV read whole into a list':42} {len(rows):>7,} {seconds:>8.2f} "
            f"{'':>7} {'':>10} {grew:>9.1f}",
            flush=True,
        )
    finally:
        os.unlink(path)


def main():
    sizes = tuple(int(size) for size in sys.argv[1:]) or SIZES
    print(f"database: {os.environ['DATABASE_URL'].split(':', 1)[0]}; the seed plus these rows")
    print(f"{'step':42} {'rows':>7} {'seconds':>8} {'rows/s':>7} {'× baseline':>10} {'grew MB':>9}")
    for size in sizes:
        formats = "CSV,XLSX" if size <= 1_000 else "CSV"
        for arguments in (["--one", str(size), formats], ["--whole", str(size)]):
            subprocess.run(
                [sys.executable, __file__, *arguments],
                check=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
    print(
        "\nEach size ran in a fresh process; “grew MB” is its peak resident size during the step "
        "over its size when the step began."
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one_size(int(sys.argv[2]), sys.argv[3].split(","))
    elif sys.argv[1:2] == ["--whole"]:
        whole(int(sys.argv[2]))
    else:
        main()
