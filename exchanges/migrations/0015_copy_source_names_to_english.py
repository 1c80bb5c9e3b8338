"""The source names typed so far become the English ones; Ukrainian ones are to be added."""

from django.db import migrations
from django.db.models import F

MODELS = ["agreement", "exchange", "tally", "quote"]


def copy(apps, schema_editor):
    for name in MODELS:
        apps.get_model("exchanges", name).objects.update(source_name_en=F("source_name"))


def back(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("exchanges", name)
        model.objects.exclude(source_name_en=None).update(source_name=F("source_name_en"))


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0014_translate_source_names")]

    operations = [migrations.RunPython(copy, back)]
