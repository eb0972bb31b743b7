"""Projects, sessions, attendees and check-in events: the records everything else is built on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from kiosk.core.ids import IdentityDocument
from kiosk.core.timeutil import local_day, require_aware, to_utc


class ProjectLevel(StrEnum):
    """Approval level of a CME project (国家级/省级/市级/单位)."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    UNIT = "unit"


class ProjectKind(StrEnum):
    """Recommended (推荐) or promoted (推广/备案) project."""

    RECOMMENDED = "recommended"
    PROMOTED = "promoted"


class ProjectForm(StrEnum):
    """How the project is delivered; credits depend on it."""

    FACE_TO_FACE = "face_to_face"
    REMOTE = "remote"
    PRACTICE_ACTIVITY = "practice_activity"  # 有组织的继续医学教育实践活动


class Role(StrEnum):
    """Participant (学员) or speaker (授课人)."""

    PARTICIPANT = "participant"
    SPEAKER = "speaker"


class Direction(StrEnum):
    """Check-in (签到) or check-out (签退)."""

    IN = "in"
    OUT = "out"


class Method(StrEnum):
    """How the attendee identified themselves."""

    ID_CARD = "id_card"
    IC_CARD = "ic_card"
    QR = "qr"
    FACE = "face"
    MANUAL = "manual"


class DeskMode(StrEnum):
    """Set by staff: every scan checks in, checks out, or the direction is inferred."""

    IN = "in"
    OUT = "out"
    AUTO = "auto"


class Flag(StrEnum):
    """Facts the organizer must review; a flag never silently changes credits."""

    EXPIRED_DOCUMENT = "expired_document"
    PROVISIONAL_ATTENDEE = "provisional_attendee"
    CONFLICT = "conflict"
    OUT_WITHOUT_IN = "out_without_in"
    METHOD_NOT_ACCEPTED = (
        "method_not_accepted"  # staff recorded it by a method the project excludes
    )


class RecordKind(StrEnum):
    """What a record in the desk's chain is: attendance, or a staff record about attendance."""

    CHECKIN = "checkin"  # a check-in or check-out (attendance)
    VOID = "void"  # undoes the record `refers_to` names (nothing is deleted)
    DISPUTE = "dispute"  # an attendee disputes a record, in their words
    DISMISS = "dismiss"  # staff dismissed a dead letter (the refused record `refers_to`)


class Status(StrEnum):
    """The colour of the desk's answer: green, amber or red."""

    ACCEPTED = "accepted"  # green: a record was committed
    ALREADY = "already"  # amber: nothing new to record
    REFUSED = "refused"  # red: not admitted, a denied record was kept
    ERROR = "error"  # red: the kiosk cannot record right now (storage); staff needed


@dataclass(frozen=True, slots=True)
class Session:
    """A scheduled teaching block; breaks are the gaps between sessions."""

    id: str
    start: datetime
    end: datetime
    title: str = ""
    speakers: tuple[str, ...] = ()  # ID numbers of who teaches this session

    def __post_init__(self) -> None:
        require_aware(self.start)
        require_aware(self.end)
        if self.end <= self.start:
            raise ValueError(f"session {self.id} ends before it starts")

    @property
    def hours(self) -> float:
        """Scheduled length in hours."""
        return (self.end - self.start) / timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CheckInSettings:
    """Per-project desk policy set by the organizer (kept with the project, synced with it)."""

    methods: frozenset[Method] = frozenset(
        {Method.ID_CARD, Method.IC_CARD, Method.QR, Method.FACE, Method.MANUAL}
    )
    allow_plain_roster_codes: bool = False
    liveness: str = "challenge_on_doubt"  # off | challenge_on_doubt | always
    expired_document: str = "admit_with_flag"  # admit_with_flag | refuse
    # off | enrolled: an ID-card tap waits for the cardholder's face (1:1) when there is a
    # reference to compare it with (an enrolled template, or the card photo with a WLT decoder)
    face_verify_cards: str = "off"


@dataclass(frozen=True, slots=True)
class Project:
    """A CME project (项目) as the platform approved it."""

    number: str  # 项目编号
    name: str
    level: ProjectLevel
    kind: ProjectKind
    form: ProjectForm
    organizer: str
    venue: str
    profile: str  # the province rules profile name, e.g. "inner-mongolia-2025-draft"
    days: tuple[date, ...]
    sessions: tuple[Session, ...]
    speakers: tuple[str, ...] = ()  # ID numbers of the project's speakers
    checkin: CheckInSettings = field(default_factory=CheckInSettings)

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError(f"project {self.number} has no days")
        for s in self.sessions:
            if local_day(s.start) not in self.days:
                raise ValueError(f"session {s.id} is not on one of the project's days")

    @property
    def first_day(self) -> date:
        """The project's first day (Shanghai)."""
        return min(self.days)

    @property
    def last_day(self) -> date:
        """The project's last day (Shanghai); the submission window counts from it."""
        return max(self.days)

    def is_project_day(self, moment: datetime) -> bool:
        """Whether an instant falls on one of the project's days in Shanghai time."""
        return local_day(moment) in self.days


@dataclass(frozen=True, slots=True)
class Attendee:
    """A person on the roster, or a provisional walk-in admitted by ID card."""

    id: str  # stable reference (platform id, or a UUID for walk-ins)
    document: IdentityDocument
    name: str
    unit: str = ""
    department: str = ""
    title_series: str = ""  # 医师/护理/药学/技师/…
    role: Role = Role.PARTICIPANT
    card_uids: tuple[str, ...] = ()
    provisional: bool = False


@dataclass(frozen=True, slots=True)
class CheckInEvent:
    """One recorded check-in or check-out: immutable once committed."""

    uuid: str
    project: str
    attendee_id: str
    direction: Direction
    method: Method
    device_id: str
    seq: int  # per-device, contiguous, starting at 1
    scanned_at: datetime  # UTC
    utc_offset_minutes: int  # the device's offset at the scan, kept for audit
    evidence_ref: str | None = None
    flags: frozenset[Flag] = field(default_factory=frozenset)
    kind: RecordKind = RecordKind.CHECKIN
    staff_id: str | None = None  # the signed-in staff member who made it (staff actions)
    note: str | None = None  # the reason, or a disputing attendee's words
    refers_to: str | None = None  # the record voided or disputed, the dead letter dismissed
    receipt: str | None = None  # a dispute: the receipt text the attendee showed

    def __post_init__(self) -> None:
        if self.seq < 1:
            raise ValueError("sequence numbers start at 1")
        object.__setattr__(self, "scanned_at", to_utc(self.scanned_at))


def new_uuid() -> str:
    """A client-made record id (122 random bits), so a retried upload is recognisably the same."""
    return str(uuid.uuid4())
