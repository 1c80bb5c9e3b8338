"""
Importing spreadsheets: the shared exchanges file, figures as officials write
them, back-filled tallies that pinned boxes show, every kind of bad input with
its message and nothing written, skipping bad rows on purpose, importing twice,
the history, and the workflow's rules for whoever imports.
"""

import datetime
import io
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models.signals import pre_save
from reversion.models import Version

from exchanges.cells import read_figure
from exchanges.figures import QUALIFIED, Figure, Precision
from exchanges.importing import ImportRefused, import_file
from exchanges.layouts import LAYOUTS
from exchanges.models import (
    Agreement,
    AuditEvent,
    Category,
    Change,
    Correction,
    Exchange,
    Organisation,
    Person,
    Status,
    Tally,
)

from .test_boxes import render, visible
from .test_pinned import box

pytestmark = pytest.mark.django_db

ORGANISATIONS = """slug;name;name_uk;short_name;kind
ukraine;Ukraine;Україна;;state
russia;Russia;Росія;;state
united-arab-emirates;United Arab Emirates;Об'єднані Арабські Емірати;UAE;state
turkiye;Türkiye;Туреччина;;state
saudi-arabia;Saudi Arabia;Саудівська Аравія;;state
"""


def user_in(django_user_model, group, name=None):
    user = django_user_model.objects.create_user(name or group.lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return user_in(django_user_model, "Editor")


@pytest.fixture
def reporter(django_user_model):
    return user_in(django_user_model, "Reporter")


def run(kind, content, user, name="file.csv", **options):
    data = content.encode() if isinstance(content, str) else content
    return import_file(io.BytesIO(data), kind, user, name=name, **options)


def read(path):
    with open(path, "rb") as file:
        return file.read()


def test_the_shared_exchanges_file_gives_22_exchanges_with_their_figures(editor):
    assert run("organisations", ORGANISATIONS, editor, publish=True).ok
    assert run("agreements", read("exchanges/data/agreements.csv"), editor, publish=True).ok

    report = run("exchanges", read("exchanges/data/exchanges.csv"), editor, name="exchanges.csv")

    assert report.ok and report.written, [str(p) for p in report.problems]
    assert (report.created, report.updated, report.unchanged) == (22, 0, 0)
    assert Exchange.objects.count() == 22
    # Drafts: the editor did not ask to publish.
    assert set(Exchange.objects.values_list("status", flat=True)) == {Status.DRAFT}
    about = Exchange.objects.get(date=datetime.date(2025, 7, 23))
    assert (about.returned, about.returned_precision) == (250, Precision.ABOUT)
    assert about.returned_figure.words("en") == "about 250"
    assert (about.agreement.slug, about.stage, about.counts_toward_tally) == (
        "istanbul-2",
        9,
        False,
    )
    undisclosed = Exchange.objects.filter(returned_precision=Precision.UNKNOWN)
    assert undisclosed.count() == 5 and not undisclosed.filter(returned__isnull=False).exists()
    first = Exchange.objects.get(date=datetime.date(2022, 9, 21))
    assert (first.returned, first.handed_over) == (215, 56)
    assert sorted(first.mediators.values_list("slug", flat=True)) == ["saudi-arabia", "turkiye"]
    assert first.source_url.startswith("https://kyivindependent.com/")
    assert Exchange.objects.get(official_number=67).returned == 84
    assert sorted(Category.objects.values_list("name_en", flat=True)) == [
        "civilians",
        "military",
        "seriously ill and severely wounded",
        "under 25",
    ]
    assert report.new_categories == [] or set(report.new_categories) <= set(
        Category.objects.values_list("name_en", flat=True)
    )


@pytest.mark.parametrize(
    "written, value, precision, upper",
    [
        ("5,857", 5857, Precision.EXACT, None),
        ("5 857", 5857, Precision.EXACT, None),
        ("5\u00a0857", 5857, Precision.EXACT, None),
        ("5857", 5857, Precision.EXACT, None),
        ("over 1,000", 1000, Precision.OVER, None),
        ("more than 1000", 1000, Precision.OVER, None),
        ("at least 7,000", 7000, Precision.AT_LEAST, None),
        ("about 250", 250, Precision.ABOUT, None),
        ("nearly 1,200", 1200, Precision.NEARLY, None),
        ("up to 300", 300, Precision.UP_TO, None),
        ("fewer than 50", 50, Precision.FEWER_THAN, None),
        ("1,000–1,200", 1000, Precision.BETWEEN, 1200),
        ("1000-1200", 1000, Precision.BETWEEN, 1200),
        ("1,000 to 1,200", 1000, Precision.BETWEEN, 1200),
        ("between 1,000 and 1,200", 1000, Precision.BETWEEN, 1200),
        ("від 1 000 до 1 200", 1000, Precision.BETWEEN, 1200),
        ("понад 1 000", 1000, Precision.OVER, None),
        ("щонайменше 7 000", 7000, Precision.AT_LEAST, None),
        ("not disclosed", None, Precision.UNKNOWN, None),
        ("не розголошено", None, Precision.UNKNOWN, None),
        ("", None, Precision.UNKNOWN, None),
    ],
)
def test_figures_as_officials_write_them(editor, written, value, precision, upper):
    report = run("exchanges", f'date,returned,source\n2024-03-01,"{written}",Agency\n', editor)
    assert report.ok, [str(p) for p in report.problems]
    exchange = Exchange.objects.get()
    assert (exchange.returned, exchange.returned_precision, exchange.returned_upper) == (
        value,
        precision,
        upper,
    )


@pytest.mark.parametrize("lang", ["en", "uk"])
@pytest.mark.parametrize(
    "figure",
    [Figure(5857), Figure(None, Precision.UNKNOWN), Figure(1000, Precision.BETWEEN, 1200)]
    + [Figure(1000, precision) for precision in QUALIFIED],
    ids=str,
)
def test_a_figure_as_the_boxes_word_it_reads_back_as_itself(lang, figure):
    """A figure copied from a box (or a box's CSV) into a spreadsheet imports unchanged."""
    words = figure.words(lang)
    assert read_figure(words) == (
        figure.value,
        None if figure.precision == Precision.EXACT else figure.precision,
        figure.upper,
    ), words


# The layout the issue gives for tallies, exactly.
TALLIES = (
    (
        "as_of,scope,agreement,exchanges,exchanges_precision,returned,returned_precision,"
        "stated_by,source\n"
    )
    + """2022-10-02,scheduled,,20,exact,"1,047",exact,Coordination Headquarters,"Babel, 2022-10-02"
2023-12-31,,,48,,over 2500,,Andrii Yusov,"Suspilne, 31 December 2023"
2024-12-30,,,59,,"3 956",,andrii-yusov,"Ukrinform, 30 December 2024"
2026-01-15,,,72,,"at least 6,000",,andrii-yusov,"Suspilne, 15 January 2026"
"""
)


def test_tallies_published_on_import_show_in_boxes_pinned_to_their_dates(seed, editor):
    report = run("tallies", TALLIES, editor, name="tallies.csv", publish=True)

    assert report.ok, [str(p) for p in report.problems]
    assert (report.created, report.published) == (4, 4)
    by_organisation = Tally.objects.get(as_of=datetime.date(2022, 10, 2))
    assert by_organisation.stated_by_organisation.slug == "coordination-headquarters"
    assert by_organisation.status == Status.PUBLISHED
    day = datetime.timedelta(days=1)
    expected = [
        (datetime.date(2022, 10, 2), "Ukraine has brought back 1,047 people in 20 exchanges."),
        (
            datetime.date(2023, 12, 31),
            "Ukraine has brought back over 2,500 people in 48 exchanges.",
        ),
        (datetime.date(2024, 12, 30), "Ukraine has brought back 3,956 people in 59 exchanges."),
        (
            datetime.date(2026, 1, 15),
            "Ukraine has brought back at least 6,000 people in 72 exchanges.",
        ),
    ]
    for as_of, headline in expected:
        assert headline in box(as_of), as_of
        assert headline in box(as_of + 30 * day) or as_of.year == 2025
    assert "No official figure had been published by 1 October 2022." in box(
        datetime.date(2022, 10, 1)
    )
    assert "Україна повернула 1 047 осіб за 20 обмінів." in box(datetime.date(2022, 10, 2), "uk")
    # Four back-filled statements, and the article's own still shows on its date.
    assert "5,857" in box(datetime.date(2025, 7, 28))


def test_the_tally_example_in_the_editors_guide_does_what_it_says(seed, editor):
    guide = read("docs/editors.md").decode()
    example = re.search(r"A tally file, for example.*?```csv\n(.*?)```", guide, re.S)[1]
    report = run("tallies", example, editor, name="tallies.csv", publish=True)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.created, report.published) == (4, 4)
    # “Published on import, each shows in the boxes pinned to its date.”
    assert "Ukraine has brought back 1,456 people" in box(datetime.date(2022, 12, 31))
    assert "Ukraine has brought back 3,135 people in 50 exchanges" in box(datetime.date(2024, 2, 8))
    assert "at least 7,000" in box(datetime.date(2026, 1, 15))
    pinned = visible(render('{% factbox "agreement" "istanbul-2" as_of="2025-06-20" lang="en" %}'))
    assert "over 1,000" in pinned, pinned


def test_an_exchange_or_tally_dated_before_its_agreement_is_a_bad_row(seed, editor):
    report = run(
        "tallies",
        "as_of,scope,agreement,returned,stated_by,source\n"
        "2025-06-01,agreement,istanbul-2,1000,andrii-yusov,Agency\n",
        editor,
    )
    agreement = Agreement.objects.get(slug="istanbul-2")
    assert [str(problem) for problem in report.problems] == [
        f"Line 2, column “as_of”: This is before {agreement} was agreed (2025-06-02): check "
        "the date, or the agreement."
    ]
    report = run(
        "exchanges", "date,agreement,returned,source\n2025-05-30,istanbul-2,10,Agency\n", editor
    )
    assert [problem.column for problem in report.problems] == ["date"]


def test_the_history_names_the_importing_user(seed, editor):
    run("tallies", TALLIES, editor, name="tallies.csv", publish=True)
    tally = Tally.objects.get(as_of=datetime.date(2023, 12, 31))
    revision = Version.objects.get_for_object(tally).get().revision
    assert revision.user == editor
    assert revision.comment == "Imported from tallies.csv, line 3"
    published = AuditEvent.objects.get(action=AuditEvent.Action.PUBLISH, subject_uuid=tally.uuid)
    assert published.user == editor


EXCHANGES = "date,returned,returned_precision,official_number,agreement,stage,counts_toward_tally,mediators,source"  # noqa: E501
COLUMNS = ", ".join(LAYOUTS["exchanges"].column_names)

# kind, file, then each problem as (line, column, message).
BAD_INPUT = [
    (
        "bad date",
        "exchanges",
        f"{EXCHANGES}\n2025-13-45,100,,,,,,,Agency\n",
        [(2, "date", "“2025-13-45” is not a date: write it as YYYY-MM-DD, e.g. 2025-05-23.")],
    ),
    (
        "date in the future",
        "exchanges",
        f"{EXCHANGES}\n2099-01-01,100,,,,,,,Agency\n",
        [(2, "date", "This date is in the future; record events once they have happened.")],
    ),
    (
        "negative number",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,-5,,,,,,,Agency\n",
        [(2, "returned", "A number of people or exchanges cannot be negative.")],
    ),
    (
        "not a number",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,lots,,,,,,,Agency\n",
        [(2, "returned", "“lots” is not a whole number: write digits, e.g. 5857 or 5,857.")],
    ),
    (
        "unknown agreement slug",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,,istanbul-9,1,,,Agency\n",
        [
            (
                2,
                "agreement",
                "There is no agreement “istanbul-9”; add it first, or check the spelling.",
            )
        ],
    ),
    (
        "qualifier that contradicts the value",
        "exchanges",
        f'{EXCHANGES}\n2024-02-01,"over 1,000",exact,,,,,,Agency\n',
        [
            (
                2,
                "returned",
                "“over 1,000” contradicts its qualifier “exact” in returned_precision.",
            )
        ],
    ),
    (
        "a number with the qualifier unknown",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,unknown,,,,,,Agency\n",
        [
            (
                2,
                "returned",
                "Leave the number empty when its qualifier is “unknown”, or choose the "
                "qualifier the source gave.",
            )
        ],
    ),
    (
        "a qualifier that does not exist",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,roughly,,,,,,Agency\n",
        [
            (
                2,
                "returned_precision",
                "“roughly” is not a qualifier: use one of exact, about, over, at_least, nearly, "
                "fewer_than, up_to, between, unknown.",
            )
        ],
    ),
    (
        "a range whose upper number is lower",
        "exchanges",
        f'{EXCHANGES}\n2024-02-01,"1,200–1,000",,,,,,,Agency\n',
        [(2, "returned", "The upper number of a range must be greater than the lower.")],
    ),
    (
        "official number of another exchange",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,67,,,,,Agency\n",
        [(2, "official_number", "Official number 67 is already the Exchange of 2025-08-14.")],
    ),
    (
        "the same official number twice in the file",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,90,,,,,Agency\n2024-02-02,100,,90,,,,,Agency\n",
        [(3, "official_number", "Official number 90 is already the Exchange of 2024-02-01.")],
    ),
    (
        "the same exchange twice in the file",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,,,,,,Agency\n2024-02-01,120,,,,,,,Agency\n",
        [(3, None, "This row is about the same exchange as line 2: Exchange of 2024-02-01.")],
    ),
    (
        "a stage without its agreement",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,,,2,,,Agency\n",
        [(2, "stage", "Choose the agreement this stage belongs to, or leave the stage empty.")],
    ),
    (
        "neither yes nor no",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,,,,maybe,,Agency\n",
        [(2, "counts_toward_tally", "“maybe” is not yes or no.")],
    ),
    (
        "unknown mediator",
        "exchanges",
        f"{EXCHANGES}\n2024-02-01,100,,,,,,Atlantis,Agency\n",
        [
            (
                2,
                "mediators",
                "There is no organisation “Atlantis”; add it first, or check the spelling.",
            )
        ],
    ),
    (
        "missing column",
        "exchanges",
        "returned,source\n100,Agency\n",
        [(1, None, "The file has no column “date”, which exchanges need.")],
    ),
    (
        "misspelt column",
        "exchanges",
        "date,retruned,source\n2024-02-01,100,Agency\n",
        [(1, None, f"There is no column “retruned” for exchanges: the columns are {COLUMNS}.")],
    ),
    (
        "wrong encoding",
        "exchanges",
        "date,returned,source\n2024-02-01,100,Agency\n2024-02-02,90,Agência\n".encode("latin-1"),
        [
            (
                3,
                None,
                "The file is not UTF-8 text (byte 0xEA): save it as “CSV UTF-8” and import it "
                "again.",
            )
        ],
    ),
    (
        "a row longer than the header",
        "exchanges",
        "date,returned,source\n2024-02-01,100,Agency,extra\n",
        [(2, None, "This row has 4 cells but the header has 3 columns.")],
    ),
    (
        "not a UUID",
        "exchanges",
        "uuid,date,returned,source\nnot-a-uuid,2024-02-01,100,Agency\n",
        [(2, "uuid", "“not-a-uuid” is not a UUID.")],
    ),
    (
        "a tally with no source",
        "tallies",
        "as_of,returned,stated_by,source\n2024-02-01,100,andrii-yusov,\n",
        [
            (
                2,
                "source",
                "A tally needs its source: the outlet or document and its date, a link, or both.",
            )
        ],
    ),
    (
        "unknown person",
        "tallies",
        "as_of,returned,stated_by,source\n2024-02-01,100,Nobody,Agency\n",
        [
            (
                2,
                "stated_by",
                "There is no person or organisation “Nobody”; add them first, or check the "
                "spelling.",
            )
        ],
    ),
    (
        "a scheduled tally naming an agreement",
        "tallies",
        "as_of,scope,agreement,returned,stated_by,source\n"
        "2025-07-01,scheduled,istanbul-2,100,andrii-yusov,Agency\n",
        [
            (
                2,
                "agreement",
                "A scheduled tally covers all scheduled exchanges; clear the agreement or "
                "change the scope to “one agreement”.",
            )
        ],
    ),
    (
        "JSON that is not a list of records",
        "exchanges",
        '{"date": "2024-02-01"}',
        [(None, None, 'The JSON file should hold a list of records: [{"column": value, …}, …].')],
    ),
    (
        "an unknown role of the speaker",
        "tallies",
        "as_of,returned,stated_by,roles,source\n2024-02-01,100,andrii-yusov,Minister,Agency\n",
        [
            (
                2,
                "roles",
                "This person has no role “Minister”; add it first, or check the spelling.",
            )
        ],
    ),
]


def counts():
    """Everything an import could write, counted."""
    return [
        model.objects.count()
        for model in (
            Exchange,
            Tally,
            Agreement,
            Organisation,
            Person,
            Category,
            Version,
            Change,
            AuditEvent,
            Correction,
        )
    ]


@pytest.mark.parametrize(
    "kind, content, problems", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_named_and_nothing_is_written(seed, editor, kind, content, problems):
    before = counts()
    for dry_run in (True, False):
        report = run(kind, content, editor, dry_run=dry_run, publish=True)
        assert [(p.line, p.column, p.message) for p in report.problems] == problems
        assert not report.written
        assert counts() == before


def test_there_are_at_least_fifteen_kinds_of_bad_input():
    assert len(BAD_INPUT) >= 15


def test_a_dry_run_says_what_would_happen_and_writes_nothing(seed, editor):
    before = counts()
    content = (
        "date,returned,source,correction\n"
        "2024-02-01,100,Agency,\n"  # new
        "2025-08-14,85,UNITED24 Media,85 not 84\n"  # the exchange of that day: corrected
        '2025-08-24,154,"UNN, 2025-08-24",\n'  # as it is
    )
    report = run("exchanges", content, editor, dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert report.summary() == ("Would create 1, update 1 and leave 1 exchanges as they are.")
    assert counts() == before


def test_bad_rows_are_skipped_only_when_the_editor_says_so(seed, editor):
    content = (
        "date,returned,source\n"
        "2024-02-01,100,Agency\n"
        "2024-02-02,-1,Agency\n"
        "2024-02-03,120,Agency\n"
        "2024-13-01,10,Agency\n"
    )
    refused = run("exchanges", content, editor)
    assert not refused.written and refused.bad_rows == 2
    assert refused.summary() == (
        "Nothing was written. 2 bad rows: fix them, or skip the bad rows, and import again."
    )
    assert not Exchange.objects.filter(date__year=2024, date__month=2).exists()

    report = run("exchanges", content, editor, skip_bad_rows=True)
    assert report.written and (report.created, report.bad_rows) == (2, 2)
    assert [p.line for p in report.problems] == [3, 5]
    assert sorted(
        Exchange.objects.filter(date__year=2024, date__month=2).values_list("returned", flat=True)
    ) == [100, 120]
    assert report.summary() == (
        "Created 2, updated 0 and left 0 exchanges as they are. 2 bad rows skipped."
    )


def test_importing_the_same_file_twice_changes_nothing(seed, editor):
    first = run("tallies", TALLIES, editor, publish=True)
    assert first.created == 4
    before = counts()
    versions = {tally.pk: tally.version for tally in Tally.objects.all()}

    again = run("tallies", TALLIES, editor, publish=True)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert counts() == before
    assert {tally.pk: tally.version for tally in Tally.objects.all()} == versions


def test_a_record_saved_by_someone_else_mid_import_is_a_bad_row_not_a_crash(seed, editor):
    """Between a row's check and its save, another editor saves the same stage."""
    agreement = Agreement.objects.get(slug="istanbul-2")

    def meanwhile(sender, instance, **kwargs):
        if instance.pk is None and instance.stage == 7:
            pre_save.disconnect(meanwhile, sender=Exchange)  # once, and not for its own save
            Exchange.objects.create(
                date=datetime.date(2025, 7, 1), agreement=agreement, stage=7, returned=5
            )

    pre_save.connect(meanwhile, sender=Exchange)
    try:
        report = run(
            "exchanges",
            "date,agreement,stage,returned,source\n2025-07-01,istanbul-2,7,8484,Agency\n",
            editor,
        )
    finally:
        pre_save.disconnect(meanwhile, sender=Exchange)

    assert [str(problem) for problem in report.problems] == [
        "Line 2: Someone saved a record this row would duplicate while the file was being "
        "imported: check the file again."
    ]
    assert not report.written
    assert not Exchange.objects.filter(returned=8484).exists()


def test_the_seed_exchanges_file_matches_the_seeded_exchanges(seed, editor):
    report = run("exchanges", read("exchanges/data/exchanges.csv"), editor, publish=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 22)


def test_a_uuid_names_the_record_to_update(seed, editor):
    exchange = Exchange.objects.get(official_number=67)
    report = run(
        "exchanges",
        f"uuid,date,returned,source,correction\n{exchange.uuid},2025-08-14,85,Agency,"
        '"85 returned, not 84."\n',
        editor,
    )
    assert (report.created, report.updated) == (0, 1), [str(p) for p in report.problems]
    exchange.refresh_from_db()
    assert exchange.returned == 85 and exchange.status == Status.PUBLISHED
    correction = Correction.objects.get(object_id=exchange.pk)
    assert correction.note_en == "85 returned, not 84."
    assert correction.corrected_by == editor
    assert "returned" in correction.fields


def test_a_file_of_uuids_changes_only_its_columns(seed, editor):
    exchange = Exchange.objects.get(official_number=67)
    tally = Tally.objects.get(as_of=datetime.date(2025, 7, 28), scope="scheduled")
    before = (exchange.date, exchange.source_name_en, exchange.notes_en)

    report = run(
        "exchanges",
        f'uuid,returned,correction\n{exchange.uuid},85,"85 returned, not 84."\n',
        editor,
    )
    assert (report.updated, report.problems) == (1, [])
    # The check lists what each update changes, by the file's columns.
    assert report.samples["updated"] == [(2, "Exchange of 2025-08-14 (returned)")]
    exchange.refresh_from_db()
    assert exchange.returned == 85
    assert (exchange.date, exchange.source_name_en, exchange.notes_en) == before

    # A tally's required source stays as it is when the file has no source column.
    report = run("tallies", f"uuid,notes\n{tally.uuid},Said on air.\n", editor)
    assert (report.updated, report.problems) == (1, [])
    tally.refresh_from_db()
    assert tally.notes_en == "Said on air." and tally.source_name_en

    # A row that would create a record needs the columns a new one needs.
    report = run(
        "exchanges", "uuid,returned\n,85\n00000000-0000-4000-8000-000000000000,9\n", editor
    )
    assert [str(problem) for problem in report.problems] == [
        "Line 2, column “uuid”: This row names no exchange by UUID; a new one needs the "
        "columns date.",
        "Line 3, column “uuid”: No exchange has this UUID; a new one needs the columns date.",
    ]


def test_a_json_record_leaves_the_keys_it_does_not_have_as_they_are(seed, editor):
    first = Exchange.objects.get(official_number=67)
    second = Exchange.objects.filter(returned__gt=0).exclude(pk=first.pk).first()
    before = (first.notes_en, second.returned, second.returned_precision)
    records = [
        {"uuid": str(first.uuid), "returned": 85, "correction": "85 returned, not 84."},
        {"uuid": str(second.uuid), "notes": "Checked with the ombudsman."},
    ]
    report = run("exchanges", json.dumps(records), editor, name="fix.json")
    assert (report.updated, report.problems) == (2, [])
    assert [columns for _record, columns in report.samples["updated"]] == [
        f"{first} (returned)",
        f"{second} (notes)",
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.returned == 85 and first.notes_en == before[0]
    assert second.notes_en == "Checked with the ombudsman."
    assert (second.returned, second.returned_precision) == before[1:]

    # A record that would create one needs every column a new one needs; JSON's
    # problems count records, not lines.
    records = [{"uuid": str(first.uuid), "notes": "Checked."}, {"returned": 5}]
    report = run("exchanges", json.dumps(records), editor, name="new.json")
    assert [str(problem) for problem in report.problems] == [
        "Record 2, column “uuid”: This row names no exchange by UUID; a new one needs the "
        "columns date."
    ]
    report = run("exchanges", json.dumps([{"returned": 5}]), editor, name="new.json")
    assert [str(problem) for problem in report.problems] == [
        "The file has no column “date”, which exchanges need."
    ]


def test_a_published_record_is_named_as_stored_not_as_the_file_would_make_it(seed, editor):
    exchange = Exchange.objects.get(official_number=67)
    report = run("exchanges", f"uuid,date,returned\n{exchange.uuid},2026-08-04,90\n", editor)
    assert [str(problem) for problem in report.problems] == [
        f"Line 2, column “date”: {exchange} is published: changing date, people returned "
        "needs a correction note in the “correction” column, which readers and partners will see."
    ]
    assert "2026-08-04" not in str(report.problems[0])


def test_a_category_written_with_stray_punctuation_is_the_one_that_exists(seed, editor):
    report = run("exchanges", "date,returned,categories,source\n2024-02-01,5,Military.,A\n", editor)
    assert (report.created, report.problems, report.new_categories) == (1, [], [])
    assert [c.slug for c in Exchange.objects.get(date="2024-02-01").categories.all()] == [
        "military"
    ]


def test_the_summary_names_the_kind_in_the_editors_language(editor):
    from django.utils import translation

    report = run("tallies", "as_of,returned,source\n2024-02-01,5,Agency\n", editor, dry_run=True)
    with translation.override("uk"):
        summary = report.summary()
    assert "exchanges" not in summary and "tallies" not in summary
    assert "офіційн" in summary.lower(), summary


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "fake.xlsx",
            b"hello, not a workbook",
            "The file is not an Excel workbook (.xlsx): File is not a zip file",
        ),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50),
            "This is an old Excel workbook (.xls): open it in Excel, save it as .xlsx or "
            "“CSV UTF-8”, and import that.",
        ),
        ("broken.json", b"date,returned\n", "Line 1: The file is not JSON: Expecting value."),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_whole(editor, db, name, content, message):
    report = import_file(io.BytesIO(content), "exchanges", editor, name=name)
    assert [str(problem) for problem in report.problems] == [message]
    assert report.unreadable and not report.written
    assert report.summary() == (
        "This file cannot be imported as it is: fix what is listed, then check it again. "
        "Nothing was written."
    )


def test_a_file_with_a_header_and_no_rows_says_so(editor, db):
    report = run("exchanges", "date,returned,source\n", editor)
    assert report.summary() == "The file has no rows to import. Nothing was written."


def test_a_published_figure_changes_only_with_a_correction_note(seed, editor):
    report = run("exchanges", "date,returned,source\n2025-08-14,85,UNITED24 Media\n", editor)
    assert [str(problem) for problem in report.problems] == [
        "Line 2, column “returned”: Exchange of 2025-08-14 is published: changing people "
        "returned needs a correction note in the “correction” column, which readers and "
        "partners will see."
    ]
    assert Exchange.objects.get(official_number=67).returned == 84


def test_a_reporter_imports_drafts_and_cannot_touch_published_records(seed, reporter):
    with pytest.raises(ImportRefused, match="You may not publish exchanges"):
        run("exchanges", "date,returned,source\n2024-02-01,100,Agency\n", reporter, publish=True)

    report = run(
        "exchanges",
        "date,returned,source,correction\n2024-02-01,100,Agency,\n2025-08-14,85,UNITED24 Media,"
        "Fixed\n",
        reporter,
    )
    assert [str(problem) for problem in report.problems] == [
        "Line 3: Exchange of 2025-08-14 is published: only an editor may change it."
    ]
    assert not report.written
    assert Exchange.objects.get(official_number=67).returned == 84

    drafts = run("exchanges", "date,returned,source\n2024-02-01,100,Agency\n", reporter)
    assert drafts.written and Exchange.objects.get(date="2024-02-01").status == Status.DRAFT


def test_publishing_follows_the_workflow_rules(seed, editor):
    draft_speaker = Person.objects.create(name_en="Draft Speaker", slug="draft-speaker")
    report = run(
        "tallies",
        "as_of,returned,stated_by,source\n2024-02-01,100,draft-speaker,Agency\n",
        editor,
        publish=True,
    )
    assert [str(problem) for problem in report.problems] == [
        "Line 2, column “stated_by”: Publish Draft Speaker first: readers must see who said it."
    ]
    # As a draft it may be imported; publishing waits for the speaker.
    assert run(
        "tallies", "as_of,returned,stated_by,source\n2024-02-01,100,draft-speaker,Agency\n", editor
    ).written
    assert Tally.objects.get(stated_by=draft_speaker).status == Status.DRAFT


def test_semicolons_a_byte_order_mark_and_spreadsheet_headers(editor):
    content = "\ufeffDate;Returned;Returned precision;Source\n2024-02-01;5 857;;Agency\n"
    report = run("exchanges", content.encode("utf-8"), editor)
    assert report.ok, [str(p) for p in report.problems]
    assert Exchange.objects.get().returned == 5857


def test_json_and_xlsx_files(editor):
    from openpyxl import Workbook

    records = [
        {"date": "2024-02-01", "returned": 100, "source": "Agency", "categories": ["a", "b"]}
    ]
    assert run("exchanges", json.dumps(records), editor, name="x.json").created == 1

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "returned", "returned_precision", "source"])
    sheet.append([datetime.date(2024, 2, 2), 1200, "at least", "Agency"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run("exchanges", buffer.getvalue(), editor, name="x.xlsx")
    assert report.created == 1, [str(p) for p in report.problems]
    exchange = Exchange.objects.get(date="2024-02-02")
    assert (exchange.returned, exchange.returned_precision) == (1200, Precision.AT_LEAST)
    assert sorted(
        Exchange.objects.get(date="2024-02-01").categories.values_list("name_en", flat=True)
    ) == ["a", "b"]

    # A formula a program wrote and Excel never computed has no value: never “not disclosed”.
    sheet.append([datetime.date(2024, 2, 3), "=SUM(1,2)", "", "Agency"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run("exchanges", buffer.getvalue(), editor, name="x.xlsx")
    assert [str(problem) for problem in report.problems] == [
        "Line 3: Column “returned” holds the formula =SUM(1,2) with no value saved: open the "
        "workbook in Excel and save it, or paste the values."
    ]
    assert not Exchange.objects.filter(date="2024-02-03").exists()


def test_an_excel_date_cell_with_a_time_is_its_day(editor):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["date", "returned", "source"])
    book.active.append([datetime.datetime(2024, 2, 4, 14, 30), 5, "Agency"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run("exchanges", buffer.getvalue(), editor, name="x.xlsx")
    assert report.created == 1, [str(p) for p in report.problems]
    assert Exchange.objects.get().date == datetime.date(2024, 2, 4)


def test_the_command_checks_imports_and_refuses(seed, editor, tmp_path, capsys):
    path = tmp_path / "tallies.csv"
    path.write_text(TALLIES, encoding="utf-8")

    call_command("import_data", str(path), kind="tallies", user="editor", dry_run=True)
    assert (
        "Would create 4, update 0 and leave 0 official tallies as they are."
        in capsys.readouterr().out
    )
    assert not Tally.objects.filter(as_of=datetime.date(2022, 10, 2)).exists()

    call_command("import_data", str(path), kind="tallies", user="editor", publish=True)
    assert "4 of them published." in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text("as_of,returned,stated_by,source\n2024-02-01,-1,andrii-yusov,A\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_data", str(bad), kind="tallies", user="editor")
    assert "Line 2, column “returned”: A number of people" in capsys.readouterr().err
    with pytest.raises(CommandError, match="no user"):
        call_command("import_data", str(bad), kind="tallies", user="nobody")


class Terminal(io.StringIO):
    """Standard error as a terminal: where the commands draw their progress bars."""

    def isatty(self):
        return True


def test_the_commands_show_rows_done_rate_and_time_left_on_a_terminal(seed, editor, tmp_path):
    path = tmp_path / "tallies.csv"
    path.write_text(TALLIES, encoding="utf-8")
    terminal = Terminal()
    call_command(
        "import_data",
        str(path),
        kind="tallies",
        user="editor",
        stdout=io.StringIO(),
        stderr=terminal,
    )
    # tqdm's bar: rows done of the total, time spent < time left, rate.
    assert re.search(r"4/4 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+ rows/s\]", terminal.getvalue())

    terminal, out = Terminal(), io.StringIO()
    call_command(
        "export_data", str(tmp_path / "out"), kind=["exchanges"], stdout=out, stderr=terminal
    )
    count = Exchange.objects.count()
    assert re.search(rf"exchanges: 100%.*{count}/{count} \[", terminal.getvalue())
    assert f"Wrote {count} exchanges to" in out.getvalue()
    # Piped into a log, no bar at all.
    piped = io.StringIO()
    call_command("export_data", str(tmp_path / "out"), kind=["exchanges"], stdout=out, stderr=piped)
    assert piped.getvalue() == ""


def test_a_large_import_queues_one_purge_and_one_dating_for_its_commit(
    seed, editor, django_capture_on_commit_callbacks
):
    """Work per commit, not per row: 10,000 rows must not hold 40,000 callbacks."""
    from django.db import transaction

    from exchanges.caching import purge

    connection = transaction.get_connection()
    for _ids, callback, _robust in connection.run_on_commit:  # the fixtures' work commits
        callback()
    connection.run_on_commit.clear()
    purged = []

    def heard(sender, keys, **kwargs):
        purged.append(keys)

    rows = "".join(f"2024-03-{day:02},{day},Agency\n" for day in range(1, 31))
    purge.connect(heard)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            report = run("exchanges", "date,returned,source\n" + rows, editor, publish=True)
    finally:
        purge.disconnect(heard)

    assert report.created == report.published == 30
    assert len(callbacks) == 2  # the purge, and the dating of the change log
    assert len(purged) == 1 and {"exchanges-live", "exchanges-as-of-2024"} <= set(purged[0])
    imported = Exchange.objects.filter(date__year=2024, date__month=3)
    entries = Change.objects.filter(uuid__in=imported.values("uuid"))
    assert entries.count() == 30


def test_a_category_made_by_a_skipped_row_is_made_again_for_a_good_one(seed, editor):
    """The bad row's savepoint takes its new category away; the next row must not use its id."""
    content = (
        "date,returned,categories,source\n"
        "2024-04-01,abc,Brand New,Agency\n"
        "2024-04-02,5,Other New,Agency\n"
        "2024-04-03,6,Brand New,Agency\n"
    )
    report = run("exchanges", content, editor, skip_bad_rows=True)
    assert (report.created, report.bad_rows, report.written) == (2, 1, True)
    assert report.new_categories == ["Other New", "Brand New"]
    filed = {
        exchange.returned: [category.name_en for category in exchange.categories.all()]
        for exchange in Exchange.objects.filter(date__year=2024, date__month=4)
    }
    assert filed == {5: ["Other New"], 6: ["Brand New"]}


def test_a_reporter_cannot_give_a_published_person_a_role_by_import(seed, reporter):
    report = run(
        "roles",
        "person,title,organisation\nandrii-yusov,Press officer,defence-intelligence\n",
        reporter,
    )
    assert [str(problem) for problem in report.problems] == [
        "Line 2: Andrii Yusov is published: an editor adds or changes their roles."
    ]
    assert not report.written


def test_updating_needs_the_permission_to_change(seed, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="add_exchange"))
    exchange = Exchange.objects.get(official_number=67)
    report = run("exchanges", f"uuid,notes\n{exchange.uuid},Changed.\n", clerk)
    assert [str(problem) for problem in report.problems] == ["Line 2: You may not change exchange."]


def test_files_that_break_the_readers_are_bad_files_not_crashes(editor, db):
    huge = json.dumps([{"date": "2024-02-01"}])[:-2] + ', "returned": ' + "9" * 5000 + "}]"
    report = run("exchanges", huge, editor, name="huge.json")
    assert report.unreadable and report.problems[0].message.startswith("The file is not JSON:")
    deep = "[" * 100_000 + "]" * 100_000
    assert run("exchanges", deep, editor, name="deep.json").unreadable
    nul = run("exchanges", "date,returned,notes,source\n2024-02-01,5,a\x00b,Agency\n", editor)
    assert [str(problem) for problem in nul.problems] == [
        "Line 2: Column “notes” holds a NUL character, which text cannot hold."
    ]


def test_a_workbook_past_the_row_limit_is_refused_whatever_its_dimension_says(editor, db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["date", "returned", "source"])
    for day in (1, 2, 3):
        sheet.append([f"2024-02-0{day}", day, "Agency"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    report = import_file(buffer, "exchanges", editor, name="x.xlsx", max_rows=2)
    assert [str(problem) for problem in report.problems] == [
        "The file has more than 2 rows; the admin imports at most 2 at once. Split it, or ask "
        "for it to be imported with “manage.py import_data”."
    ]
    assert not report.written and not Exchange.objects.exists()


def test_dating_at_commit_leaves_entries_dated_ahead_alone(seed):
    from django.utils import timezone

    from exchanges.changes import date_on_commit

    exchange = Exchange.objects.get(official_number=67)
    ahead = timezone.now() + datetime.timedelta(days=2)
    later = Change.objects.create(kind="exchange", uuid=exchange.uuid, action="updated", at=ahead)
    past = Change.objects.create(
        kind="exchange", uuid=exchange.uuid, action="updated", at=timezone.now()
    )
    date_on_commit([later.pk, past.pk])
    later.refresh_from_db()
    past.refresh_from_db()
    assert later.at == ahead and past.at > ahead - datetime.timedelta(days=2)
