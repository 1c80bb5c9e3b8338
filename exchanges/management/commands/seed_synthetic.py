"""
``python manage.py seed_synthetic --exchanges 100000 --quotes 50000 --seed 1``

Scale data for benchmarks and load tests: published exchanges and quotes spread
over the war's years, with figures, qualifiers, mediators and sources like the
real ones, written in bulk with their change-log entries. The same seed always
gives the same records (the same UUIDs), so running it twice adds nothing.
Run ``load_seed`` first: the quotes' speakers and the mediators come from it.
"""

import datetime
import random
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from exchanges.caching import data_changed
from exchanges.figures import Precision
from exchanges.models import Change, Exchange, Organisation, Person, Quote, Status

NAMESPACE = uuid.UUID("5f1d7c1e-8a57-4c55-9a0e-6f8d1c2b3a40")
START, END = datetime.date(2022, 3, 1), datetime.date(2026, 11, 1)
SOURCES = [
    (
        "Coordination Headquarters for the Treatment of Prisoners of War",
        "https://koordshtab.gov.ua/",
    ),
    ("Office of the President of Ukraine", "https://www.president.gov.ua/"),
    ("Ministry of Defence of Ukraine", "https://www.mil.gov.ua/"),
]
# How often each qualifier is used for a figure, roughly as in the reporting.
QUALIFIERS = [
    (Precision.EXACT, 70),
    (Precision.ABOUT, 10),
    (Precision.OVER, 8),
    (Precision.AT_LEAST, 4),
    (Precision.UNKNOWN, 8),
]
WORDS = [
    "exchange",
    "stage",
    "returned",
    "home",
    "prisoners",
    "defenders",
    "mediation",
    "agreement",
    "list",
    "families",
    "verification",
    "wounded",
    "civilians",
    "soldiers",
    "medics",
    "border",
    "negotiations",
    "continue",
]


class Command(BaseCommand):
    help = "Add deterministic synthetic exchanges and quotes, in bulk, for scale tests."

    def add_arguments(self, parser):
        parser.add_argument("--exchanges", type=int, default=1000)
        parser.add_argument("--quotes", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, exchanges, quotes, seed, batch, **options):
        if exchanges < 0 or quotes < 0 or batch < 1:
            raise CommandError("Counts are zero or more; --batch at least 1.")
        self.random = random.Random(seed)
        self.seed, self.batch = seed, batch
        self.mediators = list(Organisation.objects.public().values_list("pk", flat=True)[:5])
        self.speakers = list(Person.objects.public().values_list("pk", flat=True)[:10])
        if quotes and not self.speakers:
            raise CommandError("No published person to quote: run load_seed first.")
        # Published statements carry their attribution as published: one per speaker.
        self.attributions = {
            pk: Quote(speaker_id=pk, said_on=END).attribution_now() for pk in self.speakers
        }
        added = {
            "exchanges": self.add(Exchange, exchanges, self.exchange),
            "quotes": self.add(Quote, quotes, self.quote),
        }
        if connection.vendor == "postgresql":
            # The planner learns the new sizes now, not when autovacuum gets to it:
            # with a table's old statistics it sorts 100,000 rows for a page of 50.
            with connection.cursor() as cursor:
                for model in (Exchange, Quote, Change, Exchange.mediators.through):
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        data_changed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {added['exchanges']} exchanges and {added['quotes']} quotes "
                f"(seed {seed}); records already there were kept."
            )
        )

    def add(self, model, count, make):
        name = model._meta.model_name
        uuids = [uuid.uuid5(NAMESPACE, f"{name}-{self.seed}-{n}") for n in range(count)]
        added = 0
        with tqdm(total=count, desc=model._meta.verbose_name_plural, unit=" records") as bar:
            for start in range(0, count, self.batch):
                chunk = uuids[start : start + self.batch]
                known = set(model.objects.filter(uuid__in=chunk).values_list("uuid", flat=True))
                records = [make(pk) for pk in chunk if pk not in known]
                with transaction.atomic():
                    model.objects.bulk_create(records)
                    self.link(model, chunk, known)
                    # The change log, as signals would have written it.
                    now = timezone.now()
                    Change.objects.bulk_create(
                        Change(
                            kind=name,
                            uuid=record.uuid,
                            action=Change.Action.CREATED,
                            at=now,
                            dated=getattr(record, model.dated_by),
                        )
                        for record in records
                    )
                added += len(records)
                bar.update(len(chunk))
        return added

    def link(self, model, chunk, known):
        if model is not Exchange or not self.mediators:
            return
        through = Exchange.mediators.through
        fresh = Exchange.objects.filter(uuid__in=[pk for pk in chunk if pk not in known])
        through.objects.bulk_create(
            through(exchange_id=pk, organisation_id=self.random.choice(self.mediators))
            for pk in fresh.values_list("pk", flat=True)
        )

    def day(self):
        return START + datetime.timedelta(days=self.random.randrange((END - START).days))

    def published(self, day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    def figure(self, low, high):
        precision = self.random.choices(*zip(*QUALIFIERS, strict=True))[0]
        if precision == Precision.UNKNOWN:
            return None, precision
        return self.random.randint(low, high), precision

    def exchange(self, pk):
        day = self.day()
        returned, returned_precision = self.figure(1, 400)
        source_name, source_url = self.random.choice(SOURCES)
        return Exchange(
            uuid=pk,
            date=day,
            returned=returned,
            returned_precision=returned_precision,
            handed_over=None,
            handed_over_precision=Precision.UNKNOWN,
            source_name_en=source_name,
            source_url=source_url,
            status=Status.PUBLISHED,
            published_at=self.published(day),
        )

    def quote(self, pk):
        day = self.day()
        speaker = self.random.choice(self.speakers)
        source_name, source_url = self.random.choice(SOURCES)
        text = " ".join(self.random.choices(WORDS, k=self.random.randint(8, 30))).capitalize()
        return Quote(
            uuid=pk,
            text=f"{text}.",
            language=Quote.Language.ENGLISH,
            speaker_id=speaker,
            attribution=self.attributions[speaker],
            said_on=day,
            source_name_en=source_name,
            source_url=source_url,
            status=Status.PUBLISHED,
            published_at=self.published(day),
        )
