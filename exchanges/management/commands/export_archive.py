from django.core.management.base import BaseCommand

from exchanges import archive


class Command(BaseCommand):
    help = (
        "Write everything needed to restore the exchanges exactly (records, history, "
        "corrections, change log, partners and their hashed keys, the accounts they name) "
        "to FILE: gzipped if it ends in .gz, to standard output if it is -."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the archive, e.g. exchanges.jsonl.gz.")

    def handle(self, *args, file, verbosity, **options):
        if file == "-":
            # The archive is the output: no line endings added, no progress.
            self.stdout.ending = None
            count = archive.export(self.stdout)
        else:
            with archive.written(file) as stream:
                count = archive.export(stream, progress=verbosity > 0)
        if verbosity > 0:
            # Never on standard output, which may be the archive itself.
            where = "standard output" if file == "-" else file
            self.stderr.write(f"Archived {count} objects to {where}.")
