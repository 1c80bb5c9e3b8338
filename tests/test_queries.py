"""
Work per request is bounded: every door asks the database the same number of
questions at two data sizes (the seed, then the seed and 40 more of everything).
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges.caching import local
from exchanges.models import Agreement, Exchange, Organisation, Person, Quote, Tally

from .factories import (
    AgreementFactory,
    CategoryFactory,
    ExchangeFactory,
    OrganisationFactory,
    PersonFactory,
    QuoteFactory,
    QuoteTranslationFactory,
    RoleFactory,
    TallyFactory,
)

pytestmark = pytest.mark.django_db

MORE = 40


def doors():
    """Every door a reader or a partner knocks on, as paths on the seed's records."""
    exchange = Exchange.objects.get(official_number=67).uuid
    quote = Quote.objects.get().uuid
    tally = Tally.objects.filter(scope="scheduled").first().uuid
    paths = [
        "/embed/totals/",
        "/embed/totals/?as_of=2025-07-28&lang=uk",
        "/embed/timeline/",
        "/embed/timeline/?as_of=2025-07-28",
        "/embed/agreement/istanbul-2/",
        "/embed/agreement/istanbul-2/?as_of=2025-07-28&lang=uk",
        f"/embed/exchange/{exchange}/",
        f"/embed/quote/{quote}/?lang=uk",
        "/oembed/?url=http://testserver/embed/totals/",
        f"/oembed/?url=http://testserver/embed/exchange/{exchange}/",
        "/api/v1/summary/",
        "/api/v1/summary/?as_of=2025-07-28&lang=uk",
        f"/api/v1/exchanges/{exchange}/",
        f"/api/v1/quotes/{quote}/?format=ninjs&lang=uk",
        f"/api/v1/tallies/{tally}/",
        f"/api/v1/agreements/{Agreement.objects.get(slug='istanbul-2').uuid}/",
        f"/api/v1/people/{Person.objects.first().uuid}/",
        f"/api/v1/organisations/{Organisation.objects.first().uuid}/",
        "/api/v1/changes/?page_size=200",
        "/api/v1/changes/?page_size=200&format=ninjs",
        "/feeds/exchanges.atom",
        "/feeds/tallies.rss?lang=uk",
        "/feeds/quotes.json",
    ]
    for kind in ("exchanges", "agreements", "tallies", "quotes", "people", "organisations"):
        paths += [f"/api/v1/{kind}/?page_size=200", f"/api/v1/{kind}/?format=ninjs&page_size=200"]
    return paths


def more_of_everything():
    """More records of every kind, every relation filled, all published."""
    istanbul = Agreement.objects.get(slug="istanbul-2")
    speaker = Quote.objects.get().speaker
    for n in range(MORE):
        organisation = OrganisationFactory()
        person = PersonFactory(photo_credit=organisation)
        role = RoleFactory(person=person, organisation=organisation)
        agreement = AgreementFactory()
        agreement.parties.add(organisation)
        agreement.categories.add(CategoryFactory())
        exchange = ExchangeFactory(
            agreement=istanbul, stage=100 + n, date=datetime.date(2024, 3, 1)
        )
        exchange.mediators.add(organisation)
        exchange.categories.add(CategoryFactory())
        tally = TallyFactory(stated_by=person, outlet=organisation, as_of=datetime.date(2025, 5, 1))
        tally.stated_by_roles.add(role)
        quote = QuoteFactory(
            speaker=speaker, outlet=organisation, exchange=exchange, agreement=istanbul, tally=tally
        )
        QuoteTranslationFactory(quote=quote)


def count(client, path, cold=True):
    """The queries one request asks; ``cold``: with nothing cached, the real work."""
    if cold:
        cache.clear()
        local.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries.captured_queries)


def test_no_door_asks_more_of_the_database_as_the_data_grows(seed, api, settled):
    paths = doors()
    for path in paths:
        count(api, path)  # warm up: the key's last-used stamp, caches of content types
    before = {path: count(api, path) for path in paths}
    more_of_everything()
    for path in paths:
        count(api, path)
    after = {path: count(api, path) for path in paths}
    grew = {path: (before[path], after[path]) for path in paths if after[path] > before[path]}
    assert not grew, grew
    # And what they ask stays small: a few per kind of record shown; changes/
    # shows every kind, a few queries each.
    # Two of them at most are the data version, when no shared cache keeps it;
    # changes/ reads each kind twice: light, then in full what is not kept.
    for path, queries in after.items():
        assert queries <= (32 if "/changes/" in path else 14), (path, queries)


def test_a_cached_answer_asks_the_database_at_most_for_the_data_version(seed, api, settled):
    paths = doors()
    more_of_everything()
    for path in paths:
        count(api, path, cold=False)
        warm = count(api, path, cold=False)
        if "/changes/" in path:
            # Cursors are handed out fresh on every call: only records come from the cache.
            continue
        # The partner's key (and its last-used stamp) and the data version; a
        # reader's door only the version, and not even that from a shared cache.
        assert warm <= (1 if path.startswith(("/embed/", "/oembed/", "/api/v1/summary/")) else 4), (
            path,
            warm,
        )


def test_totals_show_the_latest_statement_on_the_latest_separate_cases_only(seed, settings):
    from django.test import Client

    settings.EXCHANGES_SEPARATE_CASES = 10
    reader = Client()

    def separate_case_box():
        cache.clear()
        local.clear()
        with CaptureQueriesContext(connection) as queries:
            response = reader.get("/api/v1/summary/", {"lang": "en"})
        return response.json()["separate_cases"], len(queries.captured_queries)

    _cases, few = separate_case_box()
    for n in range(15):
        agreement = AgreementFactory(
            concluded_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
            counts_toward_tally=False,
        )
        for day in (1, 2, 3):
            TallyFactory(
                scope="agreement",
                agreement=agreement,
                as_of=datetime.date(2025, 1, day),
                returned=100 * n + day,
            )
    cases, many = separate_case_box()
    assert many == few
    assert len(cases) == 10
    # The ten most recently concluded, oldest first, each with its latest figure:
    # the last six of these fifteen, then the seed's own case of 2025.
    values = [case["returned"]["value"] for case in cases]
    assert values[-4:] == [1203, 1303, 1403, 1000]
    assert values[:3] == [603, 703, 803]
