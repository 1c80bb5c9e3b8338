"""
Work to do once a transaction commits, gathered into one callback per transaction.

A save of a public record renews the cache generation, purges surrogate keys
and dates its change-log entries when its transaction commits. Saved one by
one, each save would queue its own callback: an import of 10,000 rows, all in
one transaction, would hold 40,000 of them until the end. Here the saves of a
transaction add their items to one batch, run once on commit.
"""

from django.db import transaction


class Batch:
    """Items gathered for one callback, each once, in order; ``run`` gets them all, once."""

    def __init__(self, run):
        self.run = run
        self.items = {}

    def __call__(self):
        items, self.items = self.items, {}
        if items:
            self.run(list(items))


def once_on_commit(name, items, run, using=None):
    """
    Add ``items`` to the batch ``name`` of the current transaction, and run
    ``run(all items)`` once when it commits (at once outside a transaction).

    A batch whose callback is still queued will run: Django drops a callback
    only when a savepoint it was queued in rolls back, and every savepoint
    still open encloses this call too. Items added by work that is rolled back
    later stay in the batch; callers make them harmless (purging a key too many).
    """
    connection = transaction.get_connection(using)
    batches = connection.__dict__.setdefault("exchanges_batches", {})
    batch = batches.get(name)
    queued = batch is not None and any(
        func is batch for _ids, func, _robust in connection.run_on_commit
    )
    if not queued:
        batch = batches[name] = Batch(run)
    batch.items.update(dict.fromkeys(items))
    if not queued:
        # Robust: a purge receiver that fails (a CDN down) is logged, and the
        # batches after it still run; the data is committed either way.
        transaction.on_commit(batch, using=using, robust=True)
