"""The organizer's review table: per attendee sessions, hours, anomalies, assessment, credits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from kiosk.core.credits.assessment import Assessment
from kiosk.core.credits.calendar import DeadlineStatus, deadline_status
from kiosk.core.credits.checks import ProjectWarning, project_warnings
from kiosk.core.credits.compute import AttendeeCredits, compute_project_credits
from kiosk.core.credits.corrections import Correction
from kiosk.core.credits.ledger import Grant, YearStanding, standings
from kiosk.core.credits.pairing import pair_attendee
from kiosk.core.credits.records import AttendanceRecord, CreditFlag, Person
from kiosk.core.credits.schedule import Schedule
from kiosk.core.credits.submission import SubmissionWindow, WindowState, submission_window
from kiosk.core.model import Project, Session
from kiosk.core.rules.schema import Profile
from kiosk.core.timeutil import SHANGHAI

# Unresolved, these make `organizer submit` refuse: each is fixed by a correction or an import.
BLOCKING = frozenset(
    {
        CreditFlag.MISSING_CHECKOUT,
        CreditFlag.CHECKOUT_ASSUMED,
        CreditFlag.OUT_WITHOUT_IN,
        CreditFlag.ASSESSMENT_PENDING,
    }
)
# Shown to the organizer, but the figures already account for them.
NOTICES = frozenset(
    {
        CreditFlag.CONFLICT,
        CreditFlag.PROVISIONAL,
        CreditFlag.EXPIRED_DOCUMENT,
        CreditFlag.OUTSIDE_PROJECT_DAYS,
        CreditFlag.NO_SESSION_TIME,
        CreditFlag.METHOD_NOT_ACCEPTED,
        CreditFlag.SPEAKER_NOT_SCHEDULED,
        CreditFlag.ASSESSMENT_MISSING,
    }
)


@dataclass(frozen=True, slots=True)
class SessionCount:
    """How many people attended a session and the hours they earned in it."""

    session: Session
    attendees: int
    hours: Decimal


@dataclass(frozen=True, slots=True)
class ArrivalBucket:
    """Check-ins (arrivals, after merging repeats) starting in [start, start + width)."""

    start: datetime
    count: int


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One thing the organizer must look at, for one attendee."""

    id_number: str
    name: str
    kind: CreditFlag
    blocking: bool


@dataclass(frozen=True, slots=True)
class ReviewTable:
    """Everything `organizer report` shows and the exports write."""

    project: Project
    profile: Profile
    rows: tuple[AttendeeCredits, ...]
    absent: tuple[Person, ...]
    sessions: tuple[SessionCount, ...]
    arrivals: tuple[ArrivalBucket, ...]
    deadline: DeadlineStatus | None
    window: SubmissionWindow | None = None
    corrections: tuple[Correction, ...] = ()  # the organizer's, in the order made
    years: Mapping[str, YearStanding] | None = None  # per ID number: the credit year's caps
    warnings: tuple[ProjectWarning, ...] = ()  # the project against its profile
    as_of: datetime | None = None  # the instant the review was built for (the platform's clock)

    def anomalies(self) -> list[Anomaly]:
        """Every flagged fact, blocking ones first, then by ID number."""
        found = [
            Anomaly(r.person.id_number, r.person.name, f, f in BLOCKING)
            for r in self.rows
            for f in sorted(r.flags & (BLOCKING | NOTICES))
        ]
        return sorted(found, key=lambda a: (not a.blocking, a.id_number, a.kind.value))

    def blockers(self) -> list[str]:
        """Why the project cannot be submitted yet (empty: the attendance side is ready)."""
        out = []
        for a in self.anomalies():
            if a.blocking:
                out.append(f"{a.kind.value}: {a.name or '?'} ({a.id_number})")
        if self.window is not None and self.window.state is WindowState.CLOSED:
            out.append(f"deadline passed: {self.window.deadline_day.isoformat()}")
        return out

    @property
    def total_credits(self) -> Decimal:
        """Credits granted across all attendees."""
        return sum((r.credits for r in self.rows), Decimal(0))


def session_counts(project: Project, rows: Sequence[AttendeeCredits]) -> list[SessionCount]:
    """Per scheduled session: attendees with any time in it and the hours they earned there."""
    people: dict[str, set[str]] = {s.id: set() for s in project.sessions}
    hours: dict[str, Decimal] = {s.id: Decimal(0) for s in project.sessions}
    for r in rows:
        for line in r.lines:
            sid = line.piece.session.id
            if sid in people:
                people[sid].add(r.person.id_number)
                hours[sid] += line.hours
    return [SessionCount(s, len(people[s.id]), hours[s.id]) for s in project.sessions]


def arrivals(
    project: Project, records: Sequence[AttendanceRecord], *, bucket_minutes: int = 15
) -> list[ArrivalBucket]:
    """Arrivals per time bucket (Shanghai), empty buckets filled within each day's span."""
    by_person: dict[str, list[AttendanceRecord]] = {}
    for r in records:
        by_person.setdefault(r.id_number, []).append(r)
    plan = Schedule.of(project)
    check_ins = [
        pair.check_in.at
        for own in by_person.values()
        for pair in pair_attendee(own, project, schedule=plan).pairs
        if pair.check_in is not None
    ]
    return bucket_arrivals(check_ins, bucket_minutes=bucket_minutes)


def bucket_arrivals(check_ins: Iterable[datetime], *, bucket_minutes: int) -> list[ArrivalBucket]:
    """Check-in instants counted per time bucket (Shanghai), gaps within a day filled with 0."""
    if bucket_minutes < 1:
        raise ValueError("bucket_minutes must be at least 1")
    width = timedelta(minutes=bucket_minutes)
    counts: dict[datetime, int] = {}
    for at in check_ins:
        local = at.astimezone(SHANGHAI)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight + ((local - midnight) // width) * width
        counts[start] = counts.get(start, 0) + 1
    filled: dict[datetime, int] = {}
    for day in sorted({k.date() for k in counts}):
        keys = sorted(k for k in counts if k.date() == day)
        t = keys[0]
        while t <= keys[-1]:
            filled[t] = counts.get(t, 0)
            t += width
    return [ArrivalBucket(k, v) for k, v in sorted(filled.items())]


def build_review(
    project: Project,
    profile: Profile,
    records: Sequence[AttendanceRecord],
    *,
    people: Mapping[str, Person] | None = None,
    assessments: Mapping[str, Assessment] | None = None,
    prior_year_credits: Mapping[str, Decimal] | None = None,
    yearly_cap_exempt: frozenset[str] = frozenset(),
    ledger: Sequence[Grant] | None = None,
    corrections: Sequence[Correction] = (),
    now: datetime | None = None,
    bucket_minutes: int = 15,
) -> ReviewTable:
    """The review table of a project from the platform's merged records (after `corrections`).

    With a `ledger` of earlier grants the yearly caps count them in order of activity date
    (`prior_year_credits` is then derived from it); without, nothing is known of other projects.
    """
    numbers = {r.id_number for r in records}
    years = standings(project, profile, ledger, people=numbers, exempt=yearly_cap_exempt)
    if ledger is not None:
        prior_year_credits = {n: y.before for n, y in years.items()}
    rows = compute_project_credits(
        project,
        profile,
        records,
        people=people,
        assessments=assessments,
        prior_year_credits=prior_year_credits,
        yearly_cap_exempt=yearly_cap_exempt,
    )
    seen = {r.person.id_number for r in rows}
    absent = tuple(p for n, p in sorted((people or {}).items()) if n not in seen)
    return ReviewTable(
        project=project,
        profile=profile,
        rows=tuple(rows),
        absent=absent,
        sessions=tuple(session_counts(project, rows)),
        arrivals=tuple(
            bucket_arrivals((t for r in rows for t in r.arrivals), bucket_minutes=bucket_minutes)
        ),
        deadline=deadline_status(project, profile, now=now) if now is not None else None,
        window=submission_window(project, profile, now=now) if now is not None else None,
        corrections=tuple(corrections),
        years=years,
        warnings=tuple(project_warnings(project, profile)),
        as_of=now,
    )
