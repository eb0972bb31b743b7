"""The organizer's review table: per attendee sessions, hours, anomalies, assessment, credits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from kiosk.core.credits.assessment import Assessment
from kiosk.core.credits.calendar import DeadlineStatus, deadline_status
from kiosk.core.credits.compute import AttendeeCredits, compute_project_credits
from kiosk.core.credits.pairing import pair_attendee
from kiosk.core.credits.records import (
    METHOD_LABELS_ZH,
    AttendanceRecord,
    CreditFlag,
    Person,
)
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
EXPORT_COLUMNS = (
    "证件号",
    "姓名",
    "单位",
    "科室",
    "职称",
    "签到时间",
    "签退时间",
    "考勤方式",
    "学时",
    "考核结果",
    "学分",
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
        if self.deadline is not None and self.deadline.days_left < 0:
            out.append(f"deadline passed: {self.deadline.deadline.isoformat()}")
        return out

    @property
    def total_credits(self) -> Decimal:
        """Credits granted across all attendees."""
        return sum((r.credits for r in self.rows), Decimal(0))


def session_counts(project: Project, rows: Sequence[AttendeeCredits]) -> list[SessionCount]:
    """Per scheduled session: attendees with any time in it and the hours they earned there."""
    out = []
    for s in project.sessions:
        lines = [line for r in rows for line in r.lines if line.piece.session.id == s.id]
        people = {r.person.id_number for r in rows for ln in r.lines if ln.piece.session.id == s.id}
        out.append(SessionCount(s, len(people), sum((ln.hours for ln in lines), Decimal(0))))
    return out


def arrivals(
    project: Project, records: Sequence[AttendanceRecord], *, bucket_minutes: int = 15
) -> list[ArrivalBucket]:
    """Arrivals per time bucket (Shanghai), empty buckets filled within each day's span."""
    if bucket_minutes < 1:
        raise ValueError("bucket_minutes must be at least 1")
    by_person: dict[str, list[AttendanceRecord]] = {}
    for r in records:
        by_person.setdefault(r.id_number, []).append(r)
    width = timedelta(minutes=bucket_minutes)
    counts: dict[datetime, int] = {}
    for own in by_person.values():
        for pair in pair_attendee(own, project).pairs:
            if pair.check_in is None:
                continue
            local = pair.check_in.at.astimezone(SHANGHAI)
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
    now: datetime | None = None,
    bucket_minutes: int = 15,
) -> ReviewTable:
    """The review table of a project from the platform's merged records (after corrections)."""
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
        arrivals=tuple(arrivals(project, records, bucket_minutes=bucket_minutes)),
        deadline=deadline_status(project, profile, now=now) if now is not None else None,
    )


def _local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _assessment_zh(row: AttendeeCredits) -> str:
    if row.assessment is not None:
        return row.assessment.label_zh()
    if CreditFlag.ASSESSMENT_PENDING in row.flags:
        return "未导入"
    if CreditFlag.ASSESSMENT_MISSING in row.flags:
        return "缺考"
    return ""


def export_rows(table: ReviewTable) -> list[tuple[str | Decimal | int, ...]]:
    """One row per attendee and session, in EXPORT_COLUMNS order.

    学时 is in the platform's time unit (hours, or whole minutes); 学分 is the attendee's total,
    on their first row only, so a column sum is the project's total.
    """
    minutes = table.profile.platform.time_unit.value == "minutes"
    step = table.profile.rounding
    out: list[tuple[str | Decimal | int, ...]] = []
    for row in table.rows:
        p = row.person
        head = (p.id_number, p.name, p.unit, p.department, p.title)
        lines = row.lines or (None,)
        for i, line in enumerate(lines):
            if line is None:
                times: tuple[str, str, str] = ("", "", "")
                amount: Decimal | int = 0 if minutes else Decimal(0).quantize(step.hours_step)
            else:
                piece = line.piece
                how = "/".join(METHOD_LABELS_ZH[m] for m in piece.methods)
                times = (_local(piece.scan_in), _local(piece.scan_out), how)
                amount = piece.minutes if minutes else line.hours
            credits: str | Decimal = row.credits if i == 0 else ""
            out.append((*head, *times, amount, _assessment_zh(row), credits))
    return out


def execution_report_rows(table: ReviewTable) -> list[dict[str, object]]:
    """JSON rows of the execution report (考勤、考核、学分预授), one per attendee."""
    out = []
    for row in table.rows:
        item = row.to_json()
        p = row.person
        a = row.assessment
        item.update(
            {
                "unit": p.unit,
                "department": p.department,
                "title": p.title,
                "minutes": sum(line.piece.minutes for line in row.lines),
                "assessment": None
                if a is None
                else {
                    "passed": a.passed,
                    "score": None if a.score is None else str(a.score),
                    "pass_mark": None if a.pass_mark is None else str(a.pass_mark),
                },
                "credit_year": row.credit_year,
                "needs_confirmation": row.needs_confirmation,
                "provisional": p.provisional,
            }
        )
        out.append(item)
    return out


def submission_lines(
    table: ReviewTable, attendee_refs: Mapping[str, str]
) -> list[dict[str, object]]:
    """Lines of the platform's execution report (sync.protocol.ReportLine fields), one per attendee.

    `attendee_refs` maps ID numbers to the platform's attendee references; an attendee without
    one raises KeyError (submit must not drop anyone silently).
    """
    out: list[dict[str, object]] = []
    required = table.profile.forms.get(table.project.form).assessment_required.value
    for row in table.rows:
        a = row.assessment
        if a is not None:
            verdict = "passed" if a.passed else "failed"
        elif required and row.participant_hours > 0:
            verdict = "missing"
        else:
            verdict = "not_required"
        notes = ", ".join(sorted(f.value for f in row.flags))
        out.append(
            {
                "attendee_id": attendee_refs[row.person.id_number],
                "role": row.role.value,
                "hours": row.hours,
                "assessment": verdict,
                "score": a.score if a is not None else None,
                "credits": row.credits,
                "notes": notes[:500],
            }
        )
    return out
