"""
Backups that restore exactly: everything the exchanges keep, as Django's JSON
Lines fixtures, loaded raw into an empty database in one transaction.

Records keep their primary keys, so the change log's cursors, the cache's data
versions and the history's references to users stay valid; content types,
permissions and groups travel by natural key, as they are numbered differently
in each freshly migrated database. Loading raw writes no change-log entries and
moves no versions (see ``changes.loaded``).
"""

import contextlib
import datetime
import gzip
import os
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from reversion.models import Revision, Version
from tqdm import tqdm

from .caching import data_changed

FORMAT = "jsonl"


class ArchiveError(Exception):
    """The archive cannot be restored here; nothing was written."""


class ExactEncoder(DjangoJSONEncoder):
    """
    Times to the microsecond: Django's encoder keeps milliseconds, and the change
    log's order, its cursors and the cache's data versions need every digit.
    """

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def restored_models():
    """The models whose rows an archive restores with their own primary keys."""
    return [*apps.get_app_config("exchanges").get_models(), Revision, Version]


def users(using):
    """The accounts the data names: who changed a status, corrected, saved a version."""
    user_model = get_user_model()
    pks = set()
    for model in restored_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                pks.update(
                    model._base_manager.using(using)
                    .exclude(**{field.attname: None})
                    .values_list(field.attname, flat=True)
                    .distinct()
                )
    return user_model._base_manager.using(using).filter(pk__in=pks)


def contents(using):
    """(objects, natural primary keys?) in loading order: what a record refers to first."""
    accounts = users(using)
    yield Group.objects.using(using).filter(user__in=accounts).distinct(), True
    yield accounts, False
    for model in restored_models():
        yield model._base_manager.using(using), False


@contextlib.contextmanager
def snapshot(using):
    """One consistent view of the data, however long the export runs while editors work."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def counted(objects, bar):
    """The objects, ticking the progress bar as each is written."""
    for obj in objects:
        yield obj
        bar.update()


def export(stream, progress=False, using=DEFAULT_DB_ALIAS):
    """Write the archive to the text ``stream``; returns how many objects it holds."""
    with snapshot(using):
        parts = []
        for objects, natural in contents(using):
            links = [field.name for field in objects.model._meta.many_to_many]
            parts.append((objects.prefetch_related(*links).order_by("pk"), natural))
        total = sum(objects.count() for objects, _natural in parts)
        with tqdm(total=total, unit=" objects", disable=not progress or None) as bar:
            for objects, natural in parts:
                serializers.serialize(
                    FORMAT,
                    counted(objects.iterator(chunk_size=1000), bar),
                    stream=stream,
                    cls=ExactEncoder,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=natural,
                )
    return total


def held(using=DEFAULT_DB_ALIAS):
    """What the database already holds that a restore would overwrite, as counts by name."""
    counts = {}
    for model in restored_models():
        count = model._base_manager.using(using).count()
        if count:
            name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            counts[str(name)] = count
    return counts


def tables(models):
    """The models' many-to-many tables, then their own."""
    names = []
    for model in models:
        names += [field.remote_field.through._meta.db_table for field in model._meta.many_to_many]
        names.append(model._meta.db_table)
    return names


def flush(using):
    """
    Empty the restored tables, links and history first, without signals, so
    nothing logs the emptying. DELETE rather than the ``flush`` command's
    TRUNCATE: it takes part in the transaction like any write, and never
    cascades into another app's tables.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        for table in tables(reversed(restored_models())):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def kept_here(deserialized, using):
    """
    Whether an archived account or group already stands here as it should: it
    is then left as it is (a password changed or an account deactivated since
    the backup stays so). An archived account never takes over another.
    """
    if isinstance(deserialized.object, Group):
        name = deserialized.object.name
        return Group.objects.using(using).filter(name=name).exists()
    return account_here(deserialized, using)


def account_here(deserialized, using):
    user = deserialized.object
    user_model = type(user)
    name = user.get_username()
    here = user_model._base_manager.using(using).filter(pk=user.pk).first()
    if here is not None and here.get_username() != name:
        raise ArchiveError(
            f"User #{user.pk} is “{here.get_username()}” here but “{name}” in the archive."
        )
    taken = user_model._base_manager.using(using).filter(**{user_model.USERNAME_FIELD: name})
    if taken.exclude(pk=user.pk).exists():
        raise ArchiveError(
            f"The user “{name}” is #{taken.get().pk} here but #{user.pk} in the archive."
        )
    return here is not None


def restore(stream, replace=False, progress=False, using=DEFAULT_DB_ALIAS):
    """
    Load the archive in the text ``stream`` into an empty database (or, with
    ``replace``, over the exchanges and their history, emptied first) in one
    transaction; returns how many objects it held.
    """
    connection = connections[using]
    user_model = get_user_model()
    count, models, deferred = 0, set(), []
    emptied = tuple(restored_models())
    with transaction.atomic(using=using):
        if found := held(using):
            if not replace:
                listed = ", ".join(f"{number} {name}" for name, number in found.items())
                raise ArchiveError(
                    f"The database already holds {listed}. Restore into an empty database, "
                    "or pass --replace to delete them first."
                )
            flush(using)
        with connection.constraint_checks_disabled():
            objects = serializers.deserialize(
                FORMAT, stream, using=using, handle_forward_references=True
            )
            for obj in tqdm(objects, unit=" objects", disable=not progress or None):
                if isinstance(obj.object, user_model | Group) and kept_here(obj, using):
                    continue
                # Into emptied tables: inserted at once, without trying an update first.
                obj.save(using=using, force_insert=isinstance(obj.object, emptied))
                if obj.deferred_fields:
                    deferred.append(obj)
                models.add(type(obj.object))
                count += 1
            for obj in deferred:
                obj.save_deferred_fields(using=using)
        # The checks deferred while loading, made now, inside the transaction.
        connection.check_constraints(table_names=tables(models))
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)
        # Answers cached from the data before are not served again.
        data_changed()
    return count


@contextlib.contextmanager
def opened(path, mode, compressed=None):
    """The archive at ``path`` as a text stream; gzipped if its name ends in .gz."""
    path = Path(path)
    if compressed is None:
        compressed = path.suffix == ".gz"
    opener = gzip.open if compressed else open
    with opener(path, f"{mode}t", encoding="utf-8") as stream:
        yield stream


@contextlib.contextmanager
def written(path):
    """
    A stream that becomes the archive at ``path`` once all of it is written:
    a failed export never leaves a truncated archive that looks whole.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with opened(partial, "w", compressed=path.suffix == ".gz") as stream:
            yield stream
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
