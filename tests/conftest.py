import copy
import importlib
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate

from exchanges.seed import load_seed

# Tests in parallel (pytest-xdist) each get a Redis database of their own: each
# test starts by emptying the cache, which empties the whole database.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER.startswith("gw") and settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
    location = urlsplit(settings.CACHES["default"]["LOCATION"])
    database = int(location.path.strip("/") or 0) + 1 + int(WORKER[2:])
    settings.CACHES["default"]["LOCATION"] = urlunsplit(location._replace(path=f"/{database}"))


def restore_roles(sender, **kwargs):
    """
    The editorial groups come from data migrations; a transactional test's
    flush deletes them. Made again after each flush, as Django remakes
    permissions, so tests that run after one on the same worker still find them.
    """
    if sender.name != "exchanges":
        return
    from django.apps import apps

    roles = importlib.import_module("exchanges.migrations.0007_create_editorial_roles")
    audit = importlib.import_module("exchanges.migrations.0019_add_audit_log")
    roles.create_roles(apps, None)
    audit.let_editors_read(apps, None)


post_migrate.connect(restore_roles, dispatch_uid="tests-restore-roles")

# A "replica" alias mirroring the test database, as Django tests a replica:
# only tests that install the router (test_routers) read from it.
connections.settings["replica"] = copy.deepcopy(connections.settings["default"])
connections.settings["replica"]["TEST"]["MIRROR"] = "default"


@pytest.fixture
def seed(db):
    """The reference data: the 28 July 2025 article and the exchanges CSVs."""
    load_seed()


@pytest.fixture
def partner_key(db):
    """A partner's key, as the partner would hold it."""
    from exchanges.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="Partner outlet")
    _record, key = PartnerAPIKey.objects.create_key(name="sync", partner=partner)
    return key


@pytest.fixture
def api(partner_key):
    """DRF's API client, authenticated as a partner."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")
    return client


@pytest.fixture
def settled(settings):
    """Changes are served the moment they are made (no settling delay) in tests."""
    settings.EXCHANGES_CHANGES_SETTLE_SECONDS = 0


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached, as after a deploy; within it the cache works."""
    from django.core.cache import cache

    from exchanges.caching import local

    cache.clear()
    local.clear()
    yield


# Browser tests drive Debian's Chromium through Playwright, never a downloaded one.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_missing(reason):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; a missing one fails CI (REQUIRE_BROWSER) or skips."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("playwright is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        browser_missing(f"{CHROMIUM} is missing: apt-get install chromium")
    # Playwright's sync API runs an event loop; the database calls are the test's own.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
