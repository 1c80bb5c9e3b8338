"""
Figures saved as "at_least" were worded "over 1,000" and meant "over": the
seed's "over a thousand" is one. Now that "at least" is a claim of its own,
they become "over", so every published figure keeps the words it had.
"""

from django.db import migrations

FIGURES = {
    "exchange": ["returned", "handed_over"],
    "tally": ["exchanges", "returned"],
}


def at_least_to_over(apps, schema_editor):
    for model_name, fields in FIGURES.items():
        model = apps.get_model("exchanges", model_name)
        for field in fields:
            precision = f"{field}_precision"
            model.objects.filter(**{precision: "at_least"}).update(**{precision: "over"})


def over_to_at_least(apps, schema_editor):
    for model_name, fields in FIGURES.items():
        model = apps.get_model("exchanges", model_name)
        for field in fields:
            precision = f"{field}_precision"
            model.objects.filter(**{precision: "over"}).update(**{precision: "at_least"})


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0009_add_figure_qualifiers")]

    operations = [migrations.RunPython(at_least_to_over, over_to_at_least)]
