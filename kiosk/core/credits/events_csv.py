"""Attendance records from CSV: id_number, name, role, direction, time, method; bad rows by line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from kiosk.core.credits.records import AttendanceRecord, Person, RowError, check_id_number
from kiosk.core.credits.tabular import Table, TableError, cell, read_csv
from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.model import Direction, Method, Role

REQUIRED = ("id_number", "name", "role", "direction", "time", "method")
OPTIONAL = ("desk", "record_id")
E = TypeVar("E", Direction, Method, Role)
_DIRECTIONS = {
    "in": Direction.IN,
    "签到": Direction.IN,
    "out": Direction.OUT,
    "签退": Direction.OUT,
}
_ROLES = {
    "participant": Role.PARTICIPANT,
    "学员": Role.PARTICIPANT,
    "speaker": Role.SPEAKER,
    "授课人": Role.SPEAKER,
    "主讲人": Role.SPEAKER,
}
_METHODS = {m.value: m for m in Method} | {
    "身份证": Method.ID_CARD,
    "ic卡": Method.IC_CARD,
    "二维码": Method.QR,
    "人脸识别": Method.FACE,
    "人脸": Method.FACE,
    "人工登记": Method.MANUAL,
    "人工": Method.MANUAL,
}


@dataclass(frozen=True, slots=True)
class ParsedEvents:
    """Records and people from a file, and every row that could not be used."""

    records: tuple[AttendanceRecord, ...] = ()
    people: dict[str, Person] = field(default_factory=dict)
    errors: tuple[RowError, ...] = ()


def _choice(value: str, table: Mapping[str, E], what: str) -> E:
    if not value:
        raise ValueError(f"{what} is missing")
    found = table.get(value.casefold())
    if found is None:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(sorted(table))}")
    return found


def _time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"time {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset (write e.g. 2026-11-24T08:30:00+08:00)")
    return moment


def _row(
    line: int, row: tuple[str, ...], cols: dict[str, int | None]
) -> tuple[AttendanceRecord, str, Role | None]:
    def get(name: str) -> str:
        return cell(row, cols[name])

    number = check_id_number(get("id_number"))
    direction = _choice(get("direction"), _DIRECTIONS, "direction")
    method = _choice(get("method"), _METHODS, "method")
    role_text = get("role")
    role = _choice(role_text, _ROLES, "role") if role_text else None
    record = AttendanceRecord(
        id_number=number,
        direction=direction,
        at=_time(get("time")),
        method=method,
        desk=get("desk"),
        record_id=get("record_id"),
        line=line,
    )
    return record, get("name"), role


def parse_events_table(table: Table) -> ParsedEvents:
    """Records from a table with the REQUIRED columns (any order; OPTIONAL ones when present)."""
    cols = {name: table.column([name]) for name in (*REQUIRED, *OPTIONAL)}
    missing = [name for name in REQUIRED if cols[name] is None]
    if missing:
        return ParsedEvents(
            errors=(RowError(table.header_line, f"missing column(s): {', '.join(missing)}"),)
        )
    records: list[AttendanceRecord] = []
    people: dict[str, Person] = {}
    named: dict[str, int] = {}  # ID number → line that gave the name
    declared: dict[str, tuple[Role, int]] = {}  # ID number → explicit role and its line
    errors: list[RowError] = []
    for line, row in table.rows:
        try:
            record, name, role = _row(line, row, cols)
        except (ValueError, InvalidDocumentNumber) as exc:
            errors.append(RowError(line, str(exc)))
            continue
        number = record.id_number
        known = people.get(number, Person(number))
        if name and known.name and name != known.name:
            errors.append(
                RowError(line, f"name {name!r} differs from {known.name!r} (line {named[number]})")
            )
            continue
        if role is not None and number in declared and declared[number][0] is not role:
            first, at = declared[number]
            errors.append(
                RowError(line, f"role {role.value} differs from {first.value} (line {at})")
            )
            continue
        if name and not known.name:
            named[number] = line
        if role is not None:
            declared.setdefault(number, (role, line))
        people[number] = Person(
            number,
            name=known.name or name,
            role=declared[number][0] if number in declared else Role.PARTICIPANT,
        )
        records.append(record)
    return ParsedEvents(tuple(records), people, tuple(errors))


def parse_events_csv(text: str) -> ParsedEvents:
    """Records from CSV text; see `parse_events_table`."""
    try:
        table = read_csv(text)
    except TableError as exc:
        return ParsedEvents(errors=(RowError(exc.line, exc.message),))
    return parse_events_table(table)
