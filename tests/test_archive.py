"""Backups restore exactly: every public answer and the change log, byte for byte."""

import datetime
import gzip
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from reversion.models import Revision, Version

from exchanges import caching
from exchanges.api.views import ChangeCursor
from exchanges.kinds import BOXES, FEEDS, KINDS
from exchanges.models import (
    Change,
    Correction,
    Exchange,
    Organisation,
    PartnerAPIKey,
    Quote,
    Status,
    Tally,
    Transition,
)
from exchanges.seed import stable_uuid

from .factories import ExchangeFactory
from .test_corrections import correct

pytestmark = pytest.mark.django_db

KEYS = {
    "agreement": "istanbul-2",
    "exchange": stable_uuid("exchange", "2025-07-23"),
    "quote": stable_uuid("quote", "yusov-2025-07-28"),
}
# Headers that carry the data: the rest (Vary, Allow, X-Frame-Options…) are the code's.
HEADERS = ["Content-Type", "Content-Language", "ETag", "Last-Modified", "Surrogate-Key"]


@pytest.fixture(autouse=True)
def content_types_renumbered_back():
    """
    ``flush`` numbers content types afresh, and the rollback after each test
    numbers them back: what the process remembers of them is wrong for the next test.
    """
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def newsroom(seed, admin_client, admin_user, settled):
    """Some months of work on the seed: a correction, a withdrawal, a deletion, an embargo."""
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    note = "The official figure was 5,858; one person was counted late."
    assert correct(admin_client, tally, note, returned="5858").status_code == 302
    withdrawn = Exchange.objects.get(date=datetime.date(2025, 6, 10))
    withdrawn.make(Transition.UNPUBLISH, admin_user)
    withdrawn.save()
    Exchange.objects.get(official_number=67).delete()
    mediators = Organisation.objects.filter(slug__in=["turkiye", "united-arab-emirates"])
    ExchangeFactory(date=datetime.date(2025, 8, 20), returned=84).mediators.set(mediators)
    scheduled = ExchangeFactory(
        date=datetime.date(2025, 8, 21),
        published_at=timezone.now() + datetime.timedelta(days=30),
    )
    scheduled.mediators.set(mediators)
    assert scheduled.is_scheduled
    ExchangeFactory(date=datetime.date(2025, 8, 22), status=Status.DRAFT)
    assert Correction.objects.count() == 1
    assert Change.objects.filter(action=Change.Action.DELETED).count() == 1
    assert Change.objects.filter(action=Change.Action.UNPUBLISHED).count() == 1


def flush():
    """
    Empty the database as ``manage.py flush`` does. PostgreSQL cannot empty a
    table with checks still deferred in this test's transaction: they are made first.
    """
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)


def every_page(client, path, params, key="next"):
    """The bodies of every page of a list, following its links."""
    pages = [client.get(path, params)]
    while pages[-1].status_code == 200 and (link := pages[-1].json().get(key)):
        pages.append(client.get(link))
    return pages


def change_log(api, **params):
    """
    Every entry of ``changes/``, page by page. Each cursor also says when it was
    handed out (so a partner that syncs never expires): that part must differ,
    and is left out; the position in the log it names is kept.
    """
    entries, cursor = [], ""
    while True:
        response = api.get("/api/v1/changes/", {"page_size": 10, "since": cursor, **params})
        assert response.status_code == 200, response.content
        body = response.json()
        for entry in body["results"]:
            entries.append({**entry, "cursor": ChangeCursor.decode(entry["cursor"])[:2]})
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return entries


def answer(response):
    return (
        response.status_code,
        {name: response.get(name) for name in HEADERS},
        without_random_ids(response.content),
    )


def without_random_ids(body):
    """
    A box's element ids end in a part drawn afresh each time it is rendered (so
    the same box can appear twice on a page): the one part of an answer that
    differs whenever it is built again, restored or not.
    """
    found = re.search(rb'aria-labelledby="(xb-[\w-]+-)([0-9a-f]{6})"', body)
    if found is None:
        return body
    return body.replace(found.group(1) + found.group(2), found.group(1) + b"random")


def public_answers(client, api, key):
    """Every public answer a reader or partner can get, by address."""
    answers = {}
    for kind in KINDS.values():
        for format in ("json", "ninjs"):
            path = f"/api/v1/{kind.plural}/"
            pages = every_page(api, path, {"format": format, "page_size": 5})
            for number, response in enumerate(pages):
                answers[f"{path}?format={format} page {number}"] = answer(response)
    for plural in FEEDS:
        for suffix in ("atom", "rss", "json"):
            for lang in ("en", "uk"):
                path = f"/feeds/{plural}.{suffix}?key={key}&lang={lang}"
                answers[path] = answer(client.get(path))
    for path in [
        "/api/v1/summary/",
        "/api/v1/summary/?as_of=2025-07-28&lang=uk",
        *(
            f"/embed/{name}/{KEYS[name]}/?lang={lang}" if box.key else f"/embed/{name}/?lang={lang}"
            for name, box in BOXES.items()
            for lang in ("en", "uk")
        ),
        # Pinned boxes, before and after the corrected tally's date.
        "/embed/totals/?as_of=2025-07-28&lang=uk",
        "/embed/timeline/?as_of=2025-06-30&lang=en",
        "/oembed/?url=http%3A%2F%2Ftestserver%2Fembed%2Ftotals%2F%3Fas_of%3D2025-07-28",
    ]:
        answers[path] = answer(client.get(path))
    return answers


def forget_answers():
    """Nothing cached survives, so every answer after the restore is built afresh."""
    cache.clear()
    caching.local.clear()


def archived(**options):
    """The archive of the database as it is now, as text."""
    out = io.StringIO()
    call_command("export_archive", "-", stdout=out, **options)
    return out.getvalue()


def test_an_archive_restores_every_answer_and_the_change_log_exactly(
    newsroom, client, api, partner_key, tmp_path
):
    before = public_answers(client, api, partner_key)
    log = change_log(api)
    log_ninjs = change_log(api, format="ninjs")
    # A partner's cursor from before the backup goes on from the same place.
    cursor = api.get("/api/v1/changes/", {"page_size": 200}).json()["next_cursor"]
    assert len({(entry["type"], entry["uuid"]) for entry in log}) == len(log) > 30
    assert {entry["action"] for entry in log} == {"created", "updated", "unpublished", "deleted"}
    assert sum(len(answer[2]) for answer in before.values()) > 200_000
    assert {status for status, _headers, _body in before.values()} == {200}
    path = tmp_path / "exchanges.jsonl.gz"
    call_command("export_archive", str(path), verbosity=0)
    text = gzip.decompress(path.read_bytes()).decode()
    assert text == archived()
    assert '"model": "reversion.version"' in text and '"model": "auth.user"' in text

    flush()
    forget_answers()
    assert not Exchange.objects.exists() and not get_user_model().objects.exists()
    generation = caching.store().get(caching.GENERATION)
    out = io.StringIO()
    call_command("import_archive", str(path), stdout=out)
    assert out.getvalue() == f"Restored {text.count(chr(10))} objects from {path}.\n"
    # The cache heard of the restore; then answers are built from the restored data.
    assert caching.store().get(caching.GENERATION) != generation
    assert archived() == text
    forget_answers()

    after = public_answers(client, api, partner_key)
    assert after.keys() == before.keys()
    assert [path for path in before if after[path] != before[path]] == []
    assert change_log(api) == log
    assert change_log(api, format="ninjs") == log_ninjs
    assert api.get("/api/v1/changes/", {"since": cursor}).json()["results"] == []
    # The partner's key is restored hashed and still opens the API and the feeds.
    assert PartnerAPIKey.objects.is_valid(partner_key)
    assert client.get(f"/feeds/exchanges.atom?key={partner_key}").status_code == 200
    assert client.get("/feeds/exchanges.atom?key=nope.nope").status_code == 401
    # History: the editor's correction is theirs, and the revert form still reads it.
    revision = Revision.objects.get(comment__contains="5,858")
    assert revision.user.username == "admin"
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    assert Version.objects.get_for_object(tally).first().field_dict["returned"] == 5858


def test_a_second_restore_is_refused_and_writes_nothing(newsroom, tmp_path):
    path = tmp_path / "exchanges.jsonl"
    call_command("export_archive", str(path), verbosity=0)
    text = path.read_text()
    Exchange.objects.filter(date=datetime.date(2025, 8, 22)).delete()  # a draft: no log entry
    changed = archived()
    with pytest.raises(CommandError) as refusal:
        call_command("import_archive", str(path), verbosity=0)
    assert str(refusal.value).startswith("The database already holds ")
    assert "exchanges" in str(refusal.value) and "changes" in str(refusal.value)
    assert str(refusal.value).endswith(
        "or pass --replace to delete them first. Nothing was restored."
    )
    assert archived() == changed

    # Since the backup, an account was locked (deactivated, password changed).
    admin = get_user_model().objects.get(username="admin")
    admin.is_active = False
    admin.set_password("rotated after a leak")
    admin.save()

    # With --replace it is emptied first, in the same transaction, signals silent.
    call_command("import_archive", "-", replace=True, verbosity=0, stdin=io.StringIO(text))
    # The data is back as it was; the account is left as it is now, never unlocked.
    admin.refresh_from_db()
    assert not admin.is_active and admin.check_password("rotated after a leak")
    admin.is_active = True
    archived_admin = next(line for line in text.splitlines() if '"auth.user"' in line)
    admin.password = json.loads(archived_admin)["fields"]["password"]
    admin.save()
    assert archived() == text


def test_a_broken_archive_writes_nothing(newsroom, tmp_path):
    lines = archived().splitlines(keepends=True)
    flush()
    path = tmp_path / "broken.jsonl"
    path.write_text("".join([*lines[:-5], '{"model": "exchanges.exchange", "pk": 1, "fi']))
    with pytest.raises(CommandError, match="could not be restored; nothing was written"):
        call_command("import_archive", str(path), verbosity=0)
    assert archived() == ""
    assert not get_user_model().objects.exists()


def test_an_account_is_never_taken_over(newsroom, tmp_path, django_user_model):
    """Accounts keep their numbers (the history names them so): none is overwritten."""
    path = tmp_path / "exchanges.jsonl"
    call_command("export_archive", str(path), verbosity=0)
    (admin,) = [
        item
        for item in map(json.loads, path.read_text().split("\n")[:-1])
        if item["model"] == "auth.user"
    ]
    flush()
    other = django_user_model.objects.create(pk=admin["pk"], username="someone-else")
    with pytest.raises(CommandError, match="is “someone-else” here but “admin” in the archive"):
        call_command("import_archive", str(path), verbosity=0)
    other.delete()
    django_user_model.objects.create(pk=admin["pk"] + 1, username="admin")
    with pytest.raises(CommandError, match=rf"“admin” is #{admin['pk'] + 1} here but #"):
        call_command("import_archive", str(path), verbosity=0)
    assert archived() == ""


def test_loading_a_fixture_leaves_the_change_log_as_it_was(api, seed, settled, tmp_path):
    """The 37 → 54 bug: loaddata set links after its raw saves, and the log heard of it."""
    log = change_log(api)
    versions = list(Exchange.objects.values_list("uuid", "version", "updated_at").order_by("pk"))
    quote = Quote.objects.get()
    fixture = tmp_path / "exchanges.xml"  # JSON would keep times to the millisecond only
    call_command("dumpdata", "exchanges", format="xml", output=str(fixture), verbosity=0)
    flush()
    call_command("loaddata", str(fixture), verbosity=0)
    assert change_log(api) == log
    assert len({(entry["type"], entry["uuid"]) for entry in log}) == len(log) == 37
    assert list(Exchange.objects.values_list("uuid", "version", "updated_at").order_by("pk")) == (
        versions
    )
    assert Quote.objects.get().version == quote.version
