"""
Keeping the change log: every save or delete of a public record moves the
record's entry to the end of the log (see ``Change``), and so does every
change to what its public JSON shows of other records (a mediator's name, an
agreement's stages, a speaker's roles), so a partner's copy never goes stale.

Wired to model signals in ``ExchangesConfig.ready`` so that every way of
saving (admin, seed, shell) is logged. Each handler runs in a transaction: its
entries land with the save, and its reads go to the primary database, never
to a replica that may lag behind the write. ``QuerySet.update()`` sends no signals:
code that bulk-updates records must call ``log_change`` itself.

Loading a fixture or an archive (``loaddata``, ``import_archive``) writes
nothing here: the log and the versions come with the data, exactly as they were.
"""

from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .caching import data_changed, purge_keys
from .commits import once_on_commit
from .models import (
    Agreement,
    Category,
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


def dated(record):
    """
    The record's own date for the log, the earlier if this save moved it, so
    a box pinned between the two dates hears of the move.
    """
    field = getattr(type(record), "dated_by", None)
    dates = [getattr(record, field, None), getattr(record, "_was_dated", None)] if field else []
    dates = [date for date in dates if date is not None]
    return min(dates) if dates else None


def log_change(record, deleted=False, later=None):
    """
    Move ``record``'s entry to the end of the log, as created, updated or a
    tombstone. ``later``: a moment when its public JSON changes again with no
    save (a related record's embargo lifts); it gets an entry then as well, and
    keeps the one it has now.
    """
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
    if known and not held and not deleted and not record.is_public and not record.is_scheduled:
        # Still withdrawn: work on it stays private, its tombstone stays put.
        return
    entries = []
    if deleted:
        entries = [(Change.Action.DELETED, now)] if known else []
    elif record.is_public:
        entries = [(Change.Action.UPDATED if held else Change.Action.CREATED, now)]
        if later and later > now:
            entries.append((Change.Action.UPDATED, later))
    elif record.is_scheduled:
        # Withdrawn now if partners hold it; theirs again when the embargo lifts.
        entries = [(Change.Action.UNPUBLISHED, now)] if held else []
        entries.append((Change.Action.CREATED, max(record.published_at, later or now)))
    elif known:
        # A draft partners never saw leaves no trace, not even its UUID.
        entries = [(Change.Action.UNPUBLISHED, now)]
    if record.is_public and not deleted:
        # Changes still to come when a part's embargo lifts stay in the log.
        pending = Change.objects.filter(
            kind=kind, uuid=record.uuid, action=Change.Action.UPDATED, at__gt=now
        ).values_list("at", flat=True)
        entries += [(Change.Action.UPDATED, at) for at in pending if at != later]
    removed, _by_model = Change.objects.filter(kind=kind, uuid=record.uuid).delete()
    day = dated(record)
    written = Change.objects.bulk_create(
        Change(kind=kind, uuid=record.uuid, action=action, at=when, dated=day)
        for action, when in entries
    )
    if removed or written:
        # Cached answers built from the old data are not used again.
        data_changed([*purge_keys(day), f"{kind}-{record.uuid}"])
    # Dated when the transaction commits, not when it began writing: a long
    # transaction cannot slip an entry in behind a cursor a partner already holds.
    now_entries = [entry.pk for entry in written if entry.at == now and entry.pk]
    if now_entries:
        once_on_commit("date-changes", now_entries, date_on_commit)


def date_on_commit(pks):
    """
    Date the entries written at their save's time with the commit's. Entries
    dated ahead (an embargo, an update still to come) keep their time; in
    batches, as SQLite bounds the parameters of one query.
    """
    now = timezone.now()
    for start in range(0, len(pks), 500):
        Change.objects.filter(pk__in=pks[start : start + 500], at__lte=now).update(at=now)


def dependents(record):
    """The records whose public JSON shows something of ``record``."""
    if isinstance(record, Organisation):
        return [
            *Exchange.objects.filter(mediators=record),
            *Agreement.objects.filter(parties=record),
            *Person.objects.filter(Q(photo_credit=record) | Q(roles__organisation=record)),
            *Quote.objects.filter(Q(outlet=record) | Q(roles__organisation=record)),
            *Tally.objects.filter(Q(outlet=record) | Q(stated_by_roles__organisation=record)),
        ]
    if isinstance(record, Person):
        return [*Quote.objects.filter(speaker=record), *Tally.objects.filter(stated_by=record)]
    if isinstance(record, Agreement):
        return [
            *Exchange.objects.filter(agreement=record),
            *Tally.objects.filter(agreement=record),
            *Quote.objects.filter(agreement=record),
        ]
    if isinstance(record, Exchange):
        return [
            *Agreement.objects.filter(exchanges=record),
            *Quote.objects.filter(exchange=record),
        ]
    if isinstance(record, Tally):
        return list(Quote.objects.filter(tally=record))
    if isinstance(record, Category):
        return [
            *Exchange.objects.filter(categories=record),
            *Agreement.objects.filter(categories=record),
        ]
    if isinstance(record, Role):
        return [
            record.person,
            *record.quotes.all(),
            *Tally.objects.filter(stated_by_roles=record),
        ]
    if isinstance(record, QuoteTranslation):
        return [record.quote]
    return []


def log_dependents(records, later=None):
    seen = set()
    for record in records:
        if (kind_of(record), record.pk) not in seen:
            seen.add((kind_of(record), record.pk))
            log_change(record, later=later)


def touch(records):
    """
    Something the records show changed: their public version and update time
    move with it, so ``updated_since``, ninjs and the feeds see the change.
    (A part's embargo lifting changes them again with no write: ``changes/``
    has an entry for that moment; see ``log_change``.)
    """
    now = timezone.now()
    for model in {type(record) for record in records}:
        pks = {record.pk for record in records if type(record) is model}
        model.objects.filter(pk__in=pks).update(version=F("version") + 1, updated_at=now)


def seen_by_others(instance):
    """
    Whether other records' public JSON shows (or showed) this one: parts
    without a workflow always, records when public before or after the save,
    or scheduled to be.
    """
    if not isinstance(instance, LOGGED):
        return True
    return instance.is_public or instance.is_scheduled or getattr(instance, "_was_public", False)


def loaded(instance):
    """
    Whether ``instance`` was last saved as stored data (``raw``), by a fixture or
    archive load. Django sends ``m2m_changed`` without the flag, but a load sets
    an object's links on the very instance it has just saved raw.
    """
    return getattr(instance, "_loaded_raw", False)


@transaction.atomic
def record_saving(sender, instance, raw=False, **kwargs):
    instance._loaded_raw = raw
    if raw or not isinstance(instance, LOGGED) or instance._state.adding:
        return
    before = type(instance).objects.filter(pk=instance.pk)
    instance._was_public = before.public().exists()
    if instance.dated_by:
        instance._was_dated = before.values_list(instance.dated_by, flat=True).first()


@transaction.atomic
def record_saved(sender, instance, raw=False, **kwargs):
    # Links set right after this save (the admin, the seed, a revert) belong to it.
    instance._saved_with_links = True
    if raw:
        return
    if isinstance(instance, LOGGED):
        log_change(instance)
    related = dependents(instance)
    scheduled = getattr(instance, "is_scheduled", False)
    if seen_by_others(instance):
        touch(related)
    # Partners hear of it now and, for a part under embargo, again when it lifts;
    # an embargo never holds back another record's change.
    log_dependents(related, later=instance.published_at if scheduled else None)


@transaction.atomic
def record_deleting(sender, instance, **kwargs):
    # Collected before deletion: afterwards the links are gone.
    instance._dependents = dependents(instance)


@transaction.atomic
def record_deleted(sender, instance, **kwargs):
    if isinstance(instance, LOGGED):
        log_change(instance, deleted=True)
    related = [record for record in getattr(instance, "_dependents", []) if record.pk]
    if not isinstance(instance, LOGGED) or instance.is_public:
        touch(related)
    log_dependents(related)


@transaction.atomic
def relations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Many-to-many links changed, from either side."""
    if loaded(instance):
        return
    if not reverse:
        # Its own links (an exchange's mediators): what it shows changed. Set
        # along with a save, they belong to that save's version.
        if action in ("post_add", "post_remove", "post_clear"):
            if not getattr(instance, "_saved_with_links", False):
                touch([instance])
            log_change(instance)
        return
    if action == "pre_clear":
        instance._cleared = list(model.objects.filter(**{sender_field(sender, model): instance}))
    elif action in ("post_add", "post_remove"):
        records = list(model.objects.filter(pk__in=pk_set))
        touch(records)
        log_dependents(records)
    elif action == "post_clear":
        records = getattr(instance, "_cleared", [])
        touch(records)
        log_dependents(records)


def sender_field(through, model):
    """The many-to-many field on ``model`` whose table is ``through``."""
    field = next(f for f in model._meta.many_to_many if f.remote_field.through is through)
    return field.name


def connect():
    for model in (*LOGGED, Category, Role, QuoteTranslation):
        name = model.__name__
        pre_save.connect(record_saving, sender=model, dispatch_uid=f"log-pre-{name}")
        post_save.connect(record_saved, sender=model, dispatch_uid=f"log-{name}")
        pre_delete.connect(record_deleting, sender=model, dispatch_uid=f"log-pre-del-{name}")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"log-del-{name}")
    for model in LOGGED:
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                relations_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"log-m2m-{model.__name__}-{field.name}",
            )
