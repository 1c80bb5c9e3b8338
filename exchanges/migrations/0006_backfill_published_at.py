"""
Records published before scheduling existed count as published on their own
date (an exchange on its day, a tally on its as-of date), so boxes pinned to a
date keep showing what was known then.
"""

import datetime

from django.db import migrations
from django.utils import timezone

OWN_DATE = {
    "agreement": "concluded_on",
    "exchange": "date",
    "tally": "as_of",
    "quote": "said_on",
}


def backfill(apps, schema_editor):
    for name in ["organisation", "person", "agreement", "exchange", "tally", "quote"]:
        model = apps.get_model("exchanges", name)
        for record in model.objects.filter(status="published", published_at__isnull=True):
            field = OWN_DATE.get(name)
            if field:
                day = getattr(record, field)
                record.published_at = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(12))
                )
            else:
                record.published_at = record.created_at
            record.save(update_fields=["published_at"])


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0005_add_workflow_and_schedule")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
