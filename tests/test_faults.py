"""
Outages degrade, and bad input is refused, never a 500. Redis is a server the
test starts and kills mid-test: every door answers from the database. The
database (PostgreSQL) is cut mid-test through a proxy the test holds: partners
get 503 JSON with Retry-After, embeds and feeds their last good copy, pages a
503 page. Both come back without a restart.
"""

import base64
import contextlib
import datetime
import logging
import shutil
import socket
import subprocess
import threading
import time
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from exchanges import caching, outages
from exchanges.api.views import ChangeCursor
from exchanges.caching import local
from exchanges.models import Change, Quote

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
TOTAL = "5,857"  # the seed's official figure: people brought back
ARTICLE = "/articles/pow-exchanges-istanbul-2/"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each outage here is the first: its warning is due."""
    monkeypatch.setattr(caching, "failing", False)
    monkeypatch.setattr(outages, "warned_at", None)


@pytest.fixture
def partner(partner_key):
    return Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")


def doors(partner):
    """Every door of the app, as a reader or a partner uses it, with what it must show."""
    anyone = Client()
    quote = Quote.objects.get().uuid
    return {
        "embed": (anyone, "/embed/totals/?lang=en", TOTAL),
        "embed of a record": (anyone, f"/embed/quote/{quote}/?lang=en", "Yusov"),
        "oembed": (anyone, "/oembed/?url=http://testserver/embed/totals/", "iframe"),
        "summary": (anyone, "/api/v1/summary/?as_of=2025-07-28&lang=en", '"value":5857'),
        "api list": (partner, "/api/v1/tallies/?page_size=200", '"returned":{"value":5857'),
        "api search": (partner, "/api/v1/quotes/?q=exchange", str(quote)),
        "changes": (partner, "/api/v1/changes/?page_size=200", str(quote)),
        "atom": (partner, "/feeds/tallies.atom", TOTAL),
        "json feed": (partner, "/feeds/quotes.json", str(quote)),
    }


def answers(partner):
    """Each door's status, and whether its answer shows what it must."""
    found = {}
    for name, (client, path, shown) in doors(partner).items():
        response = client.get(path)
        text = response.content.decode().replace(" ", "").replace("\n", "")
        found[name] = (response.status_code, shown.replace(" ", "") in text)
    return found


ALL_GOOD = dict.fromkeys(
    [
        "embed",
        "embed of a record",
        "oembed",
        "summary",
        "api list",
        "api search",
        "changes",
        "atom",
        "json feed",
    ],
    (200, True),
)


# The cache down --------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test stops and starts."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def redis(settings):
    """The site's caches on a Redis of the test's own, configured as in production."""
    if not shutil.which(REDIS_SERVER):
        pytest.skip("needs redis-server")
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "faults",
            "OPTIONS": django_settings.REDIS_CACHE_OPTIONS,
        },
        "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    settings.EXCHANGES_CACHE = "default"
    local.clear()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
        local.clear()


def kept_answers():
    return caches["default"].keys("exchanges:*")


def test_with_redis_killed_every_door_answers_from_the_database(
    seed, partner, redis, settled, caplog
):
    assert answers(partner) == ALL_GOOD
    assert kept_answers() and client_readiness() == (200, {"database": "ok", "cache": "ok"})

    redis.stop()
    local.clear()  # nothing kept in the process either: every answer is built again
    with caplog.at_level(logging.WARNING):
        assert answers(partner) == ALL_GOOD
        assert answers(partner) == ALL_GOOD
    warnings = [r for r in caplog.records if r.name == "exchanges.caching"]
    assert [r.levelname for r in warnings] == ["WARNING"], "one warning for the outage"
    assert "The cache is not answering" in warnings[0].getMessage()
    assert client_readiness() == (503, {"database": "ok", "cache": "unavailable"})

    redis.start()  # empty, as after a restart
    local.clear()
    assert not kept_answers()
    assert answers(partner) == ALL_GOOD
    assert kept_answers()
    assert client_readiness() == (200, {"database": "ok", "cache": "ok"})
    # Cached again: a warm embed asks the database nothing at all.
    local.clear()
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/embed/totals/?lang=en").status_code == 200
    assert len(queries) == 0, [q["sql"][:120] for q in queries.captured_queries]


def test_with_redis_killed_quotas_fail_open(seed, partner, redis, settings):
    settings.EXCHANGES_API_RATE = "2/hour"
    settings.EXCHANGES_PUBLIC_RATE = "2/minute"
    for _ in range(2):
        assert partner.get("/api/v1/tallies/").status_code == 200
        assert Client().get("/api/v1/summary/").status_code == 200
    assert partner.get("/api/v1/tallies/").status_code == 429
    assert Client().get("/api/v1/summary/").status_code == 429
    redis.stop()
    for _ in range(3):
        assert partner.get("/api/v1/tallies/").status_code == 200
        assert Client().get("/api/v1/summary/").status_code == 200


def client_readiness():
    response = Client().get("/readyz")
    assert response["Cache-Control"] == "no-store"
    return response.status_code, response.json()


# The public rate limit -----------------------------------------------------------


def test_embeds_oembed_and_summary_are_limited_per_client_address(seed, settings):
    settings.EXCHANGES_PUBLIC_RATE = "3/minute"
    paths = ["/embed/totals/", "/oembed/?url=http://testserver/embed/totals/", "/api/v1/summary/"]
    reader, other = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    # Counted before the cache answers: warm answers are no way around it.
    assert [reader.get(path).status_code for path in paths] == [200, 200, 200]
    refused = [reader.get(path) for path in paths]
    assert [response.status_code for response in refused] == [429, 429, 429]
    for response in refused:
        assert 1 <= int(response["Retry-After"]) <= 60
        assert response["Cache-Control"] == "no-store"
    assert refused[0]["Content-Type"].startswith("text/plain")
    assert "Too many requests" in refused[1].json()["detail"]
    assert other.get(paths[0]).status_code == 200
    # Partners' doors have their own quota, per key.
    assert reader.get("/api/v1/tallies/").status_code == 401


def test_behind_proxies_the_address_is_the_one_the_outermost_saw(seed, settings):
    settings.EXCHANGES_PUBLIC_RATE = "1/minute"
    settings.EXCHANGES_PROXY_COUNT = 1
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy)
    second = Client(HTTP_X_FORWARDED_FOR="198.51.100.8", **via_proxy)
    assert first.get("/embed/totals/").status_code == 200
    assert second.get("/embed/totals/").status_code == 200
    assert first.get("/embed/totals/").status_code == 429


# Bad input -----------------------------------------------------------------------


def cursor(at, issued):
    return ChangeCursor.encode(at, 1, issued)


def far_offset(moment, hours, minutes):
    sign = 1 if hours >= 0 else -1
    zone = datetime.timezone(sign * datetime.timedelta(hours=abs(hours), minutes=minutes))
    return moment.astimezone(zone)


def page_cursor(position):
    return base64.b64encode(f"p={position}".encode()).decode()


KEYED = object()  # the partner's key in the Authorization header
# Page cursors' positions, in the updated_at order: an offset PostgreSQL refuses,
# and a moment before the first day of the calendar in UTC.
LATE = page_cursor("2100-01-01 00:00:00-23:59")
EDGE = page_cursor("0001-01-01 00:00:00+23:59")

BAD = [
    # (path, query, headers, status, where the body says it is)
    ("/embed/agreement/%00/", {}, {}, 400, "address"),
    ("/embed/agreement/%0A/", {}, {}, 400, "address"),
    ("/embed/totals/", {"as_of": "\x00"}, {}, 400, "as_of"),
    ("/embed/totals/", {"lang": "en\x00"}, {}, 400, "lang"),
    ("/embed/totals/?lang=%ff", {}, {}, 400, "lang"),
    ("/embed/totals/", {"as_of": "0000-01-01"}, {}, 400, "date"),
    ("/embed/totals/", {"as_of": "99999-01-01"}, {}, 400, "date"),
    ("/embed/agreement/%ff/", {}, {}, 404, None),
    ("/oembed/", {"url": "http://testserver/embed/agreement/\x00/"}, {}, 400, "url"),
    ("/oembed/", {"url": "http://testserver/embed/agreement/%00/"}, {}, 404, None),
    ("/oembed/", {"url": "http://testserver/embed/totals/", "maxwidth": "9" * 5000}, {}, 200, None),
    ("/api/v1/summary/", {"as_of": "0000-01-01"}, {}, 400, "as_of"),
    ("/api/v1/summary/", {"lang": "\x00"}, {}, 400, "lang"),
    ("/api/v1/summary/?as_of=%ff%fe", {}, {}, 400, "as_of"),
    ("/feeds/exchanges.atom", {"key": "\x00"}, {}, 400, "key"),
    ("/feeds/exchanges.atom", {"lang": "\x00"}, KEYED, 400, "lang"),
    ("/feeds/exchanges.atom", {}, {"HTTP_AUTHORIZATION": "Api-Key \x00abc"}, 400, "Authorization"),
    ("/api/v1/exchanges/", {}, {"HTTP_AUTHORIZATION": "Api-Key a\x00.b"}, 400, "Authorization"),
    ("/api/v1/exchanges/", {"q": "exchange\x00"}, KEYED, 400, "q"),
    ("/api/v1/exchanges/", {"q": "x" * 10_000}, KEYED, 400, "q"),
    ("/api/v1/exchanges/?q=%c3%28", {}, KEYED, 400, "q"),
    ("/api/v1/exchanges/?%ff=1", {}, KEYED, 400, "\ufffd"),
    ("/api/v1/exchanges/", {"category": "\x00"}, KEYED, 400, "category"),
    ("/api/v1/exchanges/%00/", {}, KEYED, 400, "address"),
    ("/api/v1/exchanges/", {"date_after": "0000-01-01"}, KEYED, 400, "date_after"),
    ("/api/v1/exchanges/", {"date_before": "99999-12-31"}, KEYED, 400, "date_before"),
    ("/api/v1/tallies/", {"updated_since": "2025-01-01T00:00:00+99:00"}, KEYED, 400, "updated"),
    ("/api/v1/tallies/", {"updated_since": "9999-12-31T23:59:59-23:59"}, KEYED, 400, "updated"),
    ("/api/v1/tallies/", {"updated_since": "2025-01-01T00:00:00-23:59"}, KEYED, 200, None),
    ("/api/v1/tallies/", {"page_size": "9" * 30}, KEYED, 200, None),
    ("/api/v1/tallies/", {"page_size": "-1"}, KEYED, 400, "page_size"),
    ("/api/v1/tallies/", {"page_size": "1e309"}, KEYED, 400, "page_size"),
    ("/api/v1/tallies/", {"ordering": "-updated_at", "cursor": LATE}, KEYED, 200, None),
    ("/api/v1/tallies/", {"ordering": "-updated_at", "cursor": EDGE}, KEYED, 404, None),
    ("/api/v1/people/", {"cursor": page_cursor("\x00")}, KEYED, 404, None),
    ("/api/v1/changes/", {"since": "\x00"}, KEYED, 400, "since"),
    ("/api/v1/changes/", {"since": "%%%"}, KEYED, 410, None),
]


def test_bad_input_is_refused_never_a_500(seed, partner_key):
    """Each row of ``BAD``, on one seed: every status and body that differs, at once."""
    wrong = []
    for path, query, headers, status, named in BAD:
        if headers is KEYED:
            headers = {"HTTP_AUTHORIZATION": f"Api-Key {partner_key}"}
        response = Client().get(path, query, **headers)
        body = response.content.decode()
        json_expected = status == 400 and not path.startswith("/embed/")
        if (
            response.status_code != status
            or (named and named not in body)
            or (json_expected and response["Content-Type"] != "application/json")
        ):
            wrong.append(f"{path} {query!r}: {response.status_code} {body[:200]}")
    assert not wrong, "\n".join(wrong)


# Any text at all, and the values that broke doors before.
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.sampled_from(["\x00", "%00", "\x1b", "0000-01-01", "2025-01-01T00:00:00-23:59", "9" * 30]),
)


def test_no_text_in_a_reader_s_or_a_feed_s_parameters_is_a_500(seed, partner_key):
    """The doors schemathesis does not reach (tests/test_contract.py covers the API)."""
    anyone, partner = Client(), Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")

    @hypothesis_settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(kind=st.sampled_from(["totals", "agreement", "quote"]), key=ANY_TEXT, value=ANY_TEXT)
    def check(kind, key, value):
        path = f"/embed/{kind}/{quote(key, safe='')}/" if key else f"/embed/{kind}/"
        url = f"http://testserver{path}?as_of={quote(value)}&lang={quote(value)}"
        answers = [
            anyone.get(path, {"as_of": value, "lang": value}),
            anyone.get("/oembed/", {"url": url, "maxwidth": value}),
            anyone.get("/api/v1/summary/", {"as_of": value, "lang": value}),
            partner.get("/feeds/quotes.atom", {"lang": value}),
            anyone.get("/feeds/quotes.atom", {"key": value}),
        ]
        assert all(response.status_code < 500 for response in answers)

    with override_settings(EXCHANGES_PUBLIC_RATE=None, EXCHANGES_API_RATE="100000/hour"):
        check()


@pytest.mark.parametrize(
    ("at", "issued"),
    [
        # −23:59 and +23:59: ISO 8601 allows them, PostgreSQL does not: read in UTC.
        (lambda now: far_offset(now, -23, 59), lambda now: far_offset(now, -23, 59)),
        (lambda now: far_offset(now, 23, 59), lambda now: far_offset(now, 23, 59)),
    ],
)
def test_a_changes_cursor_with_an_extreme_offset_is_read_in_utc(seed, partner, settled, at, issued):
    now = timezone.now()
    before = Change.objects.order_by("at").first().at - datetime.timedelta(seconds=1)
    response = partner.get("/api/v1/changes/", {"since": cursor(at(before), issued(now))})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(Change.objects.count(), 50)
    # At the very edge of the calendar it is no position at all: resync.
    edge = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=23)))
    assert partner.get("/api/v1/changes/", {"since": cursor(edge, now)}).status_code == 410


# The database down ---------------------------------------------------------------


class Proxy:
    """A TCP proxy (threads) between Django and PostgreSQL that the test cuts and restores."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self.sockets = []
        self.lock = threading.Lock()
        self.open()

    def open(self):
        self.listening = True
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.05)
        self.acceptor = threading.Thread(target=self.accept, args=(listener,), daemon=True)
        self.acceptor.start()

    def accept(self, listener):
        while self.listening:
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(source, target), daemon=True).start()
        listener.close()

    def pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self):
        """As a database that went away: open connections break, new ones are refused."""
        self.listening = False
        self.acceptor.join()  # it closes the listening socket as it leaves
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        # The port refuses connections now.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()

    def restore(self):
        self.open()


@pytest.fixture
def database(settings):
    """The test's connection to PostgreSQL goes through a proxy the test holds."""
    if connection.vendor != "postgresql":
        pytest.skip("cuts a PostgreSQL connection; SQLite is a file, it cannot go away")
    config = connection.settings_dict
    host, port = config["HOST"] or "127.0.0.1", config["PORT"]
    if host.startswith("/"):
        pytest.skip("PostgreSQL over a Unix socket: no port to put a proxy on")
    # The version comes from the database on every request, as with one server.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    settings.EXCHANGES_CACHE = "default"
    proxy = Proxy((host, int(port or 5432)))
    connection.close()
    config["HOST"], config["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield proxy
    finally:
        config["HOST"], config["PORT"] = host, port
        connection.close()
        if proxy.listening:
            proxy.cut()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_cut_partners_get_503_and_readers_the_last_good_copy(
    seed, partner, database, settled, caplog
):
    reader = Client()
    pages = Client(raise_request_exception=False)
    partner_doors = [
        "/api/v1/tallies/",
        "/api/v1/changes/",
        "/api/v1/summary/?lang=en",
        "/oembed/?url=http://testserver/embed/totals/",
    ]
    warm_embed = reader.get("/embed/totals/?lang=en")
    warm_feed = partner.get("/feeds/tallies.atom")
    assert warm_embed.status_code == warm_feed.status_code == 200
    assert pages.get(ARTICLE).status_code == 200
    assert all(partner.get(path).status_code == 200 for path in partner_doors)

    database.cut()
    with caplog.at_level(logging.WARNING):
        for path in partner_doors:
            response = partner.get(path)
            assert response.status_code == 503, path
            assert response["Retry-After"] == "30" and response["Cache-Control"] == "no-store"
            assert "try again" in response.json()["detail"]
        # Embeds and feeds: their last good answer, not marked current (no validators).
        stale_embed = reader.get("/embed/totals/?lang=en")
        assert stale_embed.status_code == 200 and stale_embed.content == warm_embed.content
        assert TOTAL in stale_embed.text and "ETag" not in stale_embed
        assert stale_embed["Content-Security-Policy"] == warm_embed["Content-Security-Policy"]
        stale_feed = partner.get("/feeds/tallies.atom")
        assert stale_feed.status_code == 200 and stale_feed.content == warm_feed.content
        # None kept for this one, and no key can be checked for a stranger: short 503s.
        cold = reader.get("/embed/timeline/")
        assert cold.status_code == 503 and cold["Retry-After"] == "30"
        assert "cannot be shown just now" in cold.text
        assert "X-Frame-Options" not in cold
        stranger = Client(HTTP_AUTHORIZATION="Api-Key not.known")
        assert stranger.get("/feeds/tallies.atom").status_code == 503
        # Pages: a short 503 page.
        page = pages.get(ARTICLE)
        assert page.status_code == 503 and page["Retry-After"] == "30"
        assert "Back in a moment" in page.text
        assert client_readiness() == (503, {"database": "unavailable", "cache": "ok"})
        assert Client().get("/healthz").status_code == 200
    assert "The database is not answering" in caplog.text

    database.restore()  # no restart: the broken connection was dropped
    assert all(partner.get(path).status_code == 200 for path in partner_doors)
    fresh = reader.get("/embed/totals/?lang=en")
    assert fresh.status_code == 200 and fresh["ETag"]
    assert reader.get("/embed/timeline/").status_code == 200
    assert pages.get(ARTICLE).status_code == 200
    assert client_readiness() == (200, {"database": "ok", "cache": "ok"})
