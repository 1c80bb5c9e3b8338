"""
``python manage.py bake_embeds --out DIR --base-url https://news.example``:
every public embed and its oEmbed JSON as static files (see ``exchanges.bake``).
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from exchanges import bake
from exchanges.kinds import BOXES


class Command(BaseCommand):
    help = "Write every public fact box embed and its oEmbed JSON as static files."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The folder to write into.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the files will be served from (iframe and oEmbed addresses).",
        )
        parser.add_argument(
            "--kinds",
            default=",".join(BOXES),
            help=f"Which kinds of box, comma-separated: {', '.join(BOXES)} (default all).",
        )

    def handle(self, *args, out, base_url, kinds, **options):
        kinds = [kind.strip() for kind in kinds.split(",") if kind.strip()]
        unknown = [kind for kind in kinds if kind not in BOXES]
        if unknown or not kinds:
            raise CommandError(f"Unknown kinds {unknown}: use {', '.join(BOXES)}.")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url is an http(s) address, such as https://news.example")
        with tqdm(total=bake.count(kinds), desc="fact boxes", unit=" pages") as bar:
            report = bake.bake(out, base_url, kinds, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.written)} files written, {report.unchanged} unchanged, "
                f"{len(report.removed)} removed; {report.skipped} boxes had nothing public "
                f"to show (pinned before their record). Output: {out}"
            )
        )
