"""
Every change of every record, kept by django-reversion: who, when, what.

Reverting restores content, never the workflow: ``restorable`` gives the form an
earlier version's values over the record as it is now, so saving them is an
edit like any other (same status, permissions and correction rule), and the
version number only ever goes up.
"""

import reversion
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignKey, ManyToManyField
from django.utils.translation import gettext as _
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


def same(old, new):
    """Equal for an editor: an empty text and no text are the same."""
    return old == new or (old in (None, "") and new in (None, ""))


def keep_counting(record):
    """Before saving: the version counts on from the highest ever saved (a recovery)."""
    latest = Version.objects.get_for_object(record).first()
    if latest is not None:
        record.version = max(record.version, latest.field_dict.get("version") or 0)


def restorable(version, names):
    """
    An earlier version's values for the form fields ``names``, as a form's
    initial data: content only, never the workflow or bookkeeping.
    """
    model = version._model
    saved = version.field_dict
    values = {}
    for name in names:
        if name in WORKFLOW or name in NOT_SHOWN:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a form-only field, such as the correction note
        key = field.attname if field.attname in saved else field.name
        if key in saved:
            values[name] = saved[key]
    return values


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
            if name in NOT_SHOWN or same(before.get(name), value) or not before and not value:
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


def changes_since(record, version):
    """Who saved ``record`` after its ``version``, and the labels of what they changed."""
    versions = list(Version.objects.get_for_object(record).select_related("revision__user"))
    newer = [v for v in versions if (v.field_dict.get("version") or 0) > version]
    base = next((v for v in versions if v.field_dict.get("version") == version), None)
    users = {
        v.revision.user.get_full_name() or v.revision.user.get_username()
        for v in newer
        if v.revision.user
    }
    who = ", ".join(sorted(users)) or _("Someone")
    if not newer or base is None:
        return who, _("unknown fields")
    latest, before = newer[0].field_dict, base.field_dict
    model = type(record)
    labels = [
        str(model._meta.get_field(name).verbose_name)
        for name, value in latest.items()
        if name not in NOT_SHOWN
        and not same(before.get(name), value)
        and f"{name}_en" not in latest
    ]
    return who, ", ".join(labels) or _("no visible fields")
