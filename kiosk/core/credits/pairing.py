"""Pair one attendee's check-ins and check-outs per project day, merging offline desks' repeats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.core.credits.records import AttendanceRecord
from kiosk.core.credits.schedule import Schedule
from kiosk.core.model import Direction, Project, Session
from kiosk.core.timeutil import format_local, local_day


@dataclass(frozen=True, slots=True)
class Pair:
    """One stay: a check-in and its check-out on one day; either end may be missing."""

    day: date
    check_in: AttendanceRecord | None
    check_out: AttendanceRecord | None
    notes: tuple[str, ...] = ()  # what was merged into this pair, for the explanation
    conflict: bool = False  # another desk's record of the same moment was merged in

    @property
    def complete(self) -> bool:
        """Both ends recorded."""
        return self.check_in is not None and self.check_out is not None


@dataclass(frozen=True, slots=True)
class Pairing:
    """Every pair of one attendee, and the records that fell outside the project's days."""

    pairs: tuple[Pair, ...]
    outside_days: tuple[AttendanceRecord, ...]
    repeats_dropped: int  # the same record delivered twice: counted once


def _order(r: AttendanceRecord) -> tuple[datetime, int, str, str, str, int]:
    # Deterministic whatever order the desks uploaded in: time, then in before out, then desk.
    return (r.at, 0 if r.direction is Direction.IN else 1, r.desk, r.record_id, r.method, r.line)


def _identity(r: AttendanceRecord) -> tuple[object, ...]:
    # A record delivered twice is identical in every field; the same id with other content is
    # not silently dropped (it is kept, and pairing shows what it does).
    return (r.record_id, r.direction, r.at, r.desk, r.method)


def _crosses(a: datetime, b: datetime, marks: Iterable[datetime]) -> bool:
    """Whether a session boundary lies in (a, b]."""
    return any(a < m <= b for m in marks)


def _at(r: AttendanceRecord) -> str:
    where = f" at desk {r.desk}" if r.desk else ""
    return f"{format_local(r.at)}{where}"


def pair_day(
    day: date, records: Sequence[AttendanceRecord], sessions: Sequence[Session]
) -> list[Pair]:
    """Pair one day's records (already de-duplicated and in `_order`).

    A second check-in before any session has ended since the first is the same arrival (a
    repeat, or another desk's offline record): the earliest is kept. A second check-out before
    any session has started since the first is the same departure: the latest is kept. Otherwise
    a check-in with no check-out stays open and a check-out with no check-in stands alone.
    """
    ends = [s.end for s in sessions]
    starts = [s.start for s in sessions]
    pairs: list[Pair] = []
    open_in: AttendanceRecord | None = None
    open_notes: list[str] = []
    open_conflict = False
    last: int | None = None  # index of the pair a following check-out may extend
    for r in records:
        if r.direction is Direction.IN:
            if open_in is not None and not _crosses(open_in.at, r.at, ends):
                open_conflict |= r.desk != open_in.desk
                open_notes.append(f"check-in {_at(r)} merged into {_at(open_in)}")
                continue
            if open_in is not None:
                pairs.append(Pair(day, open_in, None, tuple(open_notes), open_conflict))
            open_in, open_notes, open_conflict, last = r, [], False, None
            continue
        if open_in is not None:
            pairs.append(Pair(day, open_in, r, tuple(open_notes), open_conflict))
            open_in, open_notes, open_conflict = None, [], False
            last = len(pairs) - 1
            continue
        prev = pairs[last] if last is not None else None
        if (
            last is not None
            and prev is not None
            and prev.check_out is not None
            and not _crosses(prev.check_out.at, r.at, starts)
        ):
            note = f"check-out {_at(prev.check_out)} merged into {_at(r)}"
            pairs[last] = Pair(
                day,
                prev.check_in,
                r,
                (*prev.notes, note),
                prev.conflict or r.desk != prev.check_out.desk,
            )
            continue
        pairs.append(Pair(day, None, r))
        last = len(pairs) - 1
    if open_in is not None:
        pairs.append(Pair(day, open_in, None, tuple(open_notes), open_conflict))
    return pairs


def pair_attendee(
    records: Iterable[AttendanceRecord], project: Project, *, schedule: Schedule | None = None
) -> Pairing:
    """Pair all of one attendee's records over the project's days, deterministically.

    `schedule` is the project's, when the caller already has it (it is built otherwise).
    """
    plan = schedule if schedule is not None else Schedule.of(project)
    seen: set[tuple[object, ...]] = set()
    unique: list[AttendanceRecord] = []
    repeats = 0
    for r in sorted(records, key=_order):
        key = _identity(r)
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        unique.append(r)
    by_day: dict[date, list[AttendanceRecord]] = {}
    outside: list[AttendanceRecord] = []
    for r in unique:
        day = local_day(r.at)
        if day in plan.days:
            by_day.setdefault(day, []).append(r)
        else:
            outside.append(r)
    pairs: list[Pair] = []
    for day in sorted(by_day):
        pairs.extend(pair_day(day, by_day[day], plan.sessions_on(day)))
    return Pairing(tuple(pairs), tuple(outside), repeats)
