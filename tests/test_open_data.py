"""
The open data page and its files: only what the gate lets through (related
records too), cached like every public door, and a round trip through the
importer that changes nothing.
"""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from exchanges import exporting
from exchanges.importing import import_file
from exchanges.layouts import LAYOUTS
from exchanges.models import (
    Agreement,
    Category,
    Exchange,
    Organisation,
    Person,
    Quote,
    Role,
    Status,
    Tally,
)
from exchanges.wording import date_words

from .factories import (
    AgreementFactory,
    ExchangeFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    TallyFactory,
)
from .test_boxes import visible
from .test_import import user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model):
    return user_in(django_user_model, "Editor")


def records(response):
    assert response.status_code == 200, response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return json.loads(response.content)


# The page ----------------------------------------------------------------------------


def test_the_page_lists_every_kind_with_its_count_files_and_columns(client, seed):
    page = client.get("/data/")
    assert page.status_code == 200
    text = visible(page.text)
    for kind, count in [
        ("Exchanges", 22),
        ("Agreements", 3),
        ("Official tallies", 2),
        ("Quotes", 1),
        ("People", 1),
        ("Organisations", 8),
    ]:
        assert f"{kind} {count} CSV · JSON" in text, kind
    for kind in LAYOUTS:
        assert f'href="/data/{kind}.csv"' in page.text
        assert f'href="/data/{kind}.json"' in page.text
    # The data dictionary names and explains every column of every file.
    assert "returned_precision Its qualifier: exact, about, over, at_least" in text
    assert "or unknown (not disclosed: no number)." in text
    # Described for readers of the files, not for editors importing them.
    assert "uuid The record's stable identifier, the same in the API, the feeds and every" in text
    assert "names the record to update" not in text and "May be left empty" not in text
    assert "stated_by" in text and "counted_since" in text
    assert "correction" not in page.text
    assert "The data may be reused under CC BY 4.0. Credit it as: “Newsroom”" in text
    assert 'rel="license"' in page.text


def test_the_page_says_when_the_data_last_changed_and_speaks_ukrainian(client, seed):
    text = visible(client.get("/data/").text)
    assert "Last changed: " in text
    TallyFactory(as_of=datetime.date(2025, 8, 14), exchanges=67, returned=5941)
    today = date_words(timezone.localdate()).replace("\xa0", " ")
    assert f"Last changed: {today}, " in visible(client.get("/data/").text)
    ukrainian = client.get("/data/", {"lang": "uk"})
    assert ukrainian["Content-Language"] == "uk"
    assert "Відкриті дані" in ukrainian.text
    assert client.get("/data/", {"lang": "de"}).status_code == 400


def test_an_empty_site_says_nothing_is_published(client, db):
    text = visible(client.get("/data/").text)
    assert "Nothing has been published yet." in text
    assert "Exchanges 0 CSV · JSON" in text


# The files: only what is public ------------------------------------------------------


def test_the_files_hold_the_published_records_in_the_import_columns(client, seed):
    exchanges = records(client.get("/data/exchanges.csv"))
    assert len(exchanges) == 22
    first = exchanges[0]
    assert list(first) == exporting.exported_columns(LAYOUTS["exchanges"])
    istanbul = [row for row in exchanges if row["agreement"] == "istanbul-2"]
    assert [row["stage"] for row in istanbul][:2] == ["1", "2"]
    over = next(row for row in records(client.get("/data/tallies.json")) if row["agreement"])
    assert (over["returned"], over["returned_precision"]) == (1000, "over")
    response = client.get("/data/exchanges.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="exchanges.json"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/data/exchanges.xml").status_code == 404
    assert client.get("/data/ledgers.csv").status_code == 404


def test_drafts_and_their_names_never_reach_the_files(client, seed):
    hidden = OrganisationFactory(name_en="Secret Mediators", slug="secret-mediators")
    hidden.status = Status.DRAFT
    hidden.save()
    talks = AgreementFactory(title_en="Unannounced talks", slug="unannounced", status=Status.DRAFT)
    shown = ExchangeFactory(date=datetime.date(2025, 7, 3), agreement=talks, stage=1)
    shown.mediators.add(hidden)
    ExchangeFactory(date=datetime.date(2025, 7, 4), status=Status.DRAFT, source_name_en="LEAK-1")
    later = timezone.now() + datetime.timedelta(days=1)
    TallyFactory(as_of=datetime.date(2025, 7, 5), published_at=later, source_name_en="LEAK-2")
    withdrawn = PersonFactory(name_en="Withdrawn Name", slug="withdrawn", status=Status.UNPUBLISHED)
    RoleFactory(person=withdrawn, title_en="LEAK-3 title")
    TallyFactory(as_of=datetime.date(2025, 7, 6), stated_by=withdrawn)

    bodies = "".join(
        client.get(f"/data/{kind}.{format}").content.decode()
        for kind in LAYOUTS
        for format in ("csv", "json")
    )
    for secret in ("secret-mediators", "Secret Mediators", "unannounced", "Unannounced talks"):
        assert secret not in bodies
    for secret in ("LEAK-1", "LEAK-2", "LEAK-3", "withdrawn", "Withdrawn Name"):
        assert secret not in bodies
    row = next(
        row for row in records(client.get("/data/exchanges.json")) if row["uuid"] == str(shown.uuid)
    )
    # The exchange is public; what it names that is not public is left out, not named.
    assert (row["agreement"], row["mediators"]) == ("", [])
    tally = next(
        row for row in records(client.get("/data/tallies.csv")) if row["as_of"] == "2025-07-06"
    )
    assert tally["stated_by"] == ""


# Cached like every door ------------------------------------------------------------


def test_a_file_is_built_once_per_data_version(seed, django_assert_max_num_queries):
    anyone = Client()
    first = anyone.get("/data/exchanges.csv")
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and first["ETag"]
    with django_assert_max_num_queries(1):
        again = anyone.get("/data/exchanges.csv")
    assert again.content == first.content
    with django_assert_max_num_queries(1):
        assert (
            anyone.get("/data/exchanges.csv", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        )
    assert anyone.get("/data/").status_code == 200
    with django_assert_max_num_queries(1):
        assert anyone.get("/data/").status_code == 200
    ExchangeFactory(date=datetime.date(2025, 8, 14), returned=84)
    changed = anyone.get("/data/exchanges.csv")
    assert changed["ETag"] != first["ETag"]
    assert len(records(changed)) == 23


# Round trip: export, import into an empty database, export again --------------------


def empty_database():
    for model in (Quote, Tally, Exchange, Agreement, Role, Person, Organisation, Category):
        model.objects.all().delete()


def import_all(folder, format, user):
    for kind in LAYOUTS:
        report = import_file(folder / f"{kind}.{format}", kind, user, publish=True)
        assert report.ok and report.written, [str(problem) for problem in report.problems]


def cells(path):
    """An XLSX file's cells: the bytes of a zip differ by its timestamps alone."""
    book = load_workbook(path, read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("format", ["csv", "json"])
def test_the_public_files_round_trip_through_an_empty_database(
    client,
    seed,
    editor,
    tmp_path,
    format,
):
    ExchangeFactory(
        date=datetime.date(2025, 8, 14),
        returned=1000,
        returned_precision="between",
        returned_upper=1200,
        notes_en='Said "about", =not a formula',
        notes_uk="Кількість; «понад»",
    )
    before = {kind: client.get(f"/data/{kind}.{format}").content for kind in LAYOUTS}
    for kind, content in before.items():
        (tmp_path / f"{kind}.{format}").write_bytes(content)

    empty_database()
    assert client.get(f"/data/exchanges.{format}").content != before["exchanges"]
    import_all(tmp_path, format, editor)

    after = {kind: client.get(f"/data/{kind}.{format}").content for kind in LAYOUTS}
    for kind in LAYOUTS:
        assert after[kind] == before[kind], kind
    assert Exchange.objects.count() == 23
    # Importing the same files again changes nothing.
    for kind in LAYOUTS:
        report = import_file(tmp_path / f"{kind}.{format}", kind, editor, publish=True)
        assert report.created == report.updated == 0, kind


def test_the_admin_export_round_trips_as_xlsx(seed, editor, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export_data", str(first), format="xlsx", verbosity=0)
    before = {kind: cells(first / f"{kind}.xlsx") for kind in LAYOUTS}
    assert len(before["exchanges"]) == 23  # the header and 22 exchanges

    empty_database()
    import_all(first, "xlsx", editor)
    call_command("export_data", str(second), format="xlsx", verbosity=0)

    for kind in LAYOUTS:
        assert cells(second / f"{kind}.xlsx") == before[kind], kind
