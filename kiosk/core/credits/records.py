"""The engine's inputs: attendance records from any source and the people they belong to."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import guess_document, normalise
from kiosk.core.model import Attendee, CheckInEvent, Direction, Flag, Method, Role
from kiosk.core.timeutil import require_aware


class CreditFlag(StrEnum):
    """What the organizer must look at for one attendee; the explanation says why."""

    MISSING_CHECKOUT = "missing_checkout"  # a check-in with no check-out: not credited
    CHECKOUT_ASSUMED = "checkout_assumed"  # session end assumed by the profile: to be confirmed
    OUT_WITHOUT_IN = "out_without_in"
    CONFLICT = "conflict"  # two desks recorded the same moment twice: merged, counted once
    PROVISIONAL = "provisional_attendee"
    EXPIRED_DOCUMENT = "expired_document"
    OUTSIDE_PROJECT_DAYS = "outside_project_days"
    NO_SESSION_TIME = "no_session_time"  # present only outside the scheduled sessions
    METHOD_NOT_ACCEPTED = "method_not_accepted"
    SPEAKER_NOT_SCHEDULED = "speaker_not_scheduled"  # declared speaker, in no session's list
    ASSESSMENT_PENDING = "assessment_pending"  # results not imported yet
    ASSESSMENT_MISSING = "assessment_missing"  # imported, but no result for this person
    ASSESSMENT_FAILED = "assessment_failed"
    PROJECT_CAP = "project_cap"
    YEARLY_CAP = "yearly_cap"
    ABSENT = "absent"  # on the roster, no attendance at all
    # The organizer resolved something by an audited correction: resolved, shown, not blocking.
    CORRECTED = "corrected_by_organizer"


FLAG_LABELS_ZH = {
    CreditFlag.MISSING_CHECKOUT: "缺签退",
    CreditFlag.CHECKOUT_ASSUMED: "签退待确认",
    CreditFlag.OUT_WITHOUT_IN: "缺签到",
    CreditFlag.CONFLICT: "多台记录已合并",
    CreditFlag.PROVISIONAL: "临时登记",
    CreditFlag.EXPIRED_DOCUMENT: "证件过期",
    CreditFlag.OUTSIDE_PROJECT_DAYS: "非培训日记录",
    CreditFlag.NO_SESSION_TIME: "不在课时内",
    CreditFlag.METHOD_NOT_ACCEPTED: "考勤方式不符",
    CreditFlag.SPEAKER_NOT_SCHEDULED: "授课未排课",
    CreditFlag.ASSESSMENT_PENDING: "考核未导入",
    CreditFlag.ASSESSMENT_MISSING: "缺考",
    CreditFlag.ASSESSMENT_FAILED: "考核不合格",
    CreditFlag.PROJECT_CAP: "达项目上限",
    CreditFlag.YEARLY_CAP: "达年度上限",
    CreditFlag.ABSENT: "未签到",
    CreditFlag.CORRECTED: "经组织者更正（人工）",
}

# Desk flags carried by check-in records that the review table reports per attendee.
DESK_FLAGS = {
    Flag.EXPIRED_DOCUMENT: CreditFlag.EXPIRED_DOCUMENT,
    Flag.PROVISIONAL_ATTENDEE: CreditFlag.PROVISIONAL,
    Flag.CONFLICT: CreditFlag.CONFLICT,
    Flag.OUT_WITHOUT_IN: CreditFlag.OUT_WITHOUT_IN,
}

METHOD_LABELS_ZH = {
    Method.ID_CARD: "身份证",
    Method.IC_CARD: "IC卡",
    Method.QR: "二维码",
    Method.FACE: "人脸识别",
    Method.MANUAL: "人工登记",
}


@dataclass(frozen=True, slots=True)
class AttendanceRecord:
    """One check-in or check-out as the platform (or a CSV) holds it; `at` is aware."""

    id_number: str
    direction: Direction
    at: datetime
    method: Method
    desk: str = ""
    record_id: str = ""  # the client UUID when known: the same record delivered twice is one
    line: int = 0  # the source line, for messages (0: not from a file)
    flags: frozenset[Flag] = field(default_factory=frozenset)
    corrected: bool = False  # added by an organizer's correction, not recorded at a desk

    def __post_init__(self) -> None:
        require_aware(self.at)


@dataclass(frozen=True, slots=True)
class Person:
    """Who an attendance record belongs to (roster entry, walk-in, or a CSV's name column)."""

    id_number: str
    name: str = ""
    unit: str = ""
    department: str = ""
    title: str = ""  # 职称 / title series
    role: Role = Role.PARTICIPANT
    provisional: bool = False
    document_expired: bool = False
    corrected: bool = False  # an organizer's correction changed this person's records


_OTHER_DOCUMENT = re.compile(r"^[A-Z0-9]{5,20}$")


def check_id_number(raw: str) -> str:
    """Normalise a document number; 15/18-character numbers must pass the GB 11643 rules."""
    number = normalise(raw)
    if not number:
        raise InvalidDocumentNumber("the ID number is empty")
    if len(number) in (15, 18):
        return guess_document(number).number
    if not _OTHER_DOCUMENT.fullmatch(number):
        raise InvalidDocumentNumber(
            "the ID number must be a resident/permanent-residence number or 5-20 letters and digits"
        )
    return number


def person_from_attendee(attendee: Attendee, *, document_expired: bool = False) -> Person:
    """The engine's view of a roster entry."""
    return Person(
        id_number=attendee.document.number,
        name=attendee.name,
        unit=attendee.unit,
        department=attendee.department,
        title=attendee.title_series,
        role=attendee.role,
        provisional=attendee.provisional,
        document_expired=document_expired,
    )


def records_from_events(
    events: Iterable[CheckInEvent],
    attendees: Mapping[str, Attendee],
    *,
    desk_names: Mapping[str, str] | None = None,
) -> tuple[list[AttendanceRecord], dict[str, Person]]:
    """Turn stored check-in events (keyed by attendee id) into records keyed by ID number."""
    names = desk_names or {}
    records: list[AttendanceRecord] = []
    people: dict[str, Person] = {}
    for event in events:
        attendee = attendees.get(event.attendee_id)
        if attendee is None:
            raise KeyError(f"event {event.uuid} names an unknown attendee {event.attendee_id}")
        number = attendee.document.number
        expired = Flag.EXPIRED_DOCUMENT in event.flags
        known = people.get(number)
        people[number] = person_from_attendee(
            attendee, document_expired=expired or (known is not None and known.document_expired)
        )
        records.append(
            AttendanceRecord(
                id_number=number,
                direction=event.direction,
                at=event.scanned_at,
                method=event.method,
                desk=names.get(event.device_id, event.device_id),
                record_id=event.uuid,
                flags=event.flags,
            )
        )
    for attendee in attendees.values():
        people.setdefault(attendee.document.number, person_from_attendee(attendee))
    return records, people


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad input row: its line number in the file and what is wrong with it."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"
