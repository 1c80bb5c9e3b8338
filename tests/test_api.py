"""The partners' door: REST API under /api/v1/, through DRF's APIClient."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from exchanges.figures import Precision
from exchanges.models import (
    Agreement,
    Exchange,
    Organisation,
    PartnerAPIKey,
    Person,
    Quote,
    Status,
    Tally,
)
from exchanges.seed import stable_uuid

from .factories import (
    AgreementFactory,
    ExchangeFactory,
    OrganisationFactory,
    PersonFactory,
    QuoteFactory,
    TallyFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "exchanges": Exchange,
    "agreements": Agreement,
    "tallies": Tally,
    "quotes": Quote,
    "people": Person,
    "organisations": Organisation,
}


def all_pages(api, path, **params):
    """Every item of a list, following the cursor."""
    items, url = [], path
    response = api.get(url, {"page_size": 200, **params})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        if not body["next"]:
            return items
        response = api.get(body["next"])


# Records and figures --------------------------------------------------------------


def test_exchange_detail_carries_figures_with_precision_and_wording(api, seed):
    uuid = stable_uuid("exchange", "2025-07-23")
    data = api.get(f"/api/v1/exchanges/{uuid}/").json()
    assert data["type"] == "exchange"
    assert data["returned"] == {
        "value": 250,
        "upper": None,
        "precision": "about",
        "display": {"en": "about 250", "uk": "близько 250"},
    }
    assert data["counts_toward_tally"] is False
    assert data["stage"] == 9
    assert data["agreement"] == {
        "uuid": str(stable_uuid("agreement", "istanbul-2")),
        "url": f"http://testserver/api/v1/agreements/{stable_uuid('agreement', 'istanbul-2')}/",
    }
    assert data["source"] == {
        "name": "MIA, 2025-07-23",
        "names": {"en": "MIA, 2025-07-23", "uk": None},
        "url": None,
    }


def test_tallies_keep_the_separate_case_apart(api, seed):
    tallies = {t["scope"]: t for t in all_pages(api, "/api/v1/tallies/")}
    assert tallies["scheduled"]["exchanges"]["value"] == 66
    assert tallies["scheduled"]["returned"] == {
        "value": 5857,
        "upper": None,
        "precision": "exact",
        "display": {"en": "5,857", "uk": "5\xa0857"},
    }
    separate = tallies["agreement"]
    assert separate["returned"] == {
        "value": 1000,
        "upper": None,
        "precision": "over",
        "display": {"en": "over 1,000", "uk": "понад 1\xa0000"},
    }
    assert separate["exchanges"]["precision"] == "unknown"
    assert separate["context"] == {
        "en": "in a comment to Ukrainska Pravda",
        "uk": "у коментарі «Українській правді»",
    }
    assert separate["stated_by"]["name"] == {"en": "Andrii Yusov", "uk": "Андрій Юсов"}
    assert [r["title"]["en"] for r in separate["stated_by_roles"]] == [
        "Deputy Head of the Coordination Headquarters for the Treatment of Prisoners of War",
        "spokesperson for Defence Intelligence of Ukraine",
    ]
    assert separate["stated_by_organisation"] is None
    assert separate["attribution"]["speaker"] == {
        "en": "Major Andrii Yusov",
        "uk": "майор Андрій Юсов",
    }


def test_every_list_and_detail_answers(api, seed):
    for path, model in LISTS.items():
        items = all_pages(api, f"/api/v1/{path}/")
        assert len(items) == model.objects.public().count()
        detail = api.get(items[0]["url"])
        assert detail.status_code == 200
        assert detail.json() == items[0]


def api_figure(client):
    """A figure as the exchanges list gives it, to a partner with a key."""
    from exchanges.models import Partner, PartnerAPIKey

    _key, secret = PartnerAPIKey.objects.create_key(
        name="shape", partner=Partner.objects.create(name="Shape check")
    )
    response = client.get("/api/v1/exchanges/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return response.json()["results"][0]["returned"]


def test_summary_is_the_totals_box_as_data_and_public(client, seed):
    data = client.get("/api/v1/summary/", {"as_of": "2025-07-28", "lang": "uk"}).json()
    # One Figure shape everywhere: the API's, plus the words of the box's language.
    assert data["tally"]["returned"] == {
        "value": 5857,
        "upper": None,
        "precision": "exact",
        "display": {"en": "5,857", "uk": "5\xa0857"},
        "words": "5\xa0857",
    }
    exchange = api_figure(client)
    assert set(exchange) == set(data["tally"]["returned"]) - {"words"}
    assert data["separate_cases"][0]["returned"]["words"] == "понад 1\xa0000"
    assert data["headline"] == "Україна повернула 5\xa0857 осіб за 66 обмінів."
    before = client.get("/api/v1/summary/", {"as_of": "2025-07-01", "lang": "uk"})
    assert before.status_code == 200 and before.json()["tally"] is None
    assert before.json()["headline"] == (
        "Станом на 1\xa0липня\xa02025\xa0р. офіційних цифр ще не оприлюднювали."
    )
    bad = client.get("/api/v1/summary/", {"as_of": "July"})
    assert bad.status_code == 400 and "as_of" in bad.json()


# Authentication and throttling --------------------------------------------------


def endpoints():
    return [f"/api/v1/{path}/" for path in LISTS] + ["/api/v1/changes/"]


@pytest.mark.parametrize("path", endpoints())
def test_every_endpoint_needs_a_key(seed, path):
    client = APIClient()
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"
    assert "API key is required" in response.json()["detail"]
    client.credentials(HTTP_AUTHORIZATION="Api-Key nonsense.key")
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key is unknown, revoked or expired."


def test_revoked_and_expired_keys_are_refused(api, partner_key, seed):
    assert api.get("/api/v1/exchanges/").status_code == 200
    key = PartnerAPIKey.objects.get(prefix=partner_key.split(".")[0])
    assert key.last_used_at is not None
    key.expiry_date = timezone.now() - datetime.timedelta(minutes=1)
    key.save()
    assert api.get("/api/v1/exchanges/").status_code == 401
    key.expiry_date = None
    key.revoked = True
    key.save()
    assert api.get("/api/v1/exchanges/").status_code == 401


def test_create_api_key_command_prints_a_working_key(seed, capsys):
    call_command("create_api_key", "Kyiv Independent", "--expires-in-days", "30")
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/tallies/").status_code == 200
    stored = PartnerAPIKey.objects.get(partner__name="Kyiv Independent")
    assert key not in stored.hashed_key and stored.prefix == key.split(".")[0]


@pytest.mark.parametrize("path", endpoints())
def test_throttled_per_key_with_retry_after(api, seed, settings, path):
    settings.EXCHANGES_API_RATE = "3/hour"
    cache.clear()
    for _ in range(3):
        assert api.get(path).status_code == 200
    response = api.get(path)
    assert response.status_code == 429
    assert 3000 < int(response.headers["Retry-After"]) <= 3600
    assert response.headers["RateLimit-Remaining"] == "0"
    # Another key has its own allowance.
    partner = PartnerAPIKey.objects.get().partner
    _record, key = PartnerAPIKey.objects.create_key(name="other", partner=partner)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert other.get(path).status_code == 200


# Conditional GET ------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"/api/v1/{path}/" for path in LISTS])
def test_lists_and_details_answer_304_when_unchanged(api, seed, path):
    first = api.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    detail_url = first.json()["results"][0]["url"]
    detail = api.get(detail_url)
    assert api.get(detail_url, HTTP_IF_NONE_MATCH=detail.headers["ETag"]).status_code == 304
    # ninjs is another representation, with its own tag.
    assert api.get(path, {"format": "ninjs"}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_change_invalidates_the_tag(api, seed):
    first = api.get("/api/v1/exchanges/")
    exchange = Exchange.objects.get(official_number=67)
    exchange.returned = 85
    exchange.save()
    again = api.get("/api/v1/exchanges/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]


def test_rate_limit_headers_tell_a_key_its_quota(api, seed, settings):
    settings.EXCHANGES_API_RATE = "5/hour"
    cache.clear()
    first = api.get("/api/v1/exchanges/")
    assert first.headers["RateLimit-Limit"] == "5"
    assert first.headers["RateLimit-Remaining"] == "4"
    assert 3590 <= int(first.headers["RateLimit-Reset"]) <= 3600
    assert first.headers["RateLimit-Policy"] == "5;w=3600"
    assert api.get("/api/v1/tallies/").headers["RateLimit-Remaining"] == "3"


@pytest.mark.parametrize("path", ["/api/v1/exchanges/", "/feeds/exchanges.atom"])
def test_304s_do_not_count_against_the_rate_limit(api, seed, settings, path):
    settings.EXCHANGES_API_RATE = "2/hour"
    cache.clear()
    first = api.get(path)
    assert first.status_code == 200 and first.headers["RateLimit-Remaining"] == "1"
    for _ in range(5):
        again = api.get(path, HTTP_IF_NONE_MATCH=first.headers["ETag"])
        assert again.status_code == 304
    assert api.get(path, HTTP_IF_MODIFIED_SINCE=first.headers["Last-Modified"]).status_code == 304
    # The quota is untouched: one more full answer, then 429.
    assert api.get(path, {"lang": "uk"}).status_code == 200
    assert api.get(path, {"lang": "en"}).status_code == 429


def test_304_still_needs_a_key(api, seed):
    etag = api.get("/api/v1/exchanges/").headers["ETag"]
    assert APIClient().get("/api/v1/exchanges/", HTTP_IF_NONE_MATCH=etag).status_code == 401


# Filters, ordering, pages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("exchanges", {"date_after": "last spring"}, "date_after"),
        ("exchanges", {"counts_toward_tally": "perhaps"}, "counts_toward_tally"),
        ("exchanges", {"updated_since": "yesterday"}, "updated_since"),
        ("exchanges", {"ordering": "returned"}, "ordering"),
        ("agreements", {"implementation": "paused"}, "implementation"),
        ("agreements", {"date_before": "2025-13-01"}, "date_before"),
        ("tallies", {"speaker": "yusov"}, "speaker"),
        ("tallies", {"scope": "everything"}, "scope"),
        ("quotes", {"language": "de"}, "language"),
        ("quotes", {"speaker": "123"}, "speaker"),
        ("people", {"updated_since": "2025-99-01"}, "updated_since"),
        ("organisations", {"kind": "bank"}, "kind"),
        ("organisations", {"page_size": "lots"}, "page_size"),
        ("people", {"page_size": "0"}, "page_size"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(api, seed, path, params, parameter):
    response = api.get(f"/api/v1/{path}/", params)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("exchanges", {"date_after": "2025-06-01", "date_before": "2025-06-30"}, 5),
        ("exchanges", {"agreement": "istanbul-2"}, 7),
        ("exchanges", {"category": "under-25"}, 3),
        ("exchanges", {"counts_toward_tally": "false"}, 6),
        ("exchanges", {"q": "Medvedchuk"}, 1),
        ("exchanges", {"q": "military civilians"}, 5),
        ("agreements", {"counts_toward_tally": "true"}, 1),
        ("agreements", {"implementation": "agreed"}, 1),
        ("agreements", {"category": "military"}, 1),
        ("agreements", {"q": "second"}, 1),
        ("tallies", {"agreement": "istanbul-2"}, 1),
        ("tallies", {"scope": "scheduled"}, 1),
        ("tallies", {"speaker": str(stable_uuid("person", "andrii-yusov"))}, 2),
        ("quotes", {"language": "en"}, 1),
        ("quotes", {"q": "unscheduled"}, 1),
        ("quotes", {"date_after": "2025-08-01"}, 0),
        ("people", {"q": "spokesperson"}, 1),
        ("people", {"q": "речник"}, 1),  # a role title, in Ukrainian
        ("quotes", {"q": "Реалізація"}, 0),  # no translation yet
        ("tallies", {"q": "Українська"}, 2),  # the Ukrainian source name
        ("exchanges", {"updated_since": "2000-01-01T00:00:00+20:00"}, 22),
        ("organisations", {"kind": "state"}, 5),
        ("organisations", {"updated_since": "2000-01-01T00:00:00Z"}, 8),
        ("organisations", {"updated_since": "2100-01-01T00:00:00Z"}, 0),
    ],
)
def test_filters(api, seed, path, params, expected):
    assert len(all_pages(api, f"/api/v1/{path}/", **params)) == expected


def test_ordering_and_stable_cursor_pages(api, seed):
    dates = [e["date"] for e in all_pages(api, "/api/v1/exchanges/", ordering="date")]
    assert dates == sorted(dates)
    pages, response = [], api.get("/api/v1/exchanges/", {"page_size": 5, "ordering": "-date"})
    while True:
        body = response.json()
        assert body["page_size"] == 5
        pages.append([item["uuid"] for item in body["results"]])
        if not body["next"]:
            break
        response = api.get(body["next"])
    flat = [uuid for page in pages for uuid in page]
    assert len(pages) == 5 and len(flat) == len(set(flat)) == 22


def test_page_size_above_the_maximum_gets_the_maximum_and_says_so(api, seed):
    body = api.get("/api/v1/exchanges/", {"page_size": 5000}).json()
    assert body["page_size"] == 200
    assert body["notice"] == "page_size is capped at 200."
    assert "notice" not in api.get("/api/v1/exchanges/", {"page_size": 200}).json()
    assert api.get("/api/v1/exchanges/").json()["page_size"] == 50


@pytest.mark.parametrize("path", [f"/api/v1/{path}/" for path in LISTS])
def test_queries_per_list_do_not_depend_on_page_size_or_data_size(api, seed, path):
    sql = []

    def queries(size):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path, {"page_size": size}).status_code == 200
        sql[:] = [query["sql"] for query in captured.captured_queries]
        return len(sql)

    api.get(path)  # warm up the key's last-used stamp
    # One query per related kind at most: a page of one may need fewer.
    seeded = queries(200)
    assert queries(1) <= seeded
    # More of everything than one page holds, every relation filled; then as much again.
    agreement = Agreement.objects.get(slug="istanbul-1")
    person = Person.objects.get(slug="andrii-yusov")
    outlet = Organisation.objects.get(slug="ukrainska-pravda")

    def more():
        for _n in range(30):
            ExchangeFactory(agreement=agreement)
            AgreementFactory()
            TallyFactory(stated_by=person, outlet=outlet, agreement=agreement, scope="agreement")
            QuoteFactory(speaker=person, agreement=agreement, outlet=outlet)
            PersonFactory()
            OrganisationFactory()

    more()
    filled = queries(200)
    more()
    assert queries(200) == filled
    assert queries(1) <= filled
    assert queries(200) <= 12
    assert not any("COUNT(" in query.upper() for query in sql)


# Drafts -------------------------------------------------------------------------


def make_drafts():
    draft = {"status": Status.DRAFT}
    agreement = AgreementFactory(slug="secret-talks", **draft)
    return {
        "exchanges": ExchangeFactory(returned=999, agreement=agreement, stage=1, **draft),
        "agreements": agreement,
        "tallies": TallyFactory(as_of=datetime.date(2025, 9, 1), exchanges=70, **draft),
        "quotes": QuoteFactory(text="Not for publication.", **draft),
        "people": PersonFactory(slug="hidden-person", **draft),
        "organisations": OrganisationFactory(slug="hidden-org", **draft),
    }


@pytest.mark.parametrize("path", list(LISTS))
def test_drafts_are_invisible_everywhere_in_the_api(api, seed, settled, path):
    drafts = make_drafts()
    draft = drafts[path]
    uuids = {item["uuid"] for item in all_pages(api, f"/api/v1/{path}/")}
    assert str(draft.uuid) not in uuids
    assert api.get(f"/api/v1/{path}/{draft.uuid}/").status_code == 404
    ninjs = api.get(f"/api/v1/{path}/", {"format": "ninjs", "page_size": 200}).json()
    assert f"urn:uuid:{draft.uuid}" not in {item["uri"] for item in ninjs["results"]}
    changes = api.get("/api/v1/changes/", {"page_size": 200}).content.decode()
    assert str(draft.uuid) not in changes
    for record in drafts.values():
        assert str(record.uuid) not in changes


def test_a_public_exchange_never_names_its_draft_agreement(api, seed):
    agreement = AgreementFactory(status=Status.DRAFT)
    exchange = ExchangeFactory(agreement=agreement, stage=1)
    data = api.get(f"/api/v1/exchanges/{exchange.uuid}/").json()
    assert data["agreement"] is None
    assert str(agreement.uuid) not in str(data)


# OpenAPI ------------------------------------------------------------------------


def test_openapi_schema_is_valid_and_describes_auth_and_formats(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Api-Key <key>`; keys come from the newsroom's partner desk.",
    }
    list_parameters = {
        p["name"] for p in schema["paths"]["/api/v1/exchanges/"]["get"]["parameters"]
    }
    assert {"format", "lang", "date_after", "date_before", "q", "updated_since", "ordering"} <= (
        list_parameters
    )
    figure = schema["components"]["schemas"]["Exchange"]["properties"]["returned"]
    assert figure["properties"]["precision"]["enum"] == list(Precision.values)


def test_every_path_in_the_schema_answers(client, api, seed):
    schema = client.get("/api/v1/schema/").json()
    samples = {
        "exchanges": stable_uuid("exchange", "2025-05-23"),
        "agreements": stable_uuid("agreement", "istanbul-2"),
        "tallies": stable_uuid("tally", "2025-07-28-scheduled"),
        "quotes": stable_uuid("quote", "yusov-2025-07-28"),
        "people": stable_uuid("person", "andrii-yusov"),
        "organisations": stable_uuid("organisation", "ukrainska-pravda"),
    }
    walked = []
    for path in schema["paths"]:
        kind = path.split("/")[3]
        url = path.replace("{uuid}", str(samples.get(kind)))
        response = api.get(url)
        assert response.status_code == 200, (url, response.status_code)
        walked.append(path)
    assert len(walked) == 14


def test_interactive_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in text
    assert "cdn" not in text.lower() and "unpkg" not in text.lower()


# Odd requests get 4xx, never 500 ---------------------------------------------------


def test_odd_requests_are_client_errors(api, seed):
    import base64

    tampered = base64.b64encode(b"o=1&r=1&p=notadate").decode()
    assert api.get("/api/v1/exchanges/", {"cursor": tampered}).status_code == 404
    overflow = {"updated_since": "9999-12-31T23:59:59-23:00"}
    response = api.get("/api/v1/exchanges/", overflow)
    assert response.status_code == 400 and list(response.json()) == ["updated_since"]
    response = api.get("/api/v1/exchanges/", {"format": "ninjs", "lang": "xx"})
    assert response.status_code == 400 and list(response.json()) == ["lang"]
    assert api.get("/api/v1/changes/", {"page_size": "x"}).status_code == 400
    bad = api.get("/api/v1/exchanges/", {"date_after": "x"}, HTTP_IF_NONE_MATCH="*")
    assert bad.status_code == 400
    missing = api.get(
        f"/api/v1/exchanges/{stable_uuid('exchange', 'nope')}/", HTTP_IF_NONE_MATCH="*"
    )
    assert missing.status_code == 404


def test_filters_never_find_drafts_by_name(api, seed):
    agreement = AgreementFactory(slug="secret-talks", status=Status.DRAFT)
    ExchangeFactory(agreement=agreement, stage=1)
    assert all_pages(api, "/api/v1/exchanges/", agreement="secret-talks") == []
    person = PersonFactory(status=Status.DRAFT)
    QuoteFactory(speaker=person, status=Status.DRAFT)
    assert all_pages(api, "/api/v1/quotes/", speaker=str(person.uuid)) == []


def test_headlines_never_name_a_draft_agreement_or_speaker(api, seed, partner_key):
    from django.test import Client

    agreement = AgreementFactory(title_en="SECRET TALKS", status=Status.DRAFT)
    TallyFactory(scope="agreement", agreement=agreement, as_of=datetime.date(2025, 7, 29))
    quote = Quote.objects.get()
    Person.objects.filter(pk=quote.speaker_id).update(status=Status.DRAFT, name_en="Hidden Name")
    reader = Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")
    everything = "".join(
        [
            api.get("/api/v1/tallies/", {"page_size": 200}).content.decode(),
            api.get("/api/v1/quotes/", {"format": "ninjs"}).content.decode(),
            *(
                reader.get(f"/feeds/{kind}.{fmt}").content.decode()
                for kind in ("tallies", "quotes")
                for fmt in ("atom", "rss", "json")
            ),
        ]
    )
    assert "SECRET TALKS" not in everything
    assert "Hidden Name" not in everything


def test_a_search_is_a_few_words_not_a_document(api, seed):
    long = api.get("/api/v1/quotes/", {"q": " ".join(["exchange"] * 400)})
    assert long.status_code == 400
    assert "at most 10 words and 200 characters" in long.json()["q"][0]
    assert api.get("/api/v1/quotes/", {"q": "x" * 201}).status_code == 400
    assert api.get("/api/v1/quotes/", {"q": " ".join(["stages"] * 10)}).status_code == 200


def test_an_unknown_parameter_is_a_400_that_lists_the_allowed_ones(api, seed):
    response = api.get("/api/v1/exchanges/", {"date_afer": "2025-01-01"})
    assert response.status_code == 400
    message = response.json()["date_afer"][0]
    assert message.startswith("Unknown parameter. Use one of:")
    assert "date_after" in message and "page_size" in message
    detail = api.get(f"/api/v1/exchanges/{stable_uuid('exchange', '2025-07-23')}/", {"q": "x"})
    assert detail.status_code == 400 and "q" in detail.json()
    assert api.get("/api/v1/changes/", {"sinse": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/api/v1/exchanges/?date_after=", "date_after", "Give a value"),
        (
            "/api/v1/exchanges/?counts_toward_tally=true&counts_toward_tally=false",
            "counts_toward_tally",
            "Give this parameter once.",
        ),
        ("/api/v1/tallies/?format=xml", "format", "Use one of: json, ninjs."),
        ("/api/v1/changes/?format=ninjs&format=json", "format", "Give this parameter once."),
        ("/api/v1/summary/?lang=", "lang", "Give a value"),
        ("/api/v1/summary/?as_of=2025-07-28&as_of=2025-07-29", "as_of", "Give this"),
        ("/api/v1/summary/?format=json", "format", "Unknown parameter."),
    ],
)
def test_a_parameter_given_empty_twice_or_in_no_known_format_is_a_400(
    api, seed, path, field, message
):
    response = api.get(path)
    assert response.status_code == 400, response.content
    assert response.json()[field][0].startswith(message)


def test_an_empty_change_cursor_is_the_start(api, seed):
    assert api.get("/api/v1/changes/", {"since": ""}).status_code == 200


def test_postgresql_cuts_off_a_runaway_query(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "5s"
