"""
Keeping the change log: every save or delete of a public record moves the
record's entry to the end of the log (see ``Change``).

Wired to model signals in ``ExchangesConfig.ready`` so that every way of
saving (admin, seed, shell) is logged. ``QuerySet.update()`` sends no signals:
code that bulk-updates records must call ``log_change`` itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    Agreement,
    Change,
    Exchange,
    Organisation,
    Person,
    Quote,
    QuoteTranslation,
    Role,
    Tally,
)

LOGGED = (Agreement, Exchange, Organisation, Person, Quote, Tally)
KINDS = {model._meta.model_name: model for model in LOGGED}


def kind_of(record):
    return type(record)._meta.model_name


def log_change(record, deleted=False):
    """Move ``record``'s entry to the end of the log, as created, updated or a tombstone."""
    kind = kind_of(record)
    now = timezone.now()
    earlier = (
        Change.objects.visible(now)
        .filter(kind=kind, uuid=record.uuid)
        .order_by("-at", "-id")
        .first()
    )
    # Partners may hold the record, or its tombstone, once it has an entry.
    known = earlier is not None
    held = known and not earlier.is_tombstone
    entries = []
    if deleted:
        entries = [(Change.Action.DELETED, now)] if known else []
    elif record.is_public:
        entries = [(Change.Action.UPDATED if held else Change.Action.CREATED, now)]
    elif record.is_scheduled:
        # Withdrawn now if partners hold it; theirs again when the embargo lifts.
        entries = [(Change.Action.UNPUBLISHED, now)] if held else []
        entries.append((Change.Action.CREATED, record.published_at))
    elif known:
        # A draft partners never saw leaves no trace, not even its UUID.
        entries = [(Change.Action.UNPUBLISHED, now)]
    Change.objects.filter(kind=kind, uuid=record.uuid).delete()
    Change.objects.bulk_create(
        Change(kind=kind, uuid=record.uuid, action=action, at=at) for action, at in entries
    )


def record_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        log_change(instance)


def record_deleted(sender, instance, **kwargs):
    log_change(instance, deleted=True)


def part_saved(sender, instance, raw=False, **kwargs):
    """A role or a translation is part of what partners get for a person, quote or tally."""
    if raw:
        return
    if isinstance(instance, QuoteTranslation):
        owners = [instance.quote]
    else:
        owners = [
            instance.person,
            *instance.quotes.all(),
            *Tally.objects.filter(stated_by_roles=instance),
        ]
    for owner in owners:
        log_change(owner)


def relations_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        log_change(instance)


def connect():
    for model in LOGGED:
        post_save.connect(record_saved, sender=model, dispatch_uid=f"log-{model.__name__}")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"log-del-{model.__name__}")
    for model in (Role, QuoteTranslation):
        post_save.connect(part_saved, sender=model, dispatch_uid=f"log-part-{model.__name__}")
        post_delete.connect(part_saved, sender=model, dispatch_uid=f"log-part-del-{model.__name__}")
    for model in LOGGED:
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                relations_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"log-m2m-{model.__name__}-{field.name}",
            )
