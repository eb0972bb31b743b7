"""Rows of a CSV (or a spreadsheet read elsewhere) with the line number each row starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass


class TableError(ValueError):
    """The table as a whole is unreadable (no header, not CSV) from `line` on."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Table:
    """A header and numbered rows; cells stripped, blank rows left out."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    header_line: int = 1

    def column(self, names: Sequence[str]) -> int | None:
        """The index of the first header cell equal (case-insensitively) to one of `names`."""
        wanted = {n.casefold() for n in names}
        for i, cell in enumerate(self.header):
            if cell.casefold() in wanted:
                return i
        return None

    def find_header(self, names: Sequence[str], *, within: int = 5) -> Table:
        """This table re-based on the first of its first rows naming a column in `names`.

        Hospital templates often put a title row or two above the real header.
        """
        if self.column(names) is not None:
            return self
        for i, (line, cells) in enumerate(self.rows[:within]):
            candidate = Table(cells, self.rows[i + 1 :], line)
            if candidate.column(names) is not None:
                return candidate
        return self


def read_csv(text: str) -> Table:
    """Parse CSV text (a UTF-8 BOM from Excel is ignored); the first non-blank row is the header."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise TableError(1, "not a text CSV file (NUL bytes)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: tuple[str, ...] | None = None
    header_line = 1
    rows: list[tuple[int, tuple[str, ...]]] = []
    start = 1
    try:
        for raw in reader:
            cells = tuple(c.strip() for c in raw)
            if any(cells):
                if header is None:
                    header, header_line = cells, start
                else:
                    rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(reader.line_num, f"not valid CSV: {exc}") from None
    if header is None:
        raise TableError(1, "the file is empty (a header row is needed)")
    return Table(header, tuple(rows), header_line)


def cell(row: Sequence[str], index: int | None) -> str:
    """The cell at `index`, or '' when the column is absent or the row is short."""
    if index is None or index >= len(row):
        return ""
    return row[index]
