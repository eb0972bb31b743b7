"""The Overview's chart data, Qt-free: arrivals, people present, hours per session, credits.

Every series is worked out once from the review table on the workspace's worker thread; the
screen only paints it (kiosk/ui/organizer/charts.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from kiosk.core.credits.review import ReviewTable
from kiosk.core.model import Session

STEP = timedelta(minutes=10)
LEAD = timedelta(minutes=60)  # arrivals are counted from an hour before a session starts


@dataclass(frozen=True, slots=True)
class SessionSeries:
    """One session's arrivals per 10 min, people present per 10 min, and its hours."""

    session: Session
    arrivals_from: datetime  # the first bucket's start (an hour before the session)
    arrivals: tuple[int, ...]  # check-ins per 10 min from `arrivals_from` to the session's end
    present: tuple[int, ...]  # people inside the session at each 10 min from its start
    scheduled_hours: Decimal
    mean_hours: Decimal  # hours counted in this session per person who attended it
    attendees: int


@dataclass(frozen=True, slots=True)
class Charts:
    """Everything the Overview draws."""

    sessions: tuple[SessionSeries, ...]
    credits: tuple[tuple[Decimal, int], ...]  # (credits, people), ascending by credits


def _buckets(start: datetime, end: datetime) -> int:
    return max(1, -(-(end - start) // STEP))


def _mean(total: Decimal, people: int) -> Decimal:
    return (total / people).quantize(Decimal("0.01")) if people else Decimal(0)


def charts(table: ReviewTable) -> Charts:
    """The chart series of a review table (sessions in schedule order)."""
    sessions = sorted(table.project.sessions, key=lambda s: s.start)
    index = {s.id: i for i, s in enumerate(sessions)}
    arrivals = [[0] * _buckets(s.start - LEAD, s.end) for s in sessions]
    present = [[0] * _buckets(s.start, s.end) for s in sessions]
    hours = [Decimal(0)] * len(sessions)
    people = [0] * len(sessions)
    for row in table.rows:
        seen_in: set[datetime] = set()
        for line in row.lines:
            i = index.get(line.piece.session.id)
            if i is None:
                continue
            s, piece = sessions[i], line.piece
            hours[i] += line.hours
            people[i] += 1
            if piece.scan_in not in seen_in:  # a stay across a break arrives once
                seen_in.add(piece.scan_in)
                k = (piece.scan_in - (s.start - LEAD)) // STEP
                if 0 <= k < len(arrivals[i]):
                    arrivals[i][k] += 1
                elif k < 0:
                    arrivals[i][0] += 1  # earlier than an hour before: in the first bar
            first = max(0, -(-(piece.start - s.start) // STEP))
            last = min(len(present[i]), -(-(piece.end - s.start) // STEP))
            for k in range(first, last):
                present[i][k] += 1
    series = tuple(
        SessionSeries(
            session=s,
            arrivals_from=s.start - LEAD,
            arrivals=tuple(arrivals[i]),
            present=tuple(present[i]),
            scheduled_hours=Decimal(int((s.end - s.start) / timedelta(minutes=1))) / 60,
            mean_hours=(hours[i] / people[i]).quantize(Decimal("0.01"))
            if people[i]
            else Decimal(0),
            attendees=people[i],
        )
        for i, s in enumerate(sessions)
    )
    counts = Counter(row.credits for row in table.rows)
    return Charts(series, tuple(sorted(counts.items())))
