"""
Cached doors never serve stale data: publishing, correcting, unpublishing and a
scheduled go-live show on the very next request of every cached output; a box
pinned to a date stays cached through data stated after it; the cache never
answers for a partner's key it has not checked.
"""

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exchanges.models import Agreement, Organisation, Status

from .factories import TallyFactory
from .test_boxes import render, visible
from .test_corrections import correct
from .test_workflow import press, schedule

pytestmark = pytest.mark.django_db

FIGURE, CORRECTED = "98,765", "98,766"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reader(partner_key):
    return Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")


@pytest.fixture
def clock(monkeypatch):
    """Moves the site's clock forward, as time passing would: nothing else runs."""
    real_now = timezone.now
    offset = datetime.timedelta()

    def advance(**delta):
        nonlocal offset
        offset += datetime.timedelta(**delta)

    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
    return advance


def outputs(api, reader):
    """Every cached door that shows the official tally, as a reader or partner gets it."""
    anyone = Client()
    return {
        "tag": visible(render('{% factbox "totals" lang="en" %}')),
        "shortcode": visible(render("{{ body|factboxes }}", body="[factbox totals lang=en]")),
        "embed": visible(anyone.get("/embed/totals/?lang=en").text),
        "summary": anyone.get("/api/v1/summary/?lang=en").text,
        "api": api.get("/api/v1/tallies/?page_size=200").text,
        "ninjs": api.get("/api/v1/tallies/?page_size=200&format=ninjs").text,
        "changes": api.get("/api/v1/changes/?page_size=200").text,
        "atom": reader.get("/feeds/tallies.atom").text,
        "rss": reader.get("/feeds/tallies.rss").text,
        "json feed": reader.get("/feeds/tallies.json").text,
    }


def showing(figure, texts):
    """The doors whose answer shows ``figure`` (as words or as a JSON number)."""
    number = figure.replace(",", "")
    return sorted(name for name, text in texts.items() if figure in text or number in text)


def warm(api, reader):
    outputs(api, reader)
    return outputs(api, reader)


def new_tally(**fields):
    defaults = {
        "as_of": datetime.date(2025, 8, 15),
        "exchanges": 67,
        "returned": 98765,
        "stated_by_organisation": Organisation.objects.first(),
    }
    return TallyFactory(**{**defaults, **fields})


def test_publish_correct_and_unpublish_show_on_the_next_request(
    seed, editor, admin_client, api, reader, settled
):
    everywhere = sorted(outputs(api, reader))
    assert showing(FIGURE, warm(api, reader)) == []
    tally = new_tally(status=Status.DRAFT, published_at=None)
    assert showing(FIGURE, outputs(api, reader)) == []

    press(editor, tally, "publish")
    tally.refresh_from_db()
    assert tally.is_public
    assert showing(FIGURE, outputs(api, reader)) == everywhere

    warm(api, reader)
    response = correct(admin_client, tally, "One person was counted late.", returned="98766")
    assert response.status_code == 302
    texts = outputs(api, reader)
    assert showing(CORRECTED, texts) == everywhere
    assert showing(FIGURE, texts) == []
    assert "One person was counted late." in texts["embed"]

    warm(api, reader)
    press(editor, tally, "unpublish")
    assert showing(CORRECTED, outputs(api, reader)) == []


def test_a_scheduled_go_live_shows_on_the_next_request_with_nothing_run(
    seed, editor, api, reader, settled, clock
):
    tally = new_tally(status=Status.DRAFT, published_at=None)
    schedule(editor, tally, timezone.now() + datetime.timedelta(hours=1))
    tally.refresh_from_db()
    assert tally.is_scheduled
    assert showing(FIGURE, warm(api, reader)) == []
    clock(hours=1, minutes=1)
    assert showing(FIGURE, outputs(api, reader)) == sorted(outputs(api, reader))


def test_oembed_and_agreement_box_follow_a_renamed_agreement(seed, admin_client):
    anyone = Client()
    url = "/oembed/?url=http://testserver/embed/agreement/istanbul-2/%3Flang%3Den"
    embed = "/embed/agreement/istanbul-2/?lang=en"
    before = anyone.get(url).json()["title"]
    anyone.get(embed)
    agreement = Agreement.objects.get(slug="istanbul-2")
    change = reverse("admin:exchanges_agreement_change", args=[agreement.pk])
    from .test_admin import form_data, post_confirmed

    data = form_data(admin_client.get(change))
    data["title_en"] = "Istanbul agreement, renamed"
    assert post_confirmed(admin_client, change, data).status_code == 302
    assert before != "Istanbul agreement, renamed"
    assert anyone.get(url).json()["title"] == "Istanbul agreement, renamed"
    assert "Istanbul agreement, renamed" in visible(anyone.get(embed).text)


def test_a_pinned_box_stays_cached_through_later_data_and_follows_a_back_fill(seed, settled):
    anyone = Client()
    pinned = "/embed/totals/?as_of=2025-08-01&lang=en"
    first = anyone.get(pinned)
    etag = first["ETag"]
    live_etag = anyone.get("/embed/totals/?lang=en")["ETag"]

    # Stated after the pinned date: the live box changes, the pinned one does not.
    TallyFactory(as_of=datetime.date(2025, 9, 1), returned=11111, stated_by_organisation=None)
    again = anyone.get(pinned)
    assert again["ETag"] == etag and again.content == first.content
    assert anyone.get(pinned, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert anyone.get("/embed/totals/?lang=en")["ETag"] != live_etag

    # Back-filled: stated before the pinned date, it shows on the next request.
    new_tally(as_of=datetime.date(2025, 7, 30))
    backfilled = anyone.get(pinned)
    assert backfilled["ETag"] != etag
    assert FIGURE in visible(backfilled.text)
    assert anyone.get(pinned, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_warm_cache_never_answers_without_a_valid_key(seed, api, partner_key, reader):
    from exchanges.models import PartnerAPIKey

    doors = ["/api/v1/tallies/", "/api/v1/tallies/?format=ninjs", "/api/v1/changes/"]
    feeds = ["/feeds/tallies.atom", "/feeds/exchanges.rss"]
    for path in doors:
        assert api.get(path).status_code == 200
    for path in feeds:
        assert reader.get(path).status_code == 200
    strangers = [Client(), Client(HTTP_AUTHORIZATION="Api-Key not.a-key")]
    for client in strangers:
        for path in doors + feeds:
            response = client.get(path)
            assert response.status_code in (401, 403), (path, response.status_code)
            assert "results" not in response.text and "<entry" not in response.text
    PartnerAPIKey.objects.update(revoked=True)
    for path in doors:
        assert api.get(path).status_code in (401, 403), path
    for path in feeds:
        assert reader.get(path).status_code in (401, 403), path
    assert partner_key  # the key the partner still holds is refused, not forgotten


def test_public_answers_carry_shared_cache_headers_and_partner_answers_stay_private(
    seed, api, reader
):
    anyone = Client()
    for path in [
        "/embed/totals/",
        "/embed/totals/?as_of=2025-07-28",
        "/oembed/?url=http://testserver/embed/totals/",
        "/api/v1/summary/",
    ]:
        response = anyone.get(path)
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "s-maxage=3600" in cache_control, path
        assert "stale-while-revalidate=60" in cache_control, path
        assert response["ETag"] and response["Last-Modified"], path
        assert "exchanges" in response["Surrogate-Key"].split(), path
        assert anyone.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, path
    assert anyone.get("/embed/totals/?as_of=2025-07-28")["Surrogate-Key"].split()[1] == (
        "exchanges-as-of-2025"
    )
    for response in [api.get("/api/v1/exchanges/"), reader.get("/feeds/tallies.atom")]:
        assert response["Cache-Control"] == "private, no-cache"
        assert "Surrogate-Key" not in response


def test_the_same_cached_box_twice_on_a_page_keeps_its_ids_apart(seed):
    html = render('{% factbox "totals" %}{% factbox "totals" %}')
    ids = [part.split('"')[0] for part in html.split(' id="')[1:]]
    assert len(ids) == len(set(ids)) >= 2
    assert json.dumps(ids).count("xb0slot0id") == 0


def test_answers_made_by_other_code_are_not_used(seed, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exchanges import caching

    anyone = Client()
    anyone.get("/embed/totals/")
    with CaptureQueriesContext(connection) as warm:
        anyone.get("/embed/totals/")
    monkeypatch.setattr(caching, "CODE", "deployed")
    with CaptureQueriesContext(connection) as after_deploy:
        anyone.get("/embed/totals/")
    # The box is built again (its queries), not served from the old code's answer.
    assert len(after_deploy) > len(warm) + 2


def test_an_unpublished_record_leaves_its_cached_embed_and_oembed_at_once(seed, editor):
    from exchanges.models import Exchange

    anyone = Client()
    exchange = Exchange.objects.get(official_number=67)
    embed = f"/embed/exchange/{exchange.uuid}/"
    oembed = f"/oembed/?url=http://testserver{embed}"
    for _twice in range(2):
        assert anyone.get(embed).status_code == 200
        assert anyone.get(oembed).json()["title"] == "Exchange No. 67"
    press(editor, exchange, "unpublish")
    assert anyone.get(embed).status_code == 404
    assert anyone.get(oembed).status_code == 404
