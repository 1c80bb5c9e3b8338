from django.core.management.base import BaseCommand

from exchanges.seed import load_seed


class Command(BaseCommand):
    help = (
        "Load the reference data (the Ukrainska Pravda article of 28 July 2025 and the "
        "exchanges of 2022-2025) as published records. Only creates what is missing."
    )

    def handle(self, *args, **options):
        created, kept = load_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Seed data: {created} records created, {kept} already present.")
        )
