"""The desk's view of the day: the session on now and the next one, and who arrived and left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.core.model import CheckInEvent, Direction, Project, Session
from kiosk.core.timeutil import local_day


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One scheduled session as the header shows it."""

    id: str
    title: str
    start: datetime
    end: datetime

    @classmethod
    def of(cls, session: Session) -> SessionInfo:
        """The header's view of a project session."""
        return cls(session.id, session.title, session.start, session.end)


@dataclass(frozen=True, slots=True)
class SessionState:
    """Now and next, and today's counts: arrived (checked in), left (last record out), expected."""

    day: date
    current: SessionInfo | None
    next: SessionInfo | None
    arrived: int
    left: int
    expected: int


def now_and_next(project: Project, now: datetime) -> tuple[Session | None, Session | None]:
    """The session running at `now` (or None) and the next one to start after it."""
    ordered = sorted(project.sessions, key=lambda s: s.start)
    current = next((s for s in ordered if s.start <= now < s.end), None)
    upcoming = next((s for s in ordered if s.start > now), None)
    return current, upcoming


class SessionBoard:
    """Today's last direction per attendee, kept up to date from records as they are committed."""

    def __init__(self, project: Project, *, expected: int) -> None:
        self.project = project
        self.expected = expected
        self._day: date | None = None
        self._last: dict[str, Direction] = {}

    def load(self, events: Iterable[CheckInEvent], *, today: date) -> None:
        """Start the day from what the store holds (this desk's records and other desks')."""
        self._day = today
        self._last = {}
        for event in sorted(events, key=lambda e: e.scanned_at):
            self.add(event)

    def add(self, event: CheckInEvent) -> None:
        """Count one committed record if it belongs to today."""
        if self._day is not None and local_day(event.scanned_at) == self._day:
            self._last[event.attendee_id] = event.direction

    def state(self, now: datetime) -> SessionState:
        """The header's and the counters' state at `now` (a new day starts the counts afresh)."""
        current, upcoming = now_and_next(self.project, now)
        return SessionState(
            day=local_day(now),
            current=SessionInfo.of(current) if current else None,
            next=SessionInfo.of(upcoming) if upcoming else None,
            arrived=len(self._last),
            left=sum(1 for d in self._last.values() if d is Direction.OUT),
            expected=self.expected,
        )

    @property
    def day(self) -> date | None:
        """The day being counted."""
        return self._day
