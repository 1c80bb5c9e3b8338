"""
Every change of every record, kept by django-reversion: who, when, what.

Reverting restores content, not the workflow: ``keep_workflow`` puts back the
record's latest status, and its version number only ever goes up.
"""

import reversion
from django.apps import apps
from django.db.models import ForeignKey, ManyToManyField
from reversion.models import Version

# Bookkeeping that a reader of the history need not see.
NOT_SHOWN = ["version", "created_at", "updated_at"]
WORKFLOW = ["status", "published_at", "status_changed_by", "status_changed_at"]
# Records and the parts edited with them (inlines).
FOLLOW = {
    "organisation": [],
    "person": ["roles"],
    "agreement": ["exchanges"],
    "exchange": [],
    "tally": [],
    "quote": ["translations"],
}
PARTS = ["role", "quotetranslation", "category"]


def register():
    for name in PARTS:
        model = apps.get_model("exchanges", name)
        if not reversion.is_registered(model):
            reversion.register(model)
    for name, follow in FOLLOW.items():
        model = apps.get_model("exchanges", name)
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)


def keep_workflow(record, reverting):
    """
    Before saving: the version counts on from the highest ever saved, and a
    revert or recovery keeps the workflow state the record last had.
    """
    latest = Version.objects.get_for_object(record).first()
    if latest is None:
        return
    saved = latest.field_dict
    record.version = max(record.version, saved.get("version") or 0)
    if reverting:
        for name in WORKFLOW:
            field = type(record)._meta.get_field(name)
            setattr(record, field.attname, saved.get(name))


def shown(model, field, value):
    """A stored value as an editor reads it: names for links, labels for choices."""
    if value in (None, "", []):
        return "—"
    if isinstance(field, ForeignKey):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    if isinstance(field, ManyToManyField):
        related = field.related_model._default_manager.filter(pk__in=value)
        return "; ".join(str(item) for item in related) or "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def diffs(record):
    """Each saved version of ``record``, newest first, with what it changed."""
    model = type(record)
    versions = list(Version.objects.get_for_object(record).select_related("revision__user"))
    versions.reverse()  # oldest first, to compare each with the one before
    history, before = [], {}
    for version in versions:
        after = version.field_dict
        changes = []
        for name, value in after.items():
            if name in NOT_SHOWN or before.get(name) == value or not before and not value:
                continue
            if f"{name}_en" in after:
                continue  # modeltranslation's mirror of the English field
            field = model._meta.get_field(name)
            changes.append(
                {
                    "field": str(field.verbose_name),
                    "old": shown(model, field, before.get(name)) if before else "—",
                    "new": shown(model, field, value),
                }
            )
        history.append({"version": version, "changes": changes})
        before = after
    history.reverse()
    return history
