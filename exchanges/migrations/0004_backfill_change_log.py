"""Records published before the change log existed enter it as created, oldest first."""

from django.db import migrations

KINDS = ["organisation", "person", "agreement", "exchange", "tally", "quote"]


def backfill(apps, schema_editor):
    Change = apps.get_model("exchanges", "Change")
    entries = []
    for kind in KINDS:
        model = apps.get_model("exchanges", kind)
        for uuid, updated_at in model.objects.filter(status="published").values_list(
            "uuid", "updated_at"
        ):
            entries.append(Change(kind=kind, uuid=uuid, action="created", at=updated_at))
    entries.sort(key=lambda entry: entry.at)
    Change.objects.bulk_create(entries)


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0003_add_partners_keys_and_change_log")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
