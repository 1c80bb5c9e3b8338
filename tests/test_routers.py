"""The replica router: public reads from the replica, writes and the admin on the primary."""

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exchanges.caching import data_version
from exchanges.models import Exchange

from .factories import ExchangeFactory


@pytest.fixture
def replica(settings):
    """
    The router switched on, with the test database's mirror (tests/conftest.py)
    as the replica: a second, real connection.
    """
    settings.DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
    yield connections["replica"]


def queries_on(alias):
    return CaptureQueriesContext(connections[alias])


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reads_go_to_the_replica_and_writes_to_the_primary(replica, admin_user):
    with queries_on("replica") as on_replica:
        exchange = ExchangeFactory(returned=12)
    assert exchange._state.db == "default" and len(on_replica) == 0

    with queries_on("replica") as on_replica, queries_on("default") as on_primary:
        found = Exchange.objects.get(pk=exchange.pk)
    assert found._state.db == "replica" and found.returned == 12
    assert len(on_replica) == 1 and len(on_primary) == 0

    # The data version comes from where the data does, never ahead of it.
    with queries_on("replica") as on_replica:
        data_version()
    assert "exchanges_change" in on_replica.captured_queries[0]["sql"]

    # Inside a transaction on the primary, reads see what it wrote.
    with transaction.atomic():
        assert Exchange.objects.all().db == "default"

    # A reader's page reads the replica; the admin stays on the primary.
    with queries_on("replica") as on_replica, queries_on("default") as on_primary:
        assert Client().get("/embed/timeline/").status_code == 200
    assert len(on_replica) > 0 and len(on_primary) == 0
    admin = Client()
    admin.force_login(admin_user)
    with queries_on("replica") as on_replica:
        assert admin.get("/admin/exchanges/exchange/").status_code == 200
    assert len(on_replica) == 0


def test_without_a_replica_everything_is_the_primary(db):
    assert Exchange.objects.all().db == "default"
