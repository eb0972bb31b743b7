"""Who recorded what: a person's records in time order, and each instant's desk or organizer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kiosk.core.credits import AttendanceRecord
from kiosk.core.credits.corrections import Correction
from kiosk.services.organizer_view import RecordInfo


def record_index(
    records: Sequence[AttendanceRecord], corrections: Sequence[Correction]
) -> tuple[dict[str, tuple[RecordInfo, ...]], dict[tuple[str, datetime], str]]:
    """Per ID number its records; per (ID number, instant) who entered the record there.

    A desk's record names the desk; a record an organizer's correction added names who made it
    (the wire has no staff id for a desk's manual records yet: the desk's name stands for it).
    """
    by_record = {c.record_id: c.by for c in corrections if c.record_id}
    grouped: dict[str, list[RecordInfo]] = {}
    entered: dict[tuple[str, datetime], str] = {}
    for r in records:
        who = f"organizer: {by_record.get(r.record_id, '?')}" if r.corrected else r.desk
        grouped.setdefault(r.id_number, []).append(
            RecordInfo(r.record_id, r.direction.value, r.at, r.method.value, who)
        )
        entered[(r.id_number, r.at)] = who
    ordered = {n: tuple(sorted(v, key=lambda i: i.at)) for n, v in grouped.items()}
    return ordered, entered
