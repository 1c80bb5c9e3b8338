"""
The newsroom's roles as groups, assignable in the admin:

- Reporter: creates and edits drafts, submits them for review.
- Editor: also reviews, publishes, corrects and unpublishes.
- Partner manager: partners and their API keys, nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = ["organisation", "person", "role", "category", "agreement", "exchange", "tally",
           "quote", "quotetranslation"]
PUBLISHABLE = ["organisation", "person", "agreement", "exchange", "tally", "quote"]

ROLES = {
    "Reporter": [f"{action}_{model}" for model in CONTENT for action in ("add", "change", "view")],
    "Editor": [f"{action}_{model}" for model in CONTENT for action in ("add", "change", "view")]
    + [f"publish_{model}" for model in PUBLISHABLE],
    "Partner manager": [
        f"{action}_{model}"
        for model in ("partner", "partnerapikey")
        for action in ("add", "change", "view")
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the roles need them now.
    app_config = apps.get_app_config("exchanges")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="exchanges", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0006_backfill_published_at"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
