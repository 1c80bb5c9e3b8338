"""
Published statements keep the attribution they were published with: today's
names and role titles, frozen, so later edits of a role no longer rewrite them.
"""

from django.conf import settings
from django.db import migrations

STATEMENTS = {"tally": ("stated_by", "stated_by_roles"), "quote": ("speaker", "roles")}


def full_name(person, lang):
    name, rank = getattr(person, f"name_{lang}"), getattr(person, f"rank_{lang}")
    return (f"{rank} {name}" if rank else name) if name else None


def freeze(apps, schema_editor):
    languages = [code for code, _name in settings.LANGUAGES]
    for model_name, (person_field, roles_field) in STATEMENTS.items():
        model = apps.get_model("exchanges", model_name)
        statements = model.objects.filter(status="published").select_related(person_field)
        for statement in statements.prefetch_related(roles_field):
            person = getattr(statement, person_field)
            if person is None:
                continue
            attribution = {
                "kind": "person",
                "speaker": {code: full_name(person, code) for code in languages},
                "roles": [
                    {"id": role.pk, **{code: getattr(role, f"title_{code}") or None for code in languages}}
                    for role in getattr(statement, roles_field).all()
                ],
            }
            model.objects.filter(pk=statement.pk).update(attribution=attribution)


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0012_add_published_attribution")]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
