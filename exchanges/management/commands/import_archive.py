import sys

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from exchanges import archive


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_archive into an empty, migrated database, "
        "in one transaction: a bad archive writes nothing. FILE: gzipped if it ends in .gz, "
        "standard input if it is -."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive, e.g. exchanges.jsonl.gz.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "First delete the exchanges, change log, partners and keys, audit log and all "
                "reversion history, in the same transaction."
            ),
        )

    def handle(self, *args, file, replace, verbosity, **options):
        progress = verbosity > 0
        try:
            if file == "-":
                count = archive.restore(options.get("stdin", sys.stdin), replace=replace)
            else:
                with archive.opened(file, "r") as stream:
                    count = archive.restore(stream, replace=replace, progress=progress)
        except archive.ArchiveError as error:
            raise CommandError(f"{error} Nothing was restored.") from error
        except (DeserializationError, DatabaseError, OSError, EOFError, ValueError) as error:
            raise CommandError(
                f"{file} could not be restored; nothing was written: {error}"
            ) from error
        if verbosity > 0:
            self.stdout.write(f"Restored {count} objects from {file}.")
