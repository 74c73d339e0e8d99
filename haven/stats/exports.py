"""The protected tables as CSV and XLSX: the same numbers the screen shows, hidden cells
marked "[c]" (confidential), with the disclosure rules and the period written beside."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from haven.stats.tables import Table

HIDDEN = "[c]"


def _cell(value: int | None) -> str | int:
    return HIDDEN if value is None else value


def rows_of(table: Table, total_label: str) -> list[list[str | int]]:
    p = table.protected
    single = len(p.columns) == 1
    header: list[str | int] = [table.row_header, *p.columns]
    if not single:
        header.append(total_label)
    lines = [header]
    for label, cells, row_total in table.rows:
        line: list[str | int] = [label, *(_cell(c) for c in cells)]
        if not single:
            line.append(_cell(row_total))
        lines.append(line)
    footer: list[str | int] = [total_label, *(_cell(c) for c in p.column_totals)]
    if not single:
        footer.append(_cell(p.total))
    lines.append(footer)
    return lines


def _safe(value: str | int) -> str | int:
    """Spreadsheets run a cell that starts with = + - @ as a formula: never do that."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_bytes(tables: Sequence[Table], notes: Sequence[str], total_label: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for note in notes:
        writer.writerow([note])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        for line in rows_of(table, total_label):
            writer.writerow([_safe(v) for v in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def xlsx_bytes(tables: Sequence[Table], notes: Sequence[str], total_label: str) -> bytes:
    book = Workbook()
    about = book.active
    about.title = "About"
    for note in notes:
        about.append([note])
    for table in tables:
        sheet = book.create_sheet(table.slug[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        for line in rows_of(table, total_label):
            sheet.append([_safe(v) for v in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
