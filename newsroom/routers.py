"""
Reading from a replica: with ``DATABASE_REPLICA_URL`` set, the settings install
``ReplicaRouter`` and public reads go to the ``replica`` database; writes, and
every request that may write (the admin, any POST), stay on the primary so an
editor always sees their own save. Without a replica there is no router and
everything is the primary.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_primary_only = ContextVar("primary_only", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _primary_only.get():
            return "default"
        # Inside a transaction on the primary, read what it has written.
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: a record read from one may link to the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PrimaryForWrites:
    """Middleware: requests that may write, and the whole admin, read from the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        primary = request.method not in ("GET", "HEAD", "OPTIONS") or request.path.startswith(
            f"/{getattr(settings, 'ADMIN_URL', 'admin/')}"
        )
        token = _primary_only.set(primary)
        try:
            return self.get_response(request)
        finally:
            _primary_only.reset(token)
