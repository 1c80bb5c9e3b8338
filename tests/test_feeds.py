"""Atom, RSS 2.0 and JSON Feed for partners' feed readers."""

import json

import feedparser
import pytest
from django.test import Client

from exchanges.models import Exchange, PartnerAPIKey, Quote, Status

from .test_boxes import HOSTILE

pytestmark = pytest.mark.django_db

FEEDS = [
    f"/feeds/{kind}.{fmt}" for kind in ("exchanges", "tallies", "quotes") for fmt in ("atom", "rss")
]


@pytest.fixture
def reader(partner_key):
    return Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")


@pytest.mark.parametrize("path", FEEDS)
def test_feeds_parse_cleanly_with_stable_ids_and_dates(reader, seed, path):
    response = reader.get(path)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.id.startswith("urn:uuid:")
        assert entry.get("published_parsed") or entry.get("updated_parsed")
        assert entry.link.startswith("http://testserver/embed/")
    again = feedparser.parse(reader.get(path).content)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]


def test_feed_items_word_the_figures(reader, seed):
    parsed = feedparser.parse(reader.get("/feeds/tallies.atom").content)
    titles = {entry.title for entry in parsed.entries}
    assert "Official tally as of 28 July 2025: 66 exchanges, 5,857 people returned" in {
        title.replace("\xa0", " ") for title in titles
    }
    uk = feedparser.parse(reader.get("/feeds/tallies.rss?lang=uk").content)
    assert "Офіційний підсумок станом на 28 липня 2025 р.: 66 обмінів, повернуто 5 857 осіб" in {
        entry.title.replace("\xa0", " ") for entry in uk.entries
    }


def test_json_feed_is_json_feed_1_1(reader, seed):
    response = reader.get("/feeds/exchanges.json")
    assert response.headers["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/feeds/exchanges.json"
    assert len(feed["items"]) == 22
    item = feed["items"][0]
    assert set(item) >= {"id", "url", "title", "content_text", "date_published", "date_modified"}
    assert item["id"].startswith("urn:uuid:")


def test_feeds_need_a_key_in_the_header_or_the_query(seed, partner_key):
    anonymous = Client()
    response = anonymous.get("/feeds/exchanges.atom")
    assert response.status_code == 401
    assert "API key is required" in response.json()["detail"]
    assert anonymous.get("/feeds/exchanges.atom", {"key": "nope.nope"}).status_code == 401
    by_query = anonymous.get("/feeds/exchanges.atom", {"key": partner_key})
    assert by_query.status_code == 200
    assert partner_key not in by_query.content.decode()  # the key stays private
    PartnerAPIKey.objects.update(revoked=True)
    assert anonymous.get("/feeds/exchanges.atom", {"key": partner_key}).status_code == 401


def test_feeds_are_throttled_with_the_api(reader, seed, settings):
    from django.core.cache import cache

    settings.EXCHANGES_API_RATE = "2/hour"
    cache.clear()
    assert reader.get("/feeds/exchanges.atom").status_code == 200
    assert reader.get("/feeds/quotes.rss").status_code == 200
    response = reader.get("/feeds/tallies.json")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_unknown_feeds_languages_and_parameters(reader, seed):
    assert reader.get("/feeds/people.atom").status_code == 404
    assert reader.get("/feeds/exchanges.xml").status_code == 404
    response = reader.get("/feeds/exchanges.atom", {"lang": "de"})
    assert response.status_code == 400 and "lang" in response.json()
    response = reader.get("/feeds/exchanges.atom", {"since": "2025-01-01"})
    assert response.status_code == 400
    assert response.json() == {"since": ["Unknown parameter. Use one of: key, lang."]}
    assert reader.get("/feeds/exchanges.atom?lang=").json() == {
        "lang": ["Give a value, or leave the parameter out."]
    }
    assert reader.get("/feeds/exchanges.atom?lang=uk&lang=en").json() == {
        "lang": ["Give this parameter once."]
    }
    assert reader.get("/feeds/exchanges.atom", {"lang": "uk"})["Content-Language"] == "uk"


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_feeds_answer_conditional_requests(reader, seed, settled, fmt):
    path = f"/feeds/tallies.{fmt}"
    first = reader.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert reader.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert reader.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # Another language is another answer.
    assert reader.get(path, {"lang": "uk"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    # A change anywhere in the published data makes it current again.
    exchange = Exchange.objects.get(official_number=67)
    exchange.notes_en = "Changed."
    exchange.save()
    changed = reader.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_feeds_link_to_the_pages_they_describe(reader, seed):
    from exchanges.models import Agreement

    parsed = feedparser.parse(reader.get("/feeds/tallies.atom", {"lang": "uk"}).content)
    assert parsed.feed.link.endswith("/embed/totals/?lang=uk")
    links = {entry.link for entry in parsed.entries}
    istanbul = Agreement.objects.filter(tallies__scope="agreement").first()
    tally = istanbul.tallies.filter(scope="agreement").first()
    assert any(
        link.endswith(f"/embed/agreement/{istanbul.slug}/?lang=uk&as_of={tally.as_of}")
        for link in links
    )
    assert any("/embed/totals/?lang=uk&as_of=2025-07-28" in link for link in links)
    for link in links:
        assert reader.get(link.replace("http://testserver", "")).status_code == 200
    exchanges = feedparser.parse(reader.get("/feeds/exchanges.atom").content)
    assert exchanges.feed.link.endswith("/embed/timeline/?lang=en")


def test_drafts_never_reach_the_feeds(reader, seed):
    exchange = Exchange.objects.get(official_number=67)
    exchange.status = Status.DRAFT
    exchange.save()
    for path in FEEDS + ["/feeds/exchanges.json"]:
        assert str(exchange.uuid) not in reader.get(path).content.decode()


def test_feeds_escape_what_editors_typed(reader, seed):
    Quote.objects.update(text=HOSTILE)
    for fmt in ("atom", "rss"):
        response = reader.get(f"/feeds/quotes.{fmt}")
        assert b"<script>" not in response.content
        parsed = feedparser.parse(response.content)
        assert parsed.bozo is False
    feed = json.loads(reader.get("/feeds/quotes.json").content)
    assert feed["items"][0]["content_text"].startswith(HOSTILE)


def test_quote_titles_read_as_each_language_quotes(client, seed, partner_key):
    body = client.get("/feeds/quotes.json", {"key": partner_key, "lang": "uk"}).json()
    title = body["items"][0]["title"]
    assert title.startswith("Майор Андрій Юсов: «Given the scale")
    assert title.endswith("»")
