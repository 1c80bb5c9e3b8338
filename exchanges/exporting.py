"""
Exporting records as CSV, JSON or XLSX, in the columns ``importing`` reads.

An export writes one kind per file, row by row from the database, so neither
the rows nor the file are ever held whole in memory (XLSX aside: a workbook is
a zip, written to a temporary file). The public data page exports only what
the gate lets through, related records included; the admin exports what an
editor may see.
"""

import csv
import io
import json
import tempfile

from .cells import FORMULA_STARTS, cell_text
from .layouts import LAYOUTS, layout_named
from .models import Person, Role, gated

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_text(value):
    """A text cell that a spreadsheet shows as text, never runs."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def order_of(layout):
    """A stable order, the same on every database, so that an export is reproducible."""
    if layout.model is Role:
        return ("person__slug", "organisation__slug", "title_en", "started_on", "pk")
    date = layout.model.dated_by
    return (date, "uuid") if date else ("slug", "uuid")


def public_records(layout):
    """What the public may see of a kind: through the gate, related records too."""
    if layout.model is Role:
        roles = Role.objects.filter(person__in=Person.objects.public()).annotate(
            public_organisation=gated(Role, "organisation")
        )
        return roles.select_related("person", "public_organisation")
    return layout.model.objects.shown()


def records_of(layout, records=None, public=False):
    if records is None:
        records = public_records(layout) if public else layout.model.objects.all()
    if not public:
        # Public records come with theirs already, each through the gate (``shown``).
        records = layout.queryset(records)
    return records.order_by(*order_of(layout))


def rows(kind, records=None, public=False, progress=None):
    """
    Each record of ``kind`` as a row: {column: value}, read from the database in
    chunks; ``progress()`` is called after each row (the command's progress bar).
    """
    layout = layout_named(kind)
    for record in records_of(layout, records, public).iterator(chunk_size=500):
        yield layout.write(record, public)
        if progress:
            progress()


def csv_chunks(kind, records=None, public=False, progress=None):
    """
    A CSV file, a line at a time: UTF-8 with a byte-order mark, which is how
    Excel knows the Ukrainian text is UTF-8 (the import, pandas and most CSV
    readers take the mark off).
    """
    layout = layout_named(kind)
    columns = exported_columns(layout)
    buffer = io.StringIO("\ufeff")
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows(kind, records, public, progress):
        writer.writerow([safe_text(cell_text(row[name])) for name in columns])
        if buffer.tell() > 16384:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def json_chunks(kind, records=None, public=False, progress=None):
    """A JSON list of records, one record at a time; values typed (numbers, lists, yes/no)."""
    columns = exported_columns(layout_named(kind))
    yield b"["
    first = True
    for row in rows(kind, records, public, progress):
        item = {name: row[name] for name in columns}
        yield (b"\n" if first else b",\n") + json.dumps(item, ensure_ascii=False).encode()
        first = False
    yield b"\n]\n"


def xlsx_file(kind, records=None, public=False, progress=None):
    """An XLSX workbook in a temporary file (a zip cannot be streamed as it is written)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    layout = layout_named(kind)
    columns = exported_columns(layout)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(layout.name)
    sheet.append(columns)
    for row in rows(kind, records, public, progress):
        cells = []
        for name in columns:
            value = row[name]
            if isinstance(value, int) and not isinstance(value, bool):
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=cell_text(value))
                cell.data_type = "s"  # text stays text, never a formula
                cells.append(cell)
        sheet.append(cells)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the caller reads it, then it goes)
    book.save(file)
    file.seek(0)
    return file


def chunks(kind, format, records=None, public=False, progress=None):
    """The file of ``kind`` in ``format``, as byte chunks."""
    if format == "csv":
        return csv_chunks(kind, records, public, progress)
    if format == "json":
        return json_chunks(kind, records, public, progress)
    if format == "xlsx":
        file = xlsx_file(kind, records, public, progress)
        return iter(lambda: file.read(65536), b"")
    raise ValueError(format)


def exported_columns(layout):
    """Every column of the layout but the import-only correction note."""
    return [name for name in layout.column_names if not name.startswith("correction")]


def kinds():
    return list(LAYOUTS)
