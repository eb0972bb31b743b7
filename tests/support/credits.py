"""Projects, people and records for the credit engine's worked examples (valid IDs, fixed days)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kiosk.core.credits import AttendanceRecord, Person
from kiosk.core.ids import mod11_2_check
from kiosk.core.model import (
    Direction,
    Method,
    Project,
    ProjectForm,
    ProjectKind,
    ProjectLevel,
    Role,
    Session,
)
from kiosk.core.rules import Profile, load_profile
from kiosk.core.timeutil import SHANGHAI

D1 = date(2026, 11, 24)
D2 = date(2026, 11, 25)
IN, OUT = Direction.IN, Direction.OUT


def idn(n: int) -> str:
    """A valid resident ID number, distinct for each n < 1000."""
    first17 = f"15010219850312{n:03d}"
    return first17 + mod11_2_check(first17)


ALICE, BOB, CAROL, SPEAKER = idn(1), idn(2), idn(3), idn(9)


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """An aware Shanghai-time instant."""
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=SHANGHAI)


def sessions_day(day: date, *, speaker: str = SPEAKER) -> tuple[Session, ...]:
    """08:30–12:00 (3.5 h, taught by `speaker`) and 14:00–17:00 (3 h): a 6.5 h day."""
    return (
        Session(f"{day:%d}-am", at(day, 8, 30), at(day, 12), "上午", speakers=(speaker,)),
        Session(f"{day:%d}-pm", at(day, 14), at(day, 17), "下午"),
    )


def project(
    *,
    form: ProjectForm = ProjectForm.FACE_TO_FACE,
    level: ProjectLevel = ProjectLevel.PROVINCIAL,
    days: tuple[date, ...] = (D1,),
    sessions: tuple[Session, ...] | None = None,
    profile: str = "inner-mongolia-2025-draft",
    speakers: tuple[str, ...] = (SPEAKER,),
) -> Project:
    """A project on `days`, by default one 6.5 h day under the Inner Mongolia draft."""
    if sessions is None:
        sessions = tuple(s for d in days for s in sessions_day(d))
    return Project(
        number="2026-15-01-001",
        name="急危重症护理新进展培训班",
        level=level,
        kind=ProjectKind.RECOMMENDED,
        form=form,
        organizer="内蒙古自治区人民医院",
        venue="学术报告厅",
        profile=profile,
        days=days,
        sessions=sessions,
        speakers=speakers,
    )


def rec(
    who: str,
    direction: Direction,
    when: datetime,
    *,
    desk: str = "A",
    method: Method = Method.FACE,
    record_id: str = "",
    **kw: Any,
) -> AttendanceRecord:
    """One attendance record."""
    return AttendanceRecord(who, direction, when, method, desk=desk, record_id=record_id, **kw)


def stay(
    who: str, day: date, start: tuple[int, int], end: tuple[int, int], **kw: Any
) -> list[AttendanceRecord]:
    """A check-in and a check-out on one day."""
    return [rec(who, IN, at(day, *start), **kw), rec(who, OUT, at(day, *end), **kw)]


def people(*numbers: str, speaker: str = SPEAKER) -> dict[str, Person]:
    """Named people for the given ID numbers (the speaker gets the speaker role)."""
    names = {ALICE: "张伟", BOB: "王芳", CAROL: "李娜", SPEAKER: "刘洋"}
    return {
        n: Person(
            n,
            name=names.get(n, f"学员{n[-4:]}"),
            unit="内蒙古自治区人民医院",
            department="重症医学科",
            title="护理",
            role=Role.SPEAKER if n == speaker else Role.PARTICIPANT,
        )
        for n in numbers
    }


def variant(name: str, **changes: Any) -> Profile:
    """A built-in profile with some nested fields changed, e.g. rounding={"credit_mode": "half_up"}."""
    base = load_profile(name)
    data = base.model_dump()
    for key, value in changes.items():
        if isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    data.pop("origin")
    return Profile.model_validate(data)


def dec(text: str) -> Decimal:
    """Decimal shorthand for expected figures."""
    return Decimal(text)
