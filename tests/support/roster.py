"""A small project and roster for store and service tests (valid ID numbers, fixed dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kiosk.core.ids import DocumentType, IdentityDocument, mod11_2_check
from kiosk.core.model import (
    Attendee,
    Project,
    ProjectForm,
    ProjectKind,
    ProjectLevel,
    Role,
    Session,
)
from kiosk.core.timeutil import SHANGHAI

DAY1 = date(2026, 5, 20)
DAY2 = date(2026, 5, 21)


def resident(first17: str) -> IdentityDocument:
    """A resident ID document with its correct check digit."""
    return IdentityDocument(DocumentType.RESIDENT_ID, first17 + mod11_2_check(first17))


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """An aware Shanghai-time instant."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SHANGHAI)


def make_project(number: str = "2026-15-01-001") -> Project:
    """Two days, a morning and an afternoon session on day 1, a morning on day 2."""
    return Project(
        number=number,
        name="急危重症护理新进展",
        level=ProjectLevel.PROVINCIAL,
        kind=ProjectKind.RECOMMENDED,
        form=ProjectForm.FACE_TO_FACE,
        organizer="内蒙古自治区人民医院",
        venue="学术报告厅",
        profile="inner-mongolia-2025-draft",
        days=(DAY1, DAY2),
        sessions=(
            Session("d1-am", at(DAY1, 8, 30), at(DAY1, 12), "脓毒症"),
            Session("d1-pm", at(DAY1, 14), at(DAY1, 17), "机械通气"),
            Session("d2-am", at(DAY2, 8, 30), at(DAY2, 11, 30), "病例讨论"),
        ),
    )


def make_roster(n: int = 3) -> list[Attendee]:
    """n roster entries with valid resident IDs; the first has a staff card UID."""
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"]
    out = []
    for i in range(n):
        # Birth dates unique for i < 13,440: year from i % 40, month and day from the quotient.
        born = f"{1960 + i % 40}{1 + (i // 40) % 12:02d}{1 + (i // 480) % 28:02d}"
        doc = resident(f"150102{born}{i % 1000:03d}")
        out.append(
            Attendee(
                id=f"A{i + 1}",
                document=doc,
                name=names[i % len(names)] + ("" if i < len(names) else str(i)),
                unit="内蒙古自治区人民医院",
                department="重症医学科",
                title_series="护理",
                role=Role.SPEAKER if i == 2 else Role.PARTICIPANT,
                card_uids=("0713233758",) if i == 0 else (),
            )
        )
    return out


class FakeClock:
    """An injectable clock tests move by hand."""

    def __init__(self, start: datetime):
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)
