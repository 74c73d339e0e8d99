"""A file of rows as its header and cells, whatever produced it: CSV in UTF-8 (with or
without the byte-order mark Excel writes), UTF-16 (Excel's "Unicode text", tab-separated),
comma, semicolon or tab separated; or an Excel workbook. Too big, not text, or not a
table: a clear refusal, nothing read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from haven.core.errors import RefusedError

MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line or row number in the file, cells)


def _too_big(size: int) -> None:
    if size > MAX_BYTES:
        raise RefusedError(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise RefusedError(
            _("The file is not UTF-8 or UTF-16 text. Save it as CSV UTF-8 and try again.")
        ) from None


def _csv(data: bytes) -> Table:
    text = _text(data)
    if "\x00" in text:
        raise RefusedError(_("The file is not a table of text."))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise RefusedError(
            _("The file is not readable CSV: %(error)s") % {"error": error}
        ) from None
    if not lines:
        raise RefusedError(_("The file is empty."))
    header = [cell.strip() for cell in lines[0]]
    return Table(header, [(number, cells) for number, cells in enumerate(lines[1:], start=2)])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(data: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise RefusedError(_("The file is not a readable Excel workbook.")) from None
    sheet = book.worksheets[0]
    found = sheet.iter_rows(values_only=True)
    header = [_cell(v).strip() for v in next(found, ())]
    if not header:
        raise RefusedError(_("The file is empty."))
    rows = [(number, [_cell(v) for v in cells]) for number, cells in enumerate(found, start=2)]
    book.close()
    return Table(header, rows)


def read(data: bytes, filename: str) -> Table:
    """The file's header and rows, without blank rows, each row as long as the header."""
    _too_big(len(data))
    table = _xlsx(data) if filename.lower().endswith(".xlsx") else _csv(data)
    width = len(table.header)
    rows = []
    for number, cells in table.rows:
        filled = [index for index, cell in enumerate(cells) if cell.strip()]
        # The official template numbers its empty lines in the first column.
        if not filled or (filled == [0] and cells[0].strip().isdigit()):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise RefusedError(
                _("Row %(row)s has more cells than the header has columns.") % {"row": number}
            )
        rows.append((number, [*cells[:width], *[""] * (width - len(cells))]))
    if len(rows) > MAX_ROWS:
        raise RefusedError(
            _("The file has more than %(rows)s rows. Split it into smaller files.")
            % {"rows": MAX_ROWS}
        )
    return Table(table.header, rows)
