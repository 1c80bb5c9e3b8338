"""Corrections are public: the note travels with the corrected value to every door."""

import datetime
import json

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from exchanges.models import Exchange, Tally

from .test_admin import field_errors, form_data, post_confirmed
from .test_boxes import render, visible

pytestmark = pytest.mark.django_db


def correct(client, record, note="", **changes):
    url = reverse(f"admin:exchanges_{record._meta.model_name}_change", args=[record.pk])
    data = form_data(client.get(url))
    data.update(changes, correction_note=note, correction_note_uk="")
    return post_confirmed(client, url, data)


def test_changing_a_published_figure_without_a_note_fails_clearly(admin_client, seed):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    response = correct(admin_client, tally, returned="5858")
    assert response.status_code == 200
    assert field_errors(response, "correction_note") == [
        "This record is published: changing people returned needs a correction note that "
        "readers and partners will see."
    ]
    tally.refresh_from_db()
    assert tally.returned == 5857


def test_a_draft_changes_freely(admin_client, seed):
    from .factories import ExchangeFactory

    draft = ExchangeFactory(status="draft")
    assert correct(admin_client, draft, returned="7").status_code == 302


def test_a_correction_reaches_every_door(admin_client, seed, api, partner_key, settled):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    version = tally.version
    response = correct(
        admin_client,
        tally,
        "The official figure was 5,858; one person was counted late.",
        returned="5858",
    )
    assert response.status_code == 302
    tally.refresh_from_db()
    assert tally.returned == 5858 and tally.version == version + 1
    today = datetime.date.today()
    wording = f"Corrected {today.day} {today:%B %Y}: The official figure was 5,858"

    # Fact box, even one pinned to a date before the correction: corrected value, with note.
    box = visible(render('{% factbox "totals" as_of="2025-07-28" lang="en" %}'))
    assert "5,858 people in 66 exchanges" in box
    assert wording in box

    # API and ninjs.
    data = api.get(f"/api/v1/tallies/{tally.uuid}/").json()
    assert data["version"] == version + 1
    assert data["corrections"][0]["note"]["en"].startswith("The official figure was 5,858")
    assert data["corrections"][0]["fields"] == ["returned"]
    ninjs = api.get(f"/api/v1/tallies/{tally.uuid}/", {"format": "ninjs"}).json()
    assert ninjs["version"] == str(version + 1)
    assert ninjs["descriptions"][0]["role"] == "correction"
    # Worded as every door words a correction, the editor's note isolated from ours.
    assert wording in plain(ninjs["descriptions"][0]["value"])
    assert "\u2068The official figure" in ninjs["descriptions"][0]["value"]

    # Feeds.
    reader = Client(HTTP_AUTHORIZATION=f"Api-Key {partner_key}")
    parsed = feedparser.parse(reader.get("/feeds/tallies.atom").content)
    entry = next(e for e in parsed.entries if e.id == f"urn:uuid:{tally.uuid}")
    assert wording in plain(entry.summary)
    feed = json.loads(reader.get("/feeds/tallies.json").content)
    item = next(i for i in feed["items"] if i["id"] == f"urn:uuid:{tally.uuid}")
    assert wording in plain(item["content_text"])

    # Partners replaying changes get the corrected record.
    changes = api.get("/api/v1/changes/", {"page_size": 200}).json()["results"]
    mine = [c for c in changes if c["uuid"] == str(tally.uuid)]
    assert mine[0]["action"] == "updated" and mine[0]["data"]["returned"]["value"] == 5858

    # The earlier value stays in the history.
    versions = Version.objects.get_for_object(tally)
    assert [v.field_dict["returned"] for v in versions][:2] == [5858, 5857]
    assert versions[0].revision.get_comment().startswith("Corrected: The official figure")


def test_quote_text_and_exchange_dates_need_notes_too(admin_client, seed):
    from exchanges.models import Quote

    quote = Quote.objects.get()
    response = correct(admin_client, quote, text="Changed words.")
    assert "changing text needs a correction note" in field_errors(response, "correction_note")[0]
    exchange = Exchange.objects.get(official_number=67)
    response = correct(admin_client, exchange, date="2025-08-15")
    assert "changing date needs a correction note" in field_errors(response, "correction_note")[0]
    response = correct(admin_client, exchange, "Swap took place on 15 August.", date="2025-08-15")
    assert response.status_code == 302
    text = visible(render("{% factbox 'exchange' key %}", key=str(exchange.uuid)))
    assert "Swap took place on 15 August." in text


def plain(text):
    """Text as a reader sees it: no-break spaces as spaces, bidi isolates invisible."""
    return text.replace("\xa0", " ").replace("\u2068", "").replace("\u2069", "")
