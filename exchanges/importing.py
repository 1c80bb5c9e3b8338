"""
Importing spreadsheets: CSV, XLSX and JSON, one kind of record per file.

An import is all or nothing. Every row is read, checked and saved inside one
transaction, each in a savepoint of its own; if any row is bad, everything is
rolled back, unless the editor chose to skip the bad rows. A dry run does all
of it and always rolls back, so what it reports is exactly what the import
would do. Rows are read one at a time from the file, so memory does not grow
with its length.

Every row goes through the rules of the admin form: the model's validation,
the workflow (drafts, unless the importing user may publish and asks to),
the correction note a published figure needs, and a history entry under the
importing user.
"""

import codecs
import csv
import io
import itertools
import json
import zipfile
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .cells import cell_text, read_cell
from .history import same
from .layouts import Lookups, Row, layout_named
from .models import Correction, Record, Statement, Status, Transition

# What a report keeps to show; it counts everything.
MAX_PROBLEMS = 500
MAX_SAMPLES = 200


class FileError(ValueError):
    """The file as a whole cannot be read: nothing is imported."""

    def __init__(self, message, line=None, column=None):
        super().__init__(message)
        self.line, self.column = line, column


class ImportRefused(PermissionError):
    """The user may not do this import (publish, or import this kind at all)."""


@dataclass
class Problem:
    line: int | None
    column: str | None
    message: str
    record: bool = False  # ``line`` counts a JSON file's records, not its lines

    def __str__(self):
        where = []
        if self.line is not None and self.record:
            where.append(_("Record %(line)s") % {"line": self.line})
        elif self.line is not None:
            where.append(_("Line %(line)s") % {"line": self.line})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class Report:
    """What an import did, or, for a dry run, would do."""

    kind: str  # the kind's name as people read it: “exchanges”, “обміни”
    dry_run: bool = False
    skip_bad_rows: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    bad_rows: int = 0
    written: bool = False
    unreadable: bool = False  # a file-level problem: nothing can be imported, not even skipping
    problems: list = field(default_factory=list)
    samples: dict = field(default_factory=lambda: {"created": [], "updated": []})
    new_categories: list = field(default_factory=list)
    records: bool = False  # rows are a JSON file's records, counted from 1

    def problem(self, line, column, message, record=None):
        if len(self.problems) < MAX_PROBLEMS:
            record = self.records if record is None else record
            self.problems.append(Problem(line, column, str(message), record))

    def sample(self, action, line, record, columns=()):
        """The first rows of each action, as “Exchange of 2025-03-19 (returned, notes)”."""
        if len(self.samples[action]) < MAX_SAMPLES:
            text = str(record)
            if columns:
                text = f"{text} ({', '.join(columns)})"
            self.samples[action].append((line, text))

    @property
    def ok(self):
        return not self.problems

    def summary(self):
        """One sentence: what was (or would be) created, updated and left alone."""
        counts = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kind": self.kind,
        }
        if self.unreadable:
            return _(
                "This file cannot be imported as it is: fix what is listed, then check it "
                "again. Nothing was written."
            )
        if not self.rows:
            return _("The file has no rows to import. Nothing was written.")
        if self.dry_run:
            text = _(
                "Would create %(created)s, update %(updated)s and leave %(unchanged)s "
                "%(kind)s as they are."
            )
        elif self.written:
            text = _(
                "Created %(created)s, updated %(updated)s and left %(unchanged)s %(kind)s "
                "as they are."
            )
        else:
            text = _("Nothing was written.")
        text = text % counts
        if self.published and (self.written or self.dry_run):
            text += " " + ngettext(
                "%(count)s of them published.", "%(count)s of them published.", self.published
            ) % {"count": self.published}
        if self.bad_rows:
            if self.skip_bad_rows:
                text += " " + ngettext(
                    "%(count)s bad row skipped.", "%(count)s bad rows skipped.", self.bad_rows
                ) % {"count": self.bad_rows}
            else:
                text += " " + ngettext(
                    "%(count)s bad row: fix it, or skip the bad rows, and import again.",
                    "%(count)s bad rows: fix them, or skip the bad rows, and import again.",
                    self.bad_rows,
                ) % {"count": self.bad_rows}
        return text


# Reading files -------------------------------------------------------------------


def file_format(name, head):
    """csv, xlsx or json, by the file's first bytes, else by its name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Excel format
        raise FileError(
            _(
                "This is an old Excel workbook (.xls): open it in Excel, save it as .xlsx "
                "or “CSV UTF-8”, and import that."
            )
        )
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped[:1] in (b"[", b"{") or name.lower().endswith(".json"):
        return "json"
    if name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def header_name(text):
    """“Official number” → official_number."""
    return "_".join(cell_text(text).lower().replace("-", " ").split())


class Uncomputed(str):
    """A spreadsheet formula whose value was never saved (made by a program, not Excel)."""


def is_formula(value):
    return isinstance(value, str) and value.startswith("=")


# The cell of a key a JSON record does not have.
ABSENT = object()


class Table:
    """The rows of a file as (line, {column: text}), read one at a time."""

    def __init__(self, file, name, layout):
        self.file = file
        self.layout = layout
        head = file.read(8)
        file.seek(0)
        self.format = file_format(name, head)
        self.total = None
        self.counted = True  # whether ``total`` is the real number of rows
        self.columns = None
        self.source = {"csv": self.csv_rows, "xlsx": self.xlsx_rows, "json": self.json_rows}[
            self.format
        ]()

    def check_header(self, names, line=1):
        """The file's columns, by their names in the layout; refused when one is wrong."""
        columns = []
        known = self.layout.column_names
        for text in names:
            name = header_name(text)
            name = self.layout.aliases.get(name, name)
            if not name:
                columns.append(None)
                continue
            if name in columns:
                raise FileError(
                    _("The column “%(column)s” appears twice.") % {"column": name}, line
                )
            if name not in known:
                raise FileError(
                    _("There is no column “%(column)s” for %(kind)s: the columns are %(columns)s.")
                    % {"column": text, "kind": self.layout.name, "columns": ", ".join(known)},
                    line,
                )
            columns.append(name)
        missing = [name for name in self.layout.required() if name not in columns]
        if missing and "uuid" not in columns:  # rows naming records by UUID may update a few
            raise FileError(
                ngettext(
                    "The file has no column “%(columns)s”, which %(kind)s need.",
                    "The file has no columns “%(columns)s”, which %(kind)s need.",
                    len(missing),
                )
                % {"columns": "”, “".join(missing), "kind": self.layout.name},
                line,
            )
        self.columns = columns
        return columns

    def cells(self, values, line):
        for name, value in zip(self.columns, values, strict=False):
            if isinstance(value, str) and "\x00" in value:
                raise RowError(
                    _("Column “%(column)s” holds a NUL character, which text cannot hold.")
                    % {"column": name}
                )
            if isinstance(value, Uncomputed):
                raise RowError(
                    _(
                        "Column “%(column)s” holds the formula %(formula)s with no value saved: "
                        "open the workbook in Excel and save it, or paste the values."
                    )
                    % {"column": name, "formula": value}
                )
        if len(values) > len(self.columns) and any(
            cell_text(v) for v in values[len(self.columns) :]
        ):
            raise RowError(
                _("This row has %(cells)s cells but the header has %(columns)s columns.")
                % {"cells": len(values), "columns": len(self.columns)}
            )
        return {
            name: read_cell(value)
            for name, value in zip(self.columns, values, strict=False)
            if name is not None and value is not ABSENT
        }

    def __iter__(self):
        return self.source

    def csv_rows(self):
        first = next(self.decoded_lines(), "")
        delimiter = max([",", ";", "\t"], key=first.count)
        line = 1
        try:
            # Rows, not lines: a cell may hold line breaks, and blank rows are none.
            reader = csv.reader(self.decoded_lines(), delimiter=delimiter)
            self.total = max(sum(1 for values in reader if any(map(str.strip, values))) - 1, 0)
            reader = csv.reader(self.decoded_lines(), delimiter=delimiter)
            self.check_header(next(reader, []))
            while True:
                line = reader.line_num + 1
                values = next(reader, None)
                if values is None:
                    return
                yield line, values
        except csv.Error as error:
            raise FileError(_("The file is not CSV: %(error)s.") % {"error": error}, line) from None

    def decoded_lines(self):
        """The file's lines as text, each decoded alone, so a bad byte names its line."""
        self.file.seek(0)
        for number, raw in enumerate(self.file, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise FileError(
                    _(
                        "The file is not UTF-8 text (byte %(byte)s): save it as “CSV UTF-8” "
                        "and import it again."
                    )
                    % {"byte": f"0x{raw[error.start]:02X}"},
                    number,
                ) from None
            yield text.removeprefix("\ufeff") if number == 1 else text

    def xlsx_rows(self):
        import openpyxl  # only when a workbook is imported
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(self.file, read_only=True, data_only=True)
            # The same sheet as written, to tell a formula Excel never computed
            # (no stored value) from an empty cell.
            written = openpyxl.load_workbook(self.file, read_only=True, data_only=False)
        except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as error:
            raise FileError(
                _("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": error}
            ) from None
        if not book.worksheets:
            raise FileError(_("The workbook has no sheet."))
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            formulas = written.worksheets[0].iter_rows(values_only=True)
            self.total = max((sheet.max_row or 1) - 1, 0)  # for progress: may count styled rows
            self.counted = False
            self.check_header(next(rows, ()))
            next(formulas, None)
            for line, (values, as_written) in enumerate(zip(rows, formulas, strict=False), start=2):
                yield (
                    line,
                    [
                        Uncomputed(text) if value is None and is_formula(text) else value
                        for value, text in itertools.zip_longest(values, as_written)
                    ],
                )
        except FileError:
            raise
        except (KeyError, ValueError, SyntaxError, EOFError, zipfile.BadZipFile) as error:
            # A sheet whose XML is cut short or broken (SyntaxError: the XML parser's).
            raise FileError(
                _("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": error}
            ) from None
        finally:
            book.close()
            written.close()

    def json_rows(self):
        text = io.TextIOWrapper(self.file, encoding="utf-8-sig")
        try:
            data = json.load(text)
        except UnicodeDecodeError:
            raise FileError(_("The file is not UTF-8 text.")) from None
        except json.JSONDecodeError as error:
            raise FileError(
                _("The file is not JSON: %(error)s.") % {"error": error.msg}, error.lineno
            ) from None
        except (ValueError, RecursionError) as error:  # a 5,000-digit number, nesting too deep
            raise FileError(_("The file is not JSON: %(error)s.") % {"error": error}) from None
        if isinstance(data, dict):
            data = data.get("records")
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise FileError(
                _('The JSON file should hold a list of records: [{"column": value, …}, …].')
            )
        self.total = len(data)
        names = list(dict.fromkeys(key for item in data for key in item))
        self.check_header(names, line=None)  # JSON has no header line
        for number, item in enumerate(data, start=1):
            # A key a record leaves out is a column it leaves as it is, not an empty cell.
            yield number, [item.get(name, ABSENT) for name in names]


class RowError(ValueError):
    """A row that cannot be split into cells."""


class BadRow(Exception):
    """Rolls a bad row's savepoint back; its errors are on the row."""


# Importing ------------------------------------------------------------------------


def may_publish(user, model):
    return user.has_perm(f"exchanges.publish_{model._meta.model_name}")


def may_change(user, record, layout):
    """Whether ``user`` may change this existing record (or its guarding person)."""
    guard = record.person if layout.guarded_by else record
    if isinstance(guard, Record) and guard.status not in (Status.DRAFT, Status.REVIEW):
        return may_publish(user, type(guard))
    return True


class Import:
    """One file into one kind of record, as ``user``."""

    def __init__(
        self,
        kind,
        user,
        publish=False,
        skip_bad_rows=False,
        dry_run=False,
        progress=None,
        max_rows=None,
    ):
        self.layout = layout_named(kind)
        self.model = self.layout.model
        self.user = user
        self.publish = publish
        self.dry_run = dry_run
        self.progress = progress
        self.max_rows = max_rows
        self.report = Report(
            self.model._meta.verbose_name_plural, dry_run=dry_run, skip_bad_rows=skip_bad_rows
        )
        self.lookups = Lookups()
        self.seen = {}  # record pk → the line that named it
        self.file_name = ""

    def check_permission(self):
        opts = self.model._meta
        if not self.user.has_perm(f"exchanges.add_{opts.model_name}"):
            raise ImportRefused(_("You may not add %(kind)s.") % {"kind": opts.verbose_name_plural})
        if (
            self.publish
            and issubclass(self.model, Record)
            and not may_publish(self.user, self.model)
        ):
            raise ImportRefused(
                _(
                    "You may not publish %(kind)s: import them as drafts, and an editor "
                    "publishes them."
                )
                % {"kind": opts.verbose_name_plural}
            )

    def run(self, file, name):
        """Import ``file`` (a binary file object) called ``name``; returns the report."""
        self.check_permission()
        self.file_name = name
        report = self.report
        with transaction.atomic():
            try:
                table = Table(file, name, self.layout)
                report.records = table.format == "json"
                for line, values in table:
                    self.check_size(table)
                    self.import_line(table, line, values)
                    if self.progress:
                        self.progress(report.rows, table.total)
            except FileError as error:
                # A file's problem names a line of the file, JSON's too.
                report.problem(error.line, error.column, error, record=False)
                report.bad_rows += 1
                report.unreadable = True
                report.skip_bad_rows = False  # a file that cannot be read is never half-read
            report.new_categories = self.lookups.new_categories
            refused = report.bad_rows and not report.skip_bad_rows
            if self.dry_run or refused:
                transaction.set_rollback(True)
            else:
                report.written = True
        return report

    def check_size(self, table):
        """
        Refuse a file larger than this door takes: before its first row when its
        length is known (CSV, JSON), else (a workbook's own count may include
        empty formatted rows) when its rows run past the limit.
        """
        if not self.max_rows:
            return
        if table.counted and not self.report.rows and (table.total or 0) > self.max_rows:
            raise FileError(
                _(
                    "The file has %(rows)s rows; the admin imports at most %(max)s at once. "
                    "Split it, or ask for it to be imported with “manage.py import_data”."
                )
                % {"rows": table.total, "max": self.max_rows}
            )
        if not table.counted and self.report.rows >= self.max_rows:
            raise FileError(
                _(
                    "The file has more than %(max)s rows; the admin imports at most %(max)s at "
                    "once. Split it, or ask for it to be imported with “manage.py import_data”."
                )
                % {"max": self.max_rows}
            )

    def import_line(self, table, line, values):
        report = self.report
        try:
            cells = table.cells(values, line)
        except RowError as error:
            report.rows += 1
            report.bad_rows += 1
            report.problem(line, None, error)
            return
        if not any(cells.values()):
            return
        report.rows += 1
        row = Row(line, cells, self.lookups)
        self.lookups.row_started()
        try:
            with transaction.atomic():
                self.import_row(row)
                if row.errors:
                    raise BadRow
        except BadRow:
            self.lookups.row_rolled_back()
            report.bad_rows += 1
            for column, message in row.errors.items():
                report.problem(line, column, message)
        except IntegrityError:
            # Checked a moment ago, refused now: someone saved the same record meanwhile.
            self.lookups.row_rolled_back()
            report.bad_rows += 1
            report.problem(
                line,
                None,
                _(
                    "Someone saved a record this row would duplicate while the file was "
                    "being imported: check the file again."
                ),
            )

    def import_row(self, row):
        layout, report = self.layout, self.report
        reading = layout.read(row)
        if row.errors:
            return
        record = layout.find(row, reading)
        if row.errors:
            return
        if record is not None and record.pk in self.seen:
            row.fail(
                None,
                _("This row is about the same %(kind)s as line %(line)s: %(record)s.")
                % {
                    "kind": self.model._meta.verbose_name,
                    "line": self.seen[record.pk],
                    "record": record,
                },
            )
            return
        creating = record is None
        missing = [name for name in layout.required() if name not in row.cells]
        if creating and missing:
            if row.text("uuid"):
                message = _("No %(kind)s has this UUID; a new one needs the columns %(columns)s.")
            else:
                message = _(
                    "This row names no %(kind)s by UUID; a new one needs the columns %(columns)s."
                )
            names = {"kind": self.model._meta.verbose_name, "columns": ", ".join(missing)}
            row.fail("uuid", message % names)
            return
        if creating:
            record = layout.new(row, reading)
        elif not self.user.has_perm(f"exchanges.change_{self.model._meta.model_name}"):
            row.fail(
                None, _("You may not change %(kind)s.") % {"kind": self.model._meta.verbose_name}
            )
            return
        elif not may_change(self.user, record, layout):
            row.fail(
                None,
                _("%(record)s is published: only an editor may change it.") % {"record": record},
            )
            return
        # Messages and the check name a record as stored, before the file changes it.
        label = None if creating else str(record)
        changed = self.assign(row, record, reading)
        if creating and layout.guarded_by and not may_change(self.user, record, layout):
            # A published person's roles are theirs to change only by an editor, as in the form.
            row.fail(
                None,
                _("%(person)s is published: an editor adds or changes their roles.")
                % {"person": record.person},
            )
            return
        publishing = (
            self.publish and isinstance(record, Record) and record.status != Status.PUBLISHED
        )
        if not creating and not changed and not publishing:
            report.unchanged += 1
            self.seen[record.pk] = row.line
            return
        correction = None if creating else self.correction(row, record, label, changed)
        if row.errors:
            return
        self.validate(row, record, publishing)
        if row.errors:
            return
        with reversion.create_revision():
            reversion.set_user(self.user)
            reversion.set_comment(
                _("Imported from %(file)s, line %(line)s")
                % {"file": self.file_name, "line": row.line}
            )
            if publishing:
                record.make(Transition.PUBLISH, self.user)
            record.save()
            for name, records in reading.many.items():
                getattr(record, name).set(records)
            if reading.translations:
                layout.save_translations(record, reading.translations)
            if publishing and isinstance(record, Statement):
                record.freeze_attribution()
            if correction:
                Correction.objects.create(record=record, corrected_by=self.user, **correction)
        self.seen[record.pk] = row.line
        if creating:
            report.created += 1
        else:
            report.updated += 1
        report.published += publishing
        if creating:
            report.sample("created", row.line, record)
        else:
            # What an update changes, by the columns the editor wrote.
            columns = dict.fromkeys(layout.column_of(name) or name for name in changed)
            report.sample("updated", row.line, label, columns)

    def assign(self, row, record, reading):
        """Set the row's values on ``record``: the names of the fields that change."""
        changed = []
        if record.pk is not None:
            # An update changes only what the file has columns for.
            reading.fields = {
                name: value
                for name, value in reading.fields.items()
                if self.layout.given(row, name)
            }
            reading.many = {
                name: value for name, value in reading.many.items() if self.layout.given(row, name)
            }
        for name, value in reading.fields.items():
            field = record._meta.get_field(name)
            if field.many_to_one:
                current = getattr(record, field.attname)
                new = value.pk if value is not None else None
            else:
                current, new = getattr(record, name), value
            if not same(current, new):
                changed.append(name)
            setattr(record, name, value)
        for name, records in reading.many.items():
            current = (
                set(getattr(record, name).values_list("pk", flat=True)) if record.pk else set()
            )
            if current != {item.pk for item in records}:
                changed.append(name)
        if reading.translations and record.pk:
            current = {
                item.language: (item.text, item.translator) for item in record.translations.all()
            }
            if any(current.get(code) != value for code, value in reading.translations.items()):
                changed.append("translations")
        elif reading.translations:
            changed.append("translations")
        return changed

    def correction(self, row, record, label, changed):
        """The public note a published record's changed figures need, from the row."""
        corrected = [name for name in changed if name in getattr(record, "corrected_fields", ())]
        if not corrected or record.status != Status.PUBLISHED:
            return None
        note = row.text("correction")
        if not note:
            labels = ", ".join(str(record._meta.get_field(name).verbose_name) for name in corrected)
            row.fail(
                self.layout.column_of(corrected[0]),
                _(
                    "%(record)s is published: changing %(fields)s needs a correction note "
                    "in the “correction” column, which readers and partners will see."
                )
                % {"record": label, "fields": labels},
            )
            return None
        return {"note_en": note, "note_uk": row.text("correction_uk"), "fields": corrected}

    def validate(self, row, record, publishing):
        """The model's own checks, and the workflow's before publishing."""
        if publishing:
            errors = record.transition_errors(Transition.PUBLISH)
        else:
            try:
                record.full_clean()
                errors = {}
            except ValidationError as error:
                errors = {
                    field: " ".join(messages) for field, messages in error.message_dict.items()
                }
        errors.update(self.layout.check(record))
        for name, message in errors.items():
            column = self.layout.column_of(name) if name and name != "__all__" else None
            row.fail(column, message)


def import_file(path_or_file, kind, user, name=None, **options):
    """Import a file by path (or an open binary file): the report."""
    if hasattr(path_or_file, "read"):
        return Import(kind, user, **options).run(path_or_file, name or "upload")
    with open(path_or_file, "rb") as file:
        return Import(kind, user, **options).run(file, name or str(path_or_file).rsplit("/", 1)[-1])
