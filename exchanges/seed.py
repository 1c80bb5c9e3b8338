"""
Reference data: the Ukrainska Pravda article of 28 July 2025 and the exchanges CSVs.

Records get UUIDs derived from their natural keys, so every install shares
them, and loading only creates what is missing: running it again, or after
editors have corrected a record, changes nothing.
"""

import csv
import datetime
import uuid
from pathlib import Path

import reversion
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from .figures import Precision
from .models import (
    Agreement,
    Category,
    Exchange,
    Organisation,
    Person,
    Quote,
    Role,
    Status,
    Tally,
)

DATA = Path(__file__).resolve().parent / "data"
NAMESPACE = uuid.UUID("6f1d3c2e-5b0a-4c8e-9a51-2f7e0d9c4b11")

CATEGORIES = {
    "military": "військові",
    "civilians": "цивільні",
    "seriously ill and severely wounded": "важкохворі та тяжкопоранені",
    "under 25": "молодші за 25 років",
}

ORGANISATIONS = [
    # slug, kind, English, Ukrainian, short English, short Ukrainian, website
    (
        "coordination-headquarters",
        Organisation.Kind.GOVERNMENT,
        "Coordination Headquarters for the Treatment of Prisoners of War",
        "Координаційний штаб з питань поводження з військовополоненими",
        "Coordination Headquarters",
        "Коордштаб",
        "",
    ),
    (
        "defence-intelligence",
        Organisation.Kind.MILITARY,
        "Defence Intelligence of Ukraine",
        "Головне управління розвідки Міністерства оборони України",
        "HUR",
        "ГУР",
        "",
    ),
    (
        "ukrainska-pravda",
        Organisation.Kind.OUTLET,
        "Ukrainska Pravda",
        "Українська правда",
        "UP",
        "УП",
        "https://www.pravda.com.ua/",
    ),
    ("ukraine", Organisation.Kind.STATE, "Ukraine", "Україна", "", "", ""),
    ("russia", Organisation.Kind.STATE, "Russia", "Росія", "", "", ""),
    (
        "united-arab-emirates",
        Organisation.Kind.STATE,
        "United Arab Emirates",
        "Об'єднані Арабські Емірати",
        "UAE",
        "ОАЕ",
        "",
    ),
    ("turkiye", Organisation.Kind.STATE, "Türkiye", "Туреччина", "", "", ""),
    ("saudi-arabia", Organisation.Kind.STATE, "Saudi Arabia", "Саудівська Аравія", "", "", ""),
]

AGREEMENTS_UK = {
    "istanbul-1": {
        "title": "Перемовини в Стамбулі, перший раунд",
        "venue": "палац Долмабахче, Стамбул",
        "terms": "1000 на 1000",
        "notes": "Проведено у три етапи 23–25 травня 2025 року",
    },
    "istanbul-2": {
        "title": "Перемовини в Стамбулі, другий раунд",
        "venue": "палац Чираган, Стамбул",
        "terms": "«всіх на всіх» для двох категорій; 6000 на 6000 тіл",
        "notes": (
            "Виокремлено в окремий, позаплановий випадок; реалізується етапами; "
            "остаточні цифри оголосять пізніше"
        ),
    },
    "istanbul-3": {
        "title": "Перемовини в Стамбулі, третій раунд",
        "venue": "палац Чираган, Стамбул",
        "terms": "щонайменше 1200 на 1200",
        "notes": "Станом на 28 липня 2025 року Координаційний штаб не коментував ці домовленості",
    },
}

ARTICLE_DATE = datetime.date(2025, 7, 28)
ARTICLE_TIME = datetime.time(17, 46)
ARTICLE_SOURCE = "Ukrainska Pravda, 28 July 2025, 17:46"
ARTICLE_SOURCE_UK = "«Українська правда», 28 липня 2025 р., 17:46"
CONTEXT_EN = "in a comment to Ukrainska Pravda"
CONTEXT_UK = "у коментарі «Українській правді»"

QUOTE_TEXT = (
    "Given the scale and complexity of implementing the Istanbul agreements regarding "
    "the categories of seriously ill and severely wounded defenders and defenders under "
    "the age of 25, it has been decided to classify this exchange as a separate case – "
    "in other words, an unscheduled one. Over a thousand citizens have already been "
    "returned under the Istanbul agreements. The implementation of the stages of this "
    "exchange will continue."
)


def published_on(day, at=datetime.time(12)):
    return {
        "status": Status.PUBLISHED,
        "published_at": timezone.make_aware(datetime.datetime.combine(day, at)),
    }


def stable_uuid(kind, key):
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


def read_csv(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def split_list(cell):
    return [item.strip() for item in cell.split(";") if item.strip()]


def yes_no(cell):
    return {"yes": True, "no": False}.get(cell.strip().lower())


def source_fields(cell):
    cell = cell.strip()
    if cell.startswith(("http://", "https://")):
        return {"source_url": cell, "source_name_en": ""}
    return {"source_name_en": cell, "source_url": ""}


def figure_fields(name, value, precision):
    precision = precision or Precision.UNKNOWN
    return {
        name: int(value) if value and precision != Precision.UNKNOWN else None,
        f"{name}_precision": precision,
    }


class Loader:
    """Creates each missing seed record once; counts what it created and what it kept."""

    def __init__(self):
        self.created = 0
        self.kept = 0

    def ensure(self, model, lookup, defaults, m2m=None):
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup, **defaults)
            # Checked as the admin checks each field (web links too); related records are ours.
            obj.clean_fields(
                exclude=[field.name for field in model._meta.fields if field.is_relation]
            )
            obj.save()
            for field, values in (m2m or {}).items():
                getattr(obj, field).set(values)
            if hasattr(obj, "freeze_attribution") and obj.status == Status.PUBLISHED:
                obj.freeze_attribution()
            self.created += 1
        else:
            self.kept += 1
        return obj

    def run(self):
        # Already public: published on their own date, so pinned boxes show them.
        published = published_on(datetime.date(2022, 2, 24))
        categories = {
            english: self.ensure(
                Category,
                {"slug": slugify(english)},
                {"name_en": english, "name_uk": ukrainian},
            )
            for english, ukrainian in CATEGORIES.items()
        }
        organisations = {}
        for slug, kind, name_en, name_uk, short_en, short_uk, url in ORGANISATIONS:
            organisations[name_en] = self.ensure(
                Organisation,
                {"uuid": stable_uuid("organisation", slug)},
                {
                    "slug": slug,
                    "kind": kind,
                    "name_en": name_en,
                    "name_uk": name_uk,
                    "short_name_en": short_en,
                    "short_name_uk": short_uk,
                    "url": url,
                    **published,
                },
            )
        headquarters = organisations[ORGANISATIONS[0][2]]
        intelligence = organisations["Defence Intelligence of Ukraine"]
        outlet = organisations["Ukrainska Pravda"]
        parties = [organisations["Ukraine"], organisations["Russia"]]

        agreements = {}
        for row in read_csv("agreements.csv"):
            uk = AGREEMENTS_UK.get(row["slug"], {})
            agreements[row["slug"]] = self.ensure(
                Agreement,
                {"uuid": stable_uuid("agreement", row["slug"])},
                {
                    "slug": row["slug"],
                    "title_en": row["title"],
                    "title_uk": uk.get("title", ""),
                    "round_number": int(row["round"]) if row["round"] else None,
                    "venue_en": row["venue"],
                    "venue_uk": uk.get("venue", ""),
                    "concluded_on": datetime.date.fromisoformat(row["date"]),
                    "terms_en": row["terms"],
                    "terms_uk": uk.get("terms", ""),
                    "implementation": row["status"].replace(" ", "_"),
                    "counts_toward_tally": yes_no(row["counts_toward_tally"]),
                    "notes_en": row["notes"],
                    "notes_uk": uk.get("notes", ""),
                    **source_fields(row["source"]),
                    **published_on(datetime.date.fromisoformat(row["date"])),
                },
                m2m={
                    "parties": parties,
                    "categories": [categories[c] for c in split_list(row["categories"])],
                },
            )

        for row in read_csv("exchanges.csv"):
            self.ensure(
                Exchange,
                {"uuid": stable_uuid("exchange", row["date"])},
                {
                    "date": datetime.date.fromisoformat(row["date"]),
                    "official_number": int(row["official_number"])
                    if row["official_number"]
                    else None,
                    "agreement": agreements.get(row["agreement"]),
                    "stage": int(row["stage"]) if row["stage"] else None,
                    **figure_fields("returned", row["returned"], row["returned_precision"]),
                    **figure_fields(
                        "handed_over", row["handed_over"], row["handed_over_precision"]
                    ),
                    "counts_toward_tally": row["counts_toward_tally"] == "yes",
                    "notes_en": row["notes"],
                    **source_fields(row["source"]),
                    **published_on(datetime.date.fromisoformat(row["date"])),
                },
                m2m={
                    "categories": [categories[c] for c in split_list(row["categories"])],
                    "mediators": [organisations[m] for m in split_list(row["mediators"])],
                },
            )

        yusov = self.ensure(
            Person,
            {"uuid": stable_uuid("person", "andrii-yusov")},
            {
                "slug": "andrii-yusov",
                "name_en": "Andrii Yusov",
                "name_uk": "Андрій Юсов",
                "rank_en": "Major",
                "rank_uk": "майор",
                "photo_credit": headquarters,
                **published,
            },
        )
        roles = [
            self.ensure(
                Role,
                {"person": yusov, "organisation": headquarters},
                {
                    "title_en": (
                        "Deputy Head of the Coordination Headquarters for the "
                        "Treatment of Prisoners of War"
                    ),
                    "title_uk": (
                        "заступник керівника Координаційного штабу з питань "
                        "поводження з військовополоненими"
                    ),
                },
            ),
            self.ensure(
                Role,
                {"person": yusov, "organisation": intelligence},
                {
                    "title_en": "spokesperson for Defence Intelligence of Ukraine",
                    "title_uk": (
                        "речник Головного управління розвідки Міністерства оборони України"
                    ),
                },
            ),
        ]
        statement = {
            "as_of": ARTICLE_DATE,
            "stated_by": yusov,
            "context_en": CONTEXT_EN,
            "context_uk": CONTEXT_UK,
            "outlet": outlet,
            "source_name_en": ARTICLE_SOURCE,
            "source_name_uk": ARTICLE_SOURCE_UK,
            **published_on(ARTICLE_DATE, ARTICLE_TIME),
        }
        self.ensure(
            Tally,
            {"uuid": stable_uuid("tally", "2025-07-28-scheduled")},
            {
                **statement,
                "scope": Tally.Scope.SCHEDULED,
                "counted_since": datetime.date(2022, 2, 24),
                "exchanges": 66,
                "exchanges_precision": Precision.EXACT,
                "returned": 5857,
                "returned_precision": Precision.EXACT,
            },
            m2m={"stated_by_roles": roles},
        )
        istanbul = self.ensure(
            Tally,
            {"uuid": stable_uuid("tally", "2025-07-28-istanbul-2")},
            {
                **statement,
                "scope": Tally.Scope.AGREEMENT,
                "agreement": agreements["istanbul-2"],
                "exchanges": None,
                "exchanges_precision": Precision.UNKNOWN,
                "returned": 1000,
                "returned_precision": Precision.OVER,
                "notes_en": (
                    "Classified as a separate, unscheduled case, not part of the scheduled "
                    "tally; final figures to be announced later."
                ),
                "notes_uk": (
                    "Виокремлено в окремий, позаплановий випадок, що не входить до "
                    "планового підрахунку; остаточні цифри оголосять пізніше."
                ),
            },
            m2m={"stated_by_roles": roles},
        )
        self.ensure(
            Quote,
            {"uuid": stable_uuid("quote", "yusov-2025-07-28")},
            {
                "text": QUOTE_TEXT,
                "language": Quote.Language.ENGLISH,
                "speaker": yusov,
                "context_en": CONTEXT_EN,
                "context_uk": CONTEXT_UK,
                "outlet": outlet,
                "said_on": ARTICLE_DATE,
                "agreement": agreements["istanbul-2"],
                "tally": istanbul,
                "source_name_en": ARTICLE_SOURCE,
                "source_name_uk": ARTICLE_SOURCE_UK,
                **published_on(ARTICLE_DATE, ARTICLE_TIME),
            },
            m2m={"roles": roles},
        )


def load_seed():
    """Load the reference data; returns (created, kept) record counts."""
    loader = Loader()
    with translation.override("en"), transaction.atomic(), reversion.create_revision():
        # The first version of each record, so later edits keep the old values in history.
        reversion.set_comment("Reference data loaded")
        loader.run()
    return loader.created, loader.kept
