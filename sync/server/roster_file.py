"""Roster import files (CSV or XLSX): every bad row reported with its line number, or none taken."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import DocumentType, mask_number, normalise, validate_document
from sync.server.roster import RosterRow

COLUMNS = ("id_type", "id_number", "name", "unit", "department", "title", "role", "card_uid")
REQUIRED = ("id_type", "id_number", "name")
# Organizers' spreadsheets often say it in Chinese.
TYPE_ALIASES = {
    "身份证": DocumentType.RESIDENT_ID.value,
    "居民身份证": DocumentType.RESIDENT_ID.value,
    "护照": DocumentType.PASSPORT.value,
    "港澳台居民居住证": DocumentType.HMT_PERMIT.value,
    "工作证": DocumentType.STAFF_CARD.value,
}
ROLE_ALIASES = {"学员": "participant", "授课人": "speaker", "讲者": "speaker", "": "participant"}
MAX_ROWS = 50_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # they end up on screens and in files


class RosterFileError(ValueError):
    """The file cannot be imported; `problems` lists every bad line."""

    def __init__(self, problems: list[str]):
        shown = problems[:50]
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__("\n".join(shown) + more)
        self.problems = problems


def _cell(value: object, *, line: int, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError(f"line {line}: {column} is a true/false cell")
    if isinstance(value, float):
        if column == "id_number":
            # Excel keeps 15 significant digits: an 18-digit number typed as a number is corrupted.
            raise ValueError(f"line {line}: id_number is a number cell: store ID numbers as text")
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        for row in reader:
            yield reader.line_num, list(row)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield n, list(row)
    finally:
        book.close()


def read_roster(path: Path) -> list[RosterRow]:
    """Read and validate a roster file; RosterFileError lists every problem (numbers masked)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        source = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        source = _xlsx_rows(path)
    else:
        raise RosterFileError([f"{path.name}: roster files must be .csv or .xlsx"])
    try:
        return _validate(source)
    except UnicodeDecodeError:
        raise RosterFileError([f"{path.name}: not UTF-8 text (save the CSV as UTF-8)"]) from None
    except OSError as exc:
        raise RosterFileError([f"{path.name}: cannot read: {exc.strerror or exc}"]) from None
    except Exception as exc:
        if isinstance(exc, RosterFileError):
            raise
        # openpyxl raises a zoo of errors for files that are not spreadsheets.
        raise RosterFileError(
            [f"{path.name}: not a readable spreadsheet ({type(exc).__name__})"]
        ) from None


def _header(line: int, raw: list[object]) -> list[str]:
    header = [str(h or "").strip().lower() for h in raw]
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s) {', '.join(unknown)}")
    if parts:
        raise RosterFileError([f"line {line}: {'; '.join(parts)} (columns: {', '.join(COLUMNS)})"])
    return header


def _validate(source: Iterator[tuple[int, list[object]]]) -> list[RosterRow]:
    problems: list[str] = []
    header: list[str] | None = None
    rows: list[RosterRow] = []
    docs: dict[tuple[str, str], int] = {}
    uids: dict[str, int] = {}
    for line, raw in source:
        if header is None:
            header = _header(line, raw)
            continue
        if all(v is None or str(v).strip() == "" for v in raw):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(f"line {line}: more than {MAX_ROWS} rows")
            break
        try:
            cells = {
                col: _cell(raw[i] if i < len(raw) else None, line=line, column=col)
                for i, col in enumerate(header) if col
            }  # fmt: skip
            row = _row(line, cells)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        key = (row.id_type, row.id_number)
        if key in docs:
            problems.append(
                f"line {line}: {mask_number(row.id_number)} is already on line {docs[key]}"
            )
            continue
        docs[key] = line
        for uid in row.card_uids:
            if uid in uids:
                problems.append(f"line {line}: card_uid {uid} is already on line {uids[uid]}")
            uids[uid] = line
        rows.append(row)
    if header is None:
        problems.append("the file is empty (a header row is needed)")
    if problems:
        raise RosterFileError(problems)
    return rows


def _row(line: int, cells: dict[str, str]) -> RosterRow:
    id_type = TYPE_ALIASES.get(cells.get("id_type", ""), cells.get("id_type", "").lower())
    if id_type not in {t.value for t in DocumentType}:
        allowed = ", ".join(t.value for t in DocumentType)
        raise ValueError(f"line {line}: id_type {cells.get('id_type')!r} is not one of {allowed}")
    number = cells.get("id_number", "")
    try:
        doc = validate_document(id_type, number)
    except InvalidDocumentNumber as exc:
        raise ValueError(f"line {line}: id_number: {exc.detail}") from None
    name = cells.get("name", "")
    if not name or len(name) > 100:
        raise ValueError(f"line {line}: name is {'empty' if not name else 'too long'}")
    for field in ("name", "unit", "department", "title"):
        if _CONTROL.search(cells.get(field, "")):
            raise ValueError(f"line {line}: {field} contains control characters")
    role = ROLE_ALIASES.get(cells.get("role", ""), cells.get("role", "").lower())
    if role not in ("participant", "speaker"):
        raise ValueError(f"line {line}: role {cells.get('role')!r} is not participant or speaker")
    card_uids = tuple(normalise(u) for u in re.split(r"[;,\s]+", cells.get("card_uid", "")) if u)
    for field in ("unit", "department", "title"):
        if len(cells.get(field, "")) > 200:
            raise ValueError(f"line {line}: {field} is longer than 200 characters")
    return RosterRow(
        line=line, id_type=doc.type.value, id_number=doc.number, name=name,
        unit=cells.get("unit", ""), department=cells.get("department", ""),
        title=cells.get("title", ""), role=role, card_uids=card_uids,
    )  # fmt: skip
