from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exchanges import exporting
from exchanges.layouts import LAYOUTS, layout_named


class Command(BaseCommand):
    help = (
        "Write every kind of record to DIRECTORY as <kind>.<format> files, in the columns "
        "import_data reads: all records, or only the published ones with --public."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--format", choices=list(exporting.FORMATS), default="csv")
        parser.add_argument("--kind", choices=list(LAYOUTS), action="append")
        parser.add_argument(
            "--public", action="store_true", help="Only what readers may see, as on /data/."
        )

    def handle(self, *args, directory, format, kind, public, verbosity, **options):
        folder = Path(directory)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file of that name, or no permission
            raise CommandError(f"Cannot write to {folder}: {error.strerror}.") from None
        for name in kind or LAYOUTS:
            path = folder / f"{name}.{format}"
            total = exporting.records_of(layout_named(name), public=public).count()
            # Rows done, rate and time left, on a terminal; nothing in a log.
            bar = tqdm(
                total=total,
                desc=name,
                unit=" rows",
                disable=verbosity < 1 or None,
                file=self.stderr._out,
            )
            with bar, open(path, "wb") as file:
                for chunk in exporting.chunks(name, format, public=public, progress=bar.update):
                    file.write(chunk)
            if verbosity > 0:
                self.stdout.write(f"Wrote {total} {name} to {path}")
