"""Read assessment results from CSV or xlsx into the pure parser; bad rows by line number."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from kiosk.core.credits.assessment import (
    AssessmentImport,
    parse_assessment_csv,
    parse_assessment_table,
)
from kiosk.core.credits.records import RowError
from kiosk.core.credits.tabular import Table


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # Excel stores 85 as 85.0; long ID numbers typed as numbers lose digits and then fail
        # their check digit, which the row's error message reports.
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx_table(path: Path) -> Table:
    """The first sheet of a workbook as a Table (line numbers are spreadsheet row numbers)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        header: tuple[str, ...] | None = None
        header_line = 1
        rows: list[tuple[int, tuple[str, ...]]] = []
        for number, raw in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = tuple(_text(v) for v in raw)
            if not any(cells):
                continue
            if header is None:
                header, header_line = cells, number
            else:
                rows.append((number, cells))
    finally:
        wb.close()
    return Table(header or (), tuple(rows), header_line)


def read_assessment_file(path: Path, *, pass_mark: Decimal | None = None) -> AssessmentImport:
    """Results from `path` (.xlsx, else CSV text); unreadable files give one error on line 1."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            table = read_xlsx_table(path)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            return AssessmentImport(errors=(RowError(1, f"not a readable xlsx workbook: {exc}"),))
        if not table.header:
            return AssessmentImport(errors=(RowError(1, "the workbook's first sheet is empty"),))
        return parse_assessment_table(table, pass_mark=pass_mark)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return AssessmentImport(errors=(RowError(1, "not UTF-8 text (save the CSV as UTF-8)"),))
    except OSError as exc:
        return AssessmentImport(errors=(RowError(1, f"cannot read: {exc.strerror or exc}"),))
    return parse_assessment_csv(text, pass_mark=pass_mark)
