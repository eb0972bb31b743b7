"""Staff mode's lists: the roster search and today's session list (desk thread).

The search index (kiosk.core.roster_search) is rebuilt only when the roster's revision in the
store moves (a pull, a walk-in, a purge), so a keystroke costs a scan of prepared entries, never
a decryption of 10,000 names. Rows carry the masked ID number only.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.core.model import Direction, RecordKind
from kiosk.core.roster_search import Entry, RosterIndex
from kiosk.core.timeutil import local_day
from kiosk.services.checkin import CheckInService


class ListFilter(StrEnum):
    """Which people the session list shows."""

    NOT_ARRIVED = "not_arrived"
    IN = "in"
    OUT = "out"
    FLAGGED = "flagged"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One person in a staff list: masked ID only; times on the desk's clock (UTC, aware)."""

    attendee_id: str
    name: str
    unit: str
    masked_id: str
    provisional: bool = False
    state: str = "not_arrived"  # not_arrived | in | out (today)
    first_in: datetime | None = None
    last_out: datetime | None = None
    flagged: bool = False  # a flag on today's records, a dispute, or a walk-in


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The first rows of a search (best first) and how many people matched in all."""

    query: str
    rows: tuple[PersonRow, ...]
    total: int
    refused: str = ""  # a reason code (not_signed_in) when nothing was searched


@dataclass(frozen=True, slots=True)
class SessionList:
    """Today's list for one filter: the first rows (by name) and how many in all."""

    filter: ListFilter
    rows: tuple[PersonRow, ...]
    total: int
    refused: str = ""  # a reason code (not_signed_in) when nothing was listed
    request: int = 0  # the asker's token: a screen drops answers to pages it no longer shows


@dataclass(slots=True)
class _Day:
    first_in: datetime | None = None
    last_out: datetime | None = None
    last: Direction | None = None
    last_at: datetime | None = None
    flagged: bool = False


class StaffLists:
    """The search and the session list over one desk's store (desk thread only)."""

    def __init__(self, checkin: CheckInService) -> None:
        self._checkin = checkin
        self._index: RosterIndex | None = None

    def index(self) -> RosterIndex:
        """The roster's search index, rebuilt when the roster changed since it was built."""
        store, number = self._checkin.store, self._checkin.project.number
        revision = store.roster.revision(number)
        if self._index is None or self._index.revision != revision:
            # Without the cycle collector, as kiosk.reports.organizer_data does: 10,000 people
            # are ~100,000 short-lived acyclic objects, enough to start a full collection that
            # holds the GIL for hundreds of ms and stalls the GUI thread meanwhile.
            enabled = gc.isenabled()
            gc.disable()
            try:
                people = store.roster.people_for_search(number)
                self._index = RosterIndex.build(people, revision=revision)
                del people
            finally:
                if enabled:
                    gc.enable()
        return self._index

    def search(self, query: str, *, limit: int = 50) -> SearchResult:
        """Matches of `query`: the first `limit` rows and the total."""
        found = self.index().search(query, limit=limit)
        days = self._today({e.attendee_id for e in found.entries})
        rows = tuple(_row(e, days.get(e.attendee_id)) for e in found.entries)
        return SearchResult(query, rows, found.total)

    def session_list(self, which: ListFilter, *, limit: int = 200, offset: int = 0) -> SessionList:
        """Today's people for one filter, by name: `limit` rows from `offset`, and the total."""
        index = self.index()
        days = self._today(None)
        rows = []
        for e in index.entries:
            row = _row(e, days.get(e.attendee_id))
            if (
                which is ListFilter.ALL
                or row.state == which.value
                or (which is ListFilter.FLAGGED and row.flagged)
            ):
                rows.append(row)
        return SessionList(which, tuple(rows[offset : offset + max(limit, 0)]), len(rows))

    def _today(self, people: set[str] | None) -> dict[str, _Day]:
        """Today's standing records per person (all people when `people` is None)."""
        c = self._checkin
        today = local_day(c.clock())
        voided = c.store.records.voided(c.project.number)
        days: dict[str, _Day] = defaultdict(_Day)
        for e in c.store.records.events(project=c.project.number):
            ev = e.event
            if (people is not None and ev.attendee_id not in people) or local_day(
                ev.scanned_at
            ) != today:
                continue
            day = days[ev.attendee_id]
            if ev.kind is RecordKind.DISPUTE:
                day.flagged = True
            if ev.kind is not RecordKind.CHECKIN or ev.uuid in voided:
                continue
            day.flagged |= bool(ev.flags)
            _add(day, ev.direction, ev.scanned_at)
        for r in c.store.outbox.remote_today(c.project.number, today):
            if (people is not None and r.attendee_id not in people) or r.uuid in voided:
                continue
            _add(days[r.attendee_id], r.direction, r.scanned_at)
        return days


def _add(day: _Day, direction: Direction, at: datetime) -> None:
    if direction is Direction.IN and (day.first_in is None or at < day.first_in):
        day.first_in = at
    if direction is Direction.OUT and (day.last_out is None or at > day.last_out):
        day.last_out = at
    if day.last_at is None or at >= day.last_at:
        day.last, day.last_at = direction, at


def _row(e: Entry, day: _Day | None) -> PersonRow:
    state = "not_arrived" if day is None or day.last is None else day.last.value
    return PersonRow(
        attendee_id=e.attendee_id, name=e.name, unit=e.unit, masked_id=e.masked_id,
        provisional=e.provisional, state=state,
        first_in=day.first_in if day else None, last_out=day.last_out if day else None,
        flagged=bool(day and day.flagged) or e.provisional,
    )  # fmt: skip
