"""
Spreadsheets in the admin, as an editor uses them: check a file, read what it
would do and its bad rows, import it (or only its good rows, on purpose), and
export the list as filtered.
"""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from exchanges.models import Exchange, Role, Status, Tally

from .test_security import staff

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:exchanges_exchange_import")
GOOD = "date,returned,source\n2024-02-01,100,Agency\n2024-02-02,over 120,Agency\n"
BAD = "date,returned,source\n2024-02-01,100,Agency\n2024-02-02,-5,Agency\n"


def signed_in(django_user_model, name, role):
    client = Client()
    client.force_login(staff(django_user_model, name, role))
    return client


@pytest.fixture
def editor(django_user_model):
    return signed_in(django_user_model, "editor", "Editor")


@pytest.fixture
def reporter(django_user_model):
    return signed_in(django_user_model, "reporter", "Reporter")


def check(client, content, name="exchanges.csv", **fields):
    form = client.get(IMPORT)
    token = form.context["token"]
    upload = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(IMPORT, {"file": upload, "progress": token, **fields}), token


def test_the_list_offers_import_and_export(seed, editor):
    page = editor.get(reverse("admin:exchanges_exchange_changelist") + "?status__exact=draft")
    html = page.content.decode()
    assert f'href="{IMPORT}"' in html
    for format in ("csv", "xlsx", "json"):
        # The export keeps the list's filter.
        link = reverse("admin:exchanges_exchange_export", args=[format]) + "?status__exact=draft"
        assert f'href="{link}"' in html
    assert "Recover deleted exchanges" in html  # django-reversion's link stays


def test_check_then_import_as_an_editor(seed, editor):
    checked, token = check(editor, GOOD, publish="on")

    assert checked.status_code == 200
    assert "Would create 2, update 0 and leave 0 exchanges as they are." in checked.content.decode()
    assert "2 of them published." in checked.content.decode()
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()
    assert "Import and publish" in checked.content.decode()

    imported = editor.post(IMPORT, {"token": token, "name": "exchanges.csv", "publish": "1"})

    assert imported.status_code == 302
    assert imported["Location"] == reverse("admin:exchanges_exchange_changelist")
    new = Exchange.objects.filter(date__year=2024, date__month=2)
    assert sorted(new.values_list("status", "returned")) == [
        (Status.PUBLISHED, 100),
        (Status.PUBLISHED, 120),
    ]
    listing = editor.get(imported["Location"]).content.decode()
    assert "Created 2, updated 0 and left 0 exchanges as they are. 2 of them published." in listing
    progress = editor.get(reverse("admin:exchanges_exchange_import_progress", args=[token]))
    assert progress.json() == {"done": 2, "total": 2}
    # The file is gone once imported: the same token imports nothing again.
    again = editor.post(IMPORT, {"token": token, "name": "exchanges.csv"})
    assert (
        again.status_code == 302
        and Exchange.objects.filter(date__year=2024, date__month=2).count() == 2
    )


def test_bad_rows_are_shown_and_skipped_only_on_purpose(seed, editor):
    checked, token = check(editor, BAD)
    html = checked.content.decode()
    assert (
        "<td>3</td><td>returned</td><td>A number of people or exchanges cannot be negative.</td>"
        in html
    )
    assert "Skip the bad row and import the rest" in html
    assert "Import as drafts" not in html
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()

    # Posting without the skip choice writes nothing, and says why.
    refused = editor.post(IMPORT, {"token": token, "name": "exchanges.csv"})
    assert refused.status_code == 200
    assert "Nothing was written. 1 bad row" in refused.content.decode()
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()

    skipped = editor.post(IMPORT, {"token": token, "name": "exchanges.csv", "skip_bad_rows": "1"})
    assert skipped.status_code == 302
    assert list(
        Exchange.objects.filter(date__year=2024, date__month=2).values_list("returned", flat=True)
    ) == [100]


def test_a_file_longer_than_the_admin_takes_is_sent_to_the_command(seed, editor, settings):
    settings.EXCHANGES_IMPORT_MAX_ROWS = 2
    rows = "".join(f"2024-02-0{day},{day},Agency\n" for day in (1, 2, 3))
    checked, _token = check(editor, "date,returned,source\n" + rows)
    html = checked.content.decode()
    assert "The file has 3 rows; the admin imports at most 2 at once." in html
    assert "manage.py import_data" in html
    assert "Skip the" not in html  # a file refused whole is never half-imported
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()

    settings.EXCHANGES_IMPORT_MAX_ROWS = 3
    checked, _token = check(editor, "date,returned,source\n" + rows)
    assert "Would create 3, update 0" in checked.content.decode()

    # The limit counts rows: notes of two lines and the blank rows Excel leaves are none.
    rows = "".join(f'2024-02-0{day},{day},Agency,"First line\nsecond line"\n' for day in (4, 5, 6))
    checked, _token = check(editor, "date,returned,source,notes\n" + rows + ",,,\n\n\n")
    html = checked.content.decode()
    assert "Would create 3, update 0 and leave 0 exchanges as they are." in html, html
    assert "at most" not in html


def test_a_file_that_cannot_be_read_offers_no_skip(seed, editor):
    form = editor.get(IMPORT)
    token = form.context["token"]
    content = "date,returned,source\n2024-02-01,100,Agency\n2024-02-02,5,Caf\xe9\n".encode("cp1252")
    upload = SimpleUploadedFile("mixed.csv", content, content_type="text/csv")
    checked = editor.post(IMPORT, {"file": upload, "progress": token})
    html = checked.content.decode()
    assert "This file cannot be imported as it is" in html
    assert "save it as “CSV UTF-8”" in html
    assert "Skip the" not in html and "Import as drafts" not in html
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()


def test_a_reporter_imports_drafts_only(seed, reporter):
    form = reporter.get(IMPORT)
    assert "publish" not in form.context["form"].fields
    checked, token = check(reporter, GOOD, publish="on")
    assert "published" not in checked.content.decode().split("import-summary")[1].split("</p>")[0]
    # A forged publish flag is ignored: a reporter's import stays a draft.
    reporter.post(IMPORT, {"token": token, "name": "x.csv", "publish": "1"})
    assert set(
        Exchange.objects.filter(date__year=2024, date__month=2).values_list("status", flat=True)
    ) == {Status.DRAFT}


def test_another_users_file_cannot_be_imported(seed, editor, django_user_model):
    _checked, token = check(editor, GOOD)
    other = signed_in(django_user_model, "other", "Editor")
    response = other.post(IMPORT, {"token": token, "name": "x.csv"}, follow=True)
    assert "That file is no longer here: upload it again." in response.content.decode()
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()


def test_a_file_of_another_type_is_refused_at_the_form(editor, db):
    response, _token = check(editor, "hello", name="notes.docx")
    assert response.context["form"].errors["file"] == [
        "Choose a .csv, .xlsx or .json file; “notes.docx” is none of these."
    ]


def test_partner_managers_cannot_import(seed, django_user_model):
    client = signed_in(django_user_model, "partners", "Partner manager")
    assert client.get(IMPORT).status_code == 403


def test_export_follows_the_lists_filter(seed, editor):
    draft = Exchange.objects.get(official_number=67)
    draft.status = Status.DRAFT
    draft.save()
    export = reverse("admin:exchanges_exchange_export", args=["csv"])

    response = editor.get(export + "?status__exact=draft")

    assert response["Content-Disposition"].startswith('attachment; filename="exchanges-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # so that Excel reads the Ukrainian text as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [(row["uuid"], row["returned"], row["official_number"]) for row in rows] == [
        (str(draft.uuid), "84", "67")
    ]
    everything = json.loads(
        b"".join(
            editor.get(reverse("admin:exchanges_exchange_export", args=["json"])).streaming_content
        )
    )
    assert len(everything) == 22
    book = load_workbook(
        io.BytesIO(
            b"".join(
                editor.get(
                    reverse("admin:exchanges_exchange_export", args=["xlsx"])
                ).streaming_content
            )
        ),
        read_only=True,
    )
    sheet_rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(sheet_rows) == 23 and sheet_rows[0][:3] == ("uuid", "date", "returned")
    assert editor.get(export + "?no_such_filter=1").status_code == 400


def test_roles_import_from_their_list(seed, editor):
    address = reverse("admin:exchanges_role_import")
    form = editor.get(address)
    upload = SimpleUploadedFile(
        "roles.csv",
        b"person,title,organisation,from\nandrii-yusov,Spokesperson,ukraine,2023-01-01\n",
    )
    checked = editor.post(address, {"file": upload, "progress": form.context["token"]})
    assert "Would create 1, update 0 and leave 0 roles as they are." in checked.content.decode()
    editor.post(address, {"token": form.context["token"], "name": "roles.csv"})
    assert Role.objects.filter(title_en="Spokesperson", person__slug="andrii-yusov").exists()


def test_tallies_import_in_the_browser(
    browser, live_server, transactional_db, django_user_model, tmp_path
):
    """The page is the point: an editor picks a file, reads the check, imports."""
    from exchanges.seed import load_seed

    load_seed()
    staff(django_user_model, "chief", is_superuser=True)
    path = tmp_path / "tallies.csv"
    path.write_text(
        "as_of;exchanges;returned;stated_by;source\n"
        "2023-12-31;48;over 2 500;Andrii Yusov;Suspilne, 31 December 2023\n",
        encoding="utf-8-sig",
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}{reverse('admin:exchanges_tally_changelist')}")
    # Import, three exports, recovery and add: under the title, not over it.
    title, tools = page.locator("#content h1").bounding_box(), page.locator(".object-tools")
    assert tools.locator("li").count() == 6
    assert tools.bounding_box()["y"] >= title["y"] + title["height"]
    page.click("text=Import")
    page.set_input_files("input[type=file]", str(path))
    page.check("input[name=publish]")
    page.click("input[value='Check the file']")
    assert "Would create 1, update 0 and leave 0 official tallies as they are." in page.inner_text(
        ".import-summary"
    )
    page.click("input[value='Import and publish']")
    page.wait_for_url(f"{live_server.url}{reverse('admin:exchanges_tally_changelist')}")
    assert "Created 1, updated 0" in page.inner_text(".messagelist")
    context.close()
    tally = Tally.objects.get(as_of="2023-12-31")
    assert (tally.returned, tally.returned_precision, tally.status) == (
        2500,
        "over",
        Status.PUBLISHED,
    )


def test_a_json_file_is_checked_record_by_record_in_the_editors_language(seed, editor):
    records = [
        {"date": "2024-02-01", "returned": 100, "source": "Agency"},
        {"date": "2024-02-02", "returned": -5, "source": "Agency"},
    ]
    checked, _token = check(editor, json.dumps(records), name="fix.json")
    html = checked.content.decode()
    assert '<th scope="col">Record</th>' in html
    assert "<li>Record 1: Exchange of 2024-02-01</li>" in html, html
    assert "A number of people or exchanges cannot be negative." in html
    # The same in Ukrainian, the kind named as the admin names it.
    editor.cookies["django_language"] = "uk"
    checked, _token = check(editor, json.dumps(records), name="fix.json")
    html = checked.content.decode()
    assert '<th scope="col">Запис</th>' in html
    assert "обміни" in html.split("import-summary")[1].split("</p>")[0].lower()
