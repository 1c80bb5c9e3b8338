from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exchanges.importing import ImportRefused, import_file
from exchanges.layouts import LAYOUTS


class Command(BaseCommand):
    help = (
        "Import one kind of record from a CSV, XLSX or JSON file, as a user: all or nothing, "
        "drafts unless --publish. Check a file first with --dry-run. The layouts are in "
        "docs/editors.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file: .csv (comma or semicolon), .xlsx or .json.")
        parser.add_argument("--kind", required=True, choices=list(LAYOUTS))
        parser.add_argument(
            "--user",
            required=True,
            help="Who imports: the history and the audit log name them, and their "
            "permissions apply.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be created, updated and left alone, and every bad row; "
            "write nothing.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported records (the user needs permission to publish them).",
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Import the good rows even if some are bad (by default a bad row stops all).",
        )

    def handle(self, *args, file, kind, user, dry_run, publish, skip_bad_rows, verbosity, **rest):
        try:
            account = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user “{user}”.") from None
        bar = tqdm(unit=" rows", disable=verbosity < 1 or None, file=self.stderr._out)

        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = import_file(
                file,
                kind,
                account,
                publish=publish,
                skip_bad_rows=skip_bad_rows,
                dry_run=dry_run,
                progress=progress,
            )
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        finally:
            bar.close()
        for problem in report.problems:
            self.stderr.write(str(problem))
        if len(report.problems) < report.bad_rows:
            self.stderr.write(f"… and more: {report.bad_rows} bad rows in all.")
        if report.new_categories and (report.written or dry_run):
            self.stdout.write("New categories: " + ", ".join(report.new_categories))
        self.stdout.write(report.summary())
        if report.bad_rows and not report.written and not dry_run:
            raise CommandError("Nothing was imported.")
        if report.bad_rows and dry_run:
            raise CommandError("The file has bad rows: nothing would be imported.")
