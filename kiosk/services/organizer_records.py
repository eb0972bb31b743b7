"""Who recorded what: a person's records in time order, and each instant's desk or organizer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter

from kiosk.core.credits import AttendanceRecord
from kiosk.core.credits.corrections import Correction
from kiosk.core.model import Direction, Method
from kiosk.services.organizer_view import RecordInfo


def record_index(
    records: Sequence[AttendanceRecord], corrections: Sequence[Correction]
) -> tuple[dict[str, tuple[RecordInfo, ...]], dict[tuple[str, datetime], str]]:
    """Per ID number its records; per (ID number, instant) who entered the record there.

    A desk's record names the desk; a record an organizer's correction added names who made it
    (the wire has no staff id for a desk's manual records yet: the desk's name stands for it).
    """
    by_record = {c.record_id: c.by for c in corrections if c.record_id}
    # 60,000 records: one sort, and enum values by dictionary (Enum.value is a slow descriptor).
    direction = {d: d.value for d in Direction}
    method = {m: m.value for m in Method}
    grouped: dict[str, list[RecordInfo]] = {}
    entered: dict[tuple[str, datetime], str] = {}
    for r in sorted(records, key=attrgetter("at")):
        who = f"organizer: {by_record.get(r.record_id, '?')}" if r.corrected else r.desk
        info = RecordInfo(r.record_id, direction[r.direction], r.at, method[r.method], who)
        mine = grouped.get(r.id_number)
        if mine is None:
            grouped[r.id_number] = [info]
        else:
            mine.append(info)
        entered[(r.id_number, r.at)] = who
    return {n: tuple(v) for n, v in grouped.items()}, entered
