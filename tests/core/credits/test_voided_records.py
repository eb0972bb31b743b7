"""The credits engine never sees a desk's void or dispute, nor the record a void undid."""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.credits.records import AttendanceRecord, drop_voided, records_from_events
from kiosk.core.model import CheckInEvent, Direction, Method, RecordKind
from tests.support.roster import DAY1, at, make_roster

PEOPLE = {a.id: a for a in make_roster(2)}


def event(uuid: str, hh: int, **kw: object) -> CheckInEvent:
    base = CheckInEvent(
        uuid=uuid, project="2026-15-01-001", attendee_id="A1", direction=Direction.IN,
        method=Method.ID_CARD, device_id="dv-a", seq=1, scanned_at=at(DAY1, hh),
        utc_offset_minutes=480,
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def test_records_from_a_desks_store_leave_out_staff_records_and_what_a_void_undid() -> None:
    events = [
        event("u1", 8),
        event("u2", 9),
        event("u3", 10, kind=RecordKind.VOID, refers_to="u2", staff_id="S1", note="twice"),
        event("u4", 11, kind=RecordKind.DISPUTE, note="I stayed", staff_id="S1"),
        event("u5", 12, direction=Direction.OUT, method=Method.MANUAL, staff_id="S1", note="x"),
    ]
    records, people = records_from_events(events, PEOPLE)
    assert [r.record_id for r in records] == ["u1", "u5"]
    assert set(people) == {a.document.number for a in PEOPLE.values()}


def test_drop_voided_keeps_everything_not_named() -> None:
    number = PEOPLE["A1"].document.number
    records = [
        AttendanceRecord(number, Direction.IN, at(DAY1, 8), Method.QR, record_id="u1"),
        AttendanceRecord(number, Direction.IN, at(DAY1, 9), Method.QR, record_id="u2"),
        AttendanceRecord(number, Direction.OUT, at(DAY1, 12), Method.QR),  # from a CSV: no id
    ]
    assert [r.record_id for r in drop_voided(records, {"u2", ""})] == ["u1", ""]
