"""What every attendee's computation needs from a project's schedule, worked out once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from kiosk.core.ids import normalise
from kiosk.core.model import Project, Session
from kiosk.core.timeutil import local_day


@dataclass(frozen=True, slots=True)
class Schedule:
    """A project's days, its sessions by day (in order) and who teaches which session.

    Computing 5,000 attendees asks these of the same project 5,000 times: `compute_project_credits`
    builds it once and hands it down.
    """

    project: Project
    days: frozenset[date]
    by_day: Mapping[date, tuple[Session, ...]]
    taught: Mapping[str, frozenset[str]]  # normalised ID number → ids of the sessions taught
    listed: frozenset[str]  # normalised ID numbers of the project's speakers
    scheduled_minutes: int
    # Results of pure per-figure computations (credits for h hours at a rate), shared by every
    # attendee of one run; the key names everything the result depends on.
    memo: dict[object, object] = field(default_factory=dict)

    @classmethod
    def of(cls, project: Project) -> Schedule:
        """The schedule of `project`."""
        by_day: dict[date, list[Session]] = {}
        taught: dict[str, set[str]] = {}
        for s in project.sessions:
            by_day.setdefault(local_day(s.start), []).append(s)
            for number in s.speakers:
                taught.setdefault(normalise(number), set()).add(s.id)
        return cls(
            project=project,
            days=frozenset(project.days),
            by_day={d: tuple(sorted(ss, key=lambda s: s.start)) for d, ss in by_day.items()},
            taught={n: frozenset(ids) for n, ids in taught.items()},
            listed=frozenset(normalise(n) for n in project.speakers),
            scheduled_minutes=sum(
                (s.end - s.start) // timedelta(minutes=1) for s in project.sessions
            ),
        )

    def sessions_on(self, day: date) -> tuple[Session, ...]:
        """The sessions of one day, in order (empty on a day without sessions)."""
        return self.by_day.get(day, ())
