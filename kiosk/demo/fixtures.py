"""Demo data: a two-session project held today (Shanghai) and a small roster with valid IDs."""

from __future__ import annotations

from datetime import date, datetime

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

# name, first 17 digits of the resident ID, unit, department, title series, role, staff card UID
PEOPLE = [
    (
        "张伟",
        "15010219850315004",
        "内蒙古自治区人民医院",
        "重症医学科",
        "医师",
        Role.PARTICIPANT,
        "0713233758",
    ),
    ("王芳", "15010419900720122", "呼和浩特市第一医院", "护理部", "护理", Role.PARTICIPANT, ""),
    ("李娜", "15020319881109032", "包头市中心医院", "药剂科", "药学", Role.PARTICIPANT, ""),
    ("刘洋", "15010219790512063", "内蒙古医科大学附属医院", "急诊科", "医师", Role.SPEAKER, ""),
    ("陈静", "15010219920101004", "鄂尔多斯市中心医院", "检验科", "技师", Role.PARTICIPANT, ""),
    ("杨磊", "15010219870606005", "赤峰市医院", "重症医学科", "护理", Role.PARTICIPANT, ""),
]


def demo_project(today: date) -> Project:
    """A municipal (市级) face-to-face project on `today`: a morning and an afternoon session.

    Municipal, because the Inner Mongolia profile accepts every attendance method below the
    provincial level (provincial and above: QR or face only, 第十六条), and the demo shows them
    all: ID cards, codes, faces and staff records. No record is flagged for its method.
    """

    def t(hh: int, mm: int = 0) -> datetime:
        return datetime(today.year, today.month, today.day, hh, mm, tzinfo=SHANGHAI)

    speaker = PEOPLE[3][1] + mod11_2_check(PEOPLE[3][1])
    return Project(
        number=f"{today.year}-15-01-DEMO(市)",
        name="急危重症护理新进展培训班",
        level=ProjectLevel.MUNICIPAL,
        kind=ProjectKind.RECOMMENDED,
        form=ProjectForm.FACE_TO_FACE,
        organizer="内蒙古自治区人民医院",
        venue="呼和浩特 学术报告厅",
        profile="inner-mongolia-2025-draft",
        days=(today,),
        sessions=(
            Session("am", t(8, 30), t(12), "脓毒症集束化治疗", speakers=(speaker,)),
            Session("pm", t(14), t(17, 30), "机械通气护理"),
        ),
        speakers=(speaker,),
    )


def demo_roster() -> list[Attendee]:
    """The six people of the demo, with valid check digits."""
    out = []
    for i, (name, first17, unit, dept, series, role, uid) in enumerate(PEOPLE):
        out.append(
            Attendee(
                id=f"A{i + 1}",
                document=IdentityDocument(
                    DocumentType.RESIDENT_ID, first17 + mod11_2_check(first17)
                ),
                name=name,
                unit=unit,
                department=dept,
                title_series=series,
                role=role,
                card_uids=(uid,) if uid else (),
            )
        )
    return out
