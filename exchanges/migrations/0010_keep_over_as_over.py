"""
Figures saved as "at_least" were worded "over 1,000" and meant "over": the
seed's "over a thousand" is one. Now that "at least" is a claim of its own,
they become "over", so every published figure keeps the words it had.

The precision partners hold changes too, so each record moved gets a new
version and moves to the end of the change log, as any edit would.
"""

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone

FIGURES = {
    "exchange": ["returned", "handed_over"],
    "tally": ["exchanges", "returned"],
}


def rename(apps, old, new):
    Change = apps.get_model("exchanges", "Change")
    now = timezone.now()
    for model_name, fields in FIGURES.items():
        model = apps.get_model("exchanges", model_name)
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}_precision": old})
        moved = list(model.objects.filter(condition).values_list("pk", "uuid"))
        for field in fields:
            precision = f"{field}_precision"
            model.objects.filter(**{precision: old}).update(**{precision: new})
        model.objects.filter(pk__in=[pk for pk, _uuid in moved]).update(
            version=F("version") + 1, updated_at=now
        )
        for _pk, uuid in moved:
            held = Change.objects.filter(kind=model_name, uuid=uuid).exclude(
                action__in=["unpublished", "deleted"]
            )
            if held.exists():
                Change.objects.filter(kind=model_name, uuid=uuid).delete()
                Change.objects.create(kind=model_name, uuid=uuid, action="updated", at=now)


def at_least_to_over(apps, schema_editor):
    rename(apps, "at_least", "over")


def over_to_at_least(apps, schema_editor):
    rename(apps, "over", "at_least")


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0009_add_figure_qualifiers")]

    operations = [migrations.RunPython(at_least_to_over, over_to_at_least)]
