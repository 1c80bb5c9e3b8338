"""A partner mirrors our published data through changes/, then keeps it exact."""

import datetime

import pytest
from django.utils import timezone

from exchanges.figures import Precision
from exchanges.models import Agreement, Exchange, Person, Quote, Status, Tally

from .factories import ExchangeFactory, RoleFactory
from .test_api import LISTS, all_pages

pytestmark = pytest.mark.django_db


class Partner:
    """The partner's side: a local copy kept by replaying the change log."""

    def __init__(self, api):
        self.api, self.copy, self.cursor = api, {}, None

    def sync(self, page_size=7):
        calls = 0
        while True:
            params = {"page_size": page_size}
            if self.cursor:
                params["since"] = self.cursor
            response = self.api.get("/api/v1/changes/", params)
            assert response.status_code == 200, response.content
            body = response.json()
            calls += 1
            for change in body["results"]:
                key = (change["type"], change["uuid"])
                if change["action"] in ("unpublished", "deleted"):
                    assert "data" not in change
                    self.copy.pop(key, None)
                else:
                    self.copy[key] = change["data"]
            self.cursor = body["next_cursor"]
            if not body["has_more"]:
                return calls


def published(api):
    """Our published data, as the API lists it."""
    data = {}
    for path in LISTS:
        for item in all_pages(api, f"/api/v1/{path}/"):
            data[(item["type"], item["uuid"])] = item
    return data


def test_full_then_incremental_sync_gives_exactly_our_published_data(api, seed, settled):
    partner = Partner(api)
    assert partner.sync() > 1  # several pages
    assert partner.copy == published(api)
    assert len(partner.copy) == 43 - 4 - 2  # categories and roles are parts, not records

    # Our side moves on: an edit, a new record, an unpublish, a delete, a draft.
    exchange = Exchange.objects.get(date=datetime.date(2025, 6, 9))
    exchange.returned, exchange.returned_precision = 1000, Precision.OVER
    exchange.save()
    new = ExchangeFactory(date=datetime.date(2025, 8, 1), returned=12)
    tally = Tally.objects.get(scope=Tally.Scope.AGREEMENT)
    tally.status = Status.DRAFT
    tally.save()
    deleted_quote = Quote.objects.get()
    deleted_quote.delete()
    ExchangeFactory(date=datetime.date(2025, 8, 2), status=Status.DRAFT)
    RoleFactory(person=Person.objects.get(slug="andrii-yusov"), title_en="adviser")
    agreement = Agreement.objects.get(slug="istanbul-3")
    agreement.implementation = Agreement.Implementation.BEING_IMPLEMENTED
    agreement.save()

    partner.sync()
    ours = published(api)
    assert partner.copy == ours
    assert partner.copy[("exchange", str(exchange.uuid))]["returned"]["display"]["en"] == (
        "over 1,000"
    )
    assert ("exchange", str(new.uuid)) in partner.copy
    assert ("tally", str(tally.uuid)) not in partner.copy
    assert ("quote", str(deleted_quote.uuid)) not in partner.copy
    yusov = partner.copy[("person", str(Person.objects.get(slug="andrii-yusov").uuid))]
    assert "adviser" in [role["title"]["en"] for role in yusov["roles"]]

    # Changes to what records show of each other reach the records that show them.
    from exchanges.models import Category, Organisation, Role

    uae = Organisation.objects.get(slug="united-arab-emirates")
    uae.name_en = "UAE (renamed)"
    uae.save()
    Category.objects.get(slug="under-25").save()
    category = Category.objects.get(slug="civilians")
    category.name_en = "civilian detainees"
    category.save()
    yusov = Person.objects.get(slug="andrii-yusov")
    Role.objects.get(person=yusov, title_en="adviser").delete()
    quote_speaker = Person.objects.get(slug="andrii-yusov")
    quote_speaker.rank_en = "Lieutenant Colonel"
    quote_speaker.save()
    Organisation.objects.get(slug="turkiye").mediated_exchanges.add(new)
    stage = Exchange.objects.get(date=datetime.date(2025, 6, 10))
    stage.status = Status.UNPUBLISHED
    stage.save()
    partner.sync()
    assert partner.copy == published(api)
    assert partner.copy[("exchange", str(new.uuid))]["mediators"][0]["name"]["en"] == "Türkiye"

    # Republishing brings the tally back; a partner starting afresh gets the same.
    tally.status = Status.PUBLISHED
    tally.save()
    partner.sync()
    assert partner.copy == published(api)
    newcomer = Partner(api)
    newcomer.sync(page_size=200)
    assert newcomer.copy == partner.copy


def test_changes_are_in_order_with_tombstones(api, seed, settled):
    cursor = api.get("/api/v1/changes/", {"page_size": 200}).json()["next_cursor"]
    exchange = Exchange.objects.get(official_number=67)
    exchange.status = Status.DRAFT
    exchange.save()
    exchange.delete()
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    tally.notes_en = "Checked again."
    tally.save()
    body = api.get("/api/v1/changes/", {"since": cursor}).json()
    assert [(c["type"], c["action"]) for c in body["results"]] == [
        ("exchange", "deleted"),
        ("tally", "updated"),
    ]
    tombstone = body["results"][0]
    assert set(tombstone) == {"cursor", "action", "type", "uuid", "at", "url"}
    assert tombstone["uuid"] == str(exchange.uuid)
    assert body["results"][1]["data"]["notes"]["en"] == "Checked again."
    assert body["has_more"] is False
    again = api.get("/api/v1/changes/", {"since": body["next_cursor"]}).json()
    assert again["results"] == [] and again["has_more"] is False
    # A fresh cursor for the same position: a quiet log never expires a partner.
    from exchanges.api.views import ChangeCursor

    assert (
        ChangeCursor.decode(again["next_cursor"])[:2]
        == ChangeCursor.decode(body["next_cursor"])[:2]
    )


@pytest.mark.parametrize("cursor", ["garbage", "MjAyNS0wMS0wMQ", "", "bm90fGEtbnVtYmVy"])
def test_unknown_cursor_is_410_telling_the_partner_to_resync(api, seed, cursor):
    if cursor == "":
        assert api.get("/api/v1/changes/", {"since": cursor}).status_code == 200
        return
    response = api.get("/api/v1/changes/", {"since": cursor})
    assert response.status_code == 410
    assert "Resync from the start" in response.json()["detail"]
    assert response.json()["resync"] == "http://testserver/api/v1/changes/"


def test_expired_cursor_is_410(api, seed, settled, settings):
    from exchanges.api.views import ChangeCursor

    long_ago = timezone.now() - datetime.timedelta(days=400)
    old = ChangeCursor.encode(long_ago, 1, issued=long_ago)
    assert api.get("/api/v1/changes/", {"since": old}).status_code == 410
    settings.EXCHANGES_CHANGES_RETENTION_DAYS = 500
    assert api.get("/api/v1/changes/", {"since": old}).status_code == 200
    # An old position handed out again recently is still good.
    settings.EXCHANGES_CHANGES_RETENTION_DAYS = 365
    renewed = ChangeCursor.encode(long_ago, 1, issued=timezone.now())
    assert api.get("/api/v1/changes/", {"since": renewed}).status_code == 200


def test_recent_changes_settle_before_partners_see_them(api, seed, settings):
    settings.EXCHANGES_CHANGES_SETTLE_SECONDS = 3600
    cursor_before = api.get("/api/v1/changes/", {"page_size": 200}).json()["next_cursor"]
    assert cursor_before == ""  # the seed was loaded moments ago


def test_work_on_a_withdrawn_record_does_not_move_its_tombstone(api, seed, settled):
    exchange = Exchange.objects.get(official_number=67)
    exchange.status = Status.UNPUBLISHED
    exchange.save()
    from exchanges.models import Change

    tombstone = Change.objects.get(uuid=exchange.uuid)
    exchange.notes_en = "Still being checked."
    exchange.save()
    assert Change.objects.get(uuid=exchange.uuid) == tombstone


# Public versions that move --------------------------------------------------------


def what_partners_see(item):
    """A record's JSON without the fields that say it changed."""
    return {key: value for key, value in item.items() if key not in ("version", "updated_at")}


def test_a_change_to_a_related_record_moves_the_version_of_every_record_showing_it(
    api, seed, settled
):
    from exchanges.models import Category, Organisation

    before = published(api)
    since = timezone.now()
    # Renames of a mediator, a category and a speaker; a party withdrawn.
    mediator = Exchange.objects.get(official_number=67).mediators.get()
    mediator.name_en = "Renamed mediator"
    mediator.save()
    category = Category.objects.filter(exchanges__isnull=False).first()
    category.name_en = "Renamed category"
    category.save()
    speaker = Quote.objects.get().speaker
    speaker.name_en = "Renamed Speaker"
    speaker.save()
    party = Organisation.objects.get(slug="russia")
    party.make("unpublish", None)
    party.save()

    after = published(api)
    changed = {
        key
        for key, item in after.items()
        if what_partners_see(item) != what_partners_see(before[key])
    }
    assert len(changed) > 10
    for key in changed:
        assert after[key]["version"] != before[key]["version"], key
        assert after[key]["updated_at"] > before[key]["updated_at"], key
    # updated_since finds exactly the records whose JSON changed, and ninjs follows.
    found = set()
    for path in LISTS:
        for item in all_pages(api, f"/api/v1/{path}/", updated_since=since.isoformat()):
            found.add((item["type"], item["uuid"]))
    assert found == changed
    kind, uuid = sorted(changed)[0]
    path = {"exchange": "exchanges", "agreement": "agreements", "quote": "quotes"}.get(kind)
    if path:
        ninjs = api.get(f"/api/v1/{path}/{uuid}/", {"format": "ninjs"}).json()
        assert ninjs["version"] == str(after[(kind, uuid)]["version"])


def test_an_embargo_on_one_record_does_not_delay_another_records_change(api, seed, settled):
    partner = Partner(api)
    partner.sync()
    istanbul = Agreement.objects.get(slug="istanbul-2")
    istanbul.notes_en = "A pending update partners must get now."
    istanbul.save()
    # An exchange of it deleted, then a stage of it scheduled for next week.
    gone = istanbul.exchanges.public().order_by("date").first()
    gone.delete()
    ExchangeFactory(
        agreement=istanbul,
        stage=99,
        date=timezone.localdate() - datetime.timedelta(days=1),
        published_at=timezone.now() + datetime.timedelta(days=7),
    )
    partner.sync()
    assert partner.copy == published(api)
    key = ("agreement", str(istanbul.uuid))
    assert partner.copy[key]["notes"]["en"] == "A pending update partners must get now."
    assert ("exchange", str(gone.uuid)) not in partner.copy


def test_change_log_entries_are_dated_when_their_transaction_commits(
    api, seed, settled, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from exchanges.models import Change

    exchange = Exchange.objects.get(official_number=67)
    # The test's own transaction never commits: what was saved before it (the
    # fixtures) commits here, so that the save below opens a transaction's work.
    connection = transaction.get_connection()
    for _ids, callback, _robust in connection.run_on_commit:
        callback()
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        exchange.notes_en = "Written early in a long transaction."
        exchange.save()
        written = Change.objects.get(uuid=exchange.uuid).at
        committing = timezone.now()
    entry = Change.objects.get(uuid=exchange.uuid)
    assert written < committing <= entry.at
    assert entry.action == Change.Action.UPDATED
