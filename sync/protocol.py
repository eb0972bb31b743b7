"""Wire protocol v1 between kiosks and the platform: every request and answer, strictly typed.

Every model forbids unknown fields and does not coerce types ("5" is not an integer), so a
malformed body is refused with a message naming the field instead of being half-understood.
Instants the server must re-hash travel as the exact ISO 8601 text the device signed.
docs/protocol.md explains the exchanges; sync.signing holds the canonical form and keys.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.core.ids import DocumentType, IdentityDocument
from kiosk.core.model import Attendee, Method, Project, Role
from kiosk.core.project_file import project_from_dict

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
VERSION_HEADER = "CME-Protocol-Version"
API_PREFIX = "/api/v1"
MAX_BATCH = 500  # records per upload request
MAX_REPORT_LINES = 20_000
MAX_BODY_BYTES = 4 * 1024 * 1024  # a full batch is ~400 KiB; a large report ~3 MiB

RecordStatus = Literal["accepted", "duplicate", "rejected"]
DeviceRole = Literal["desk", "organizer", "relay"]  # relay: a venue relay (docs/protocol.md)
DeviceState = Literal["active", "retired", "revoked"]
MethodName = Literal["id_card", "ic_card", "qr", "face", "manual"]
FlagName = Literal["expired_document", "provisional_attendee", "conflict", "out_without_in"]

# Machine-readable reasons a single record is refused (the desk keeps it as a dead letter).
REJECT_REASONS = (
    "bad_signature",  # hash or Ed25519 signature does not match the device's registered key
    "wrong_device",  # the record names another device than the token's
    "revoked_device",  # the record names a device that was revoked
    "retired_device",  # scanned at or after the device's retirement instant
    "unknown_project",  # no such project on the platform
    "not_enrolled_for_project",  # the project exists but this device is not enrolled in it
    "outside_project_days",  # the scan instant is not on one of the project's days (Shanghai)
    "uuid_conflict",  # the UUID is known with different contents
    "not_a_desk",  # an organizer device cannot record attendance
)

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _uuid(value: str) -> str:
    if not _UUID.fullmatch(value):
        raise ValueError("must be a lower-case UUID like 0b6e…-…")
    return value


def _hex64(value: str) -> str:
    if not _HEX64.fullmatch(value):
        raise ValueError("must be 64 lower-case hex digits (SHA-256)")
    return value


def _iso_instant(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError("must carry its UTC offset, e.g. 2026-05-20T00:30:00+00:00")
    return value


def b64_bytes(value: str, *, size: int | None = None) -> bytes:
    """Decode strict base64 (optionally of an exact size); ValueError names the problem."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("must be base64") from None
    if size is not None and len(raw) != size:
        raise ValueError(f"must be base64 of {size} bytes, got {len(raw)}")
    return raw


def b64(raw: bytes) -> str:
    """Standard base64 text of raw bytes."""
    return base64.b64encode(raw).decode("ascii")


def _key32(value: str) -> str:
    b64_bytes(value, size=32)
    return value


def _sig64(value: str) -> str:
    b64_bytes(value, size=64)
    return value


Uuid = Annotated[str, AfterValidator(_uuid)]
Hex64 = Annotated[str, AfterValidator(_hex64)]
IsoInstant = Annotated[str, Field(max_length=40), AfterValidator(_iso_instant)]
Key32 = Annotated[str, Field(max_length=64), AfterValidator(_key32)]
Signature = Annotated[str, Field(max_length=100), AfterValidator(_sig64)]
# No control characters in names and codes, no NUL anywhere (PostgreSQL text cannot hold it).
_PLAIN = r"^[^\x00-\x1f\x7f]*$"
_NO_NUL = r"^[^\x00]*$"
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=_PLAIN)]


def _plain(max_length: int, min_length: int = 0) -> Any:
    return Field(min_length=min_length, max_length=max_length, pattern=_PLAIN)


def _free_text(max_length: int) -> Any:
    return Field(max_length=max_length, pattern=_NO_NUL)


class Wire(BaseModel):
    """Base of every message: unknown fields refused, no type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---- versions, time, enrollment -------------------------------------------------------------


class Versions(Wire):
    """GET /api/versions: what the server speaks (unversioned path, so any client can ask)."""

    supported: list[int]
    server_time: datetime


class ServerTime(Wire):
    """GET /api/v1/time."""

    server_time: datetime


class EnrollRequest(Wire):
    """POST /api/v1/enroll: exchange a one-time code for a device id and bearer token."""

    code: Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9 -]+$")]
    public_key: Key32  # the device's raw Ed25519 public key, base64
    desk_name: Annotated[str, _plain(40, 1)]
    seq_start: Annotated[int, Field(ge=1)] = 1  # the first sequence number this device will use


class Enrollment(Wire):
    """The answer to an enrollment; the token is shown once and stored hashed by the server."""

    device_id: str
    token: str
    project: str
    role: DeviceRole
    desk_name: str
    server_time: datetime


# ---- records ---------------------------------------------------------------------------------


class EventRecord(Wire):
    """One check-in/out as the device committed, hash-chained and signed it (see sync.signing)."""

    uuid: Uuid
    seq: Annotated[int, Field(ge=1)]
    project: Ident
    attendee_id: Ident
    direction: Literal["in", "out"]
    method: MethodName
    device_id: Ident
    scanned_at: IsoInstant  # the device's scan instant, UTC text exactly as signed
    utc_offset_minutes: Annotated[int, Field(ge=-16 * 60, le=16 * 60)]
    server_offset_ms: int | None  # server minus device clock as the device knew it at the scan
    evidence_ref: Annotated[str, _plain(100)] | None
    flags: Annotated[list[FlagName], Field(max_length=8)]
    prev_hash: Hex64
    hash: Hex64
    signature: Signature


class EventBatch(Wire):
    """POST /api/v1/events."""

    records: Annotated[list[EventRecord], Field(min_length=1, max_length=MAX_BATCH)]


class DeniedRecord(Wire):
    """A refused or suspicious attempt; the credential only as an HMAC under the project key."""

    uuid: Uuid
    project: Ident
    method: MethodName
    reason: Annotated[str, _plain(64, 1)]
    detail: Annotated[str, _free_text(500)]
    credential_hmac: Hex64 | None
    device_id: Ident
    scanned_at: IsoInstant
    utc_offset_minutes: Annotated[int, Field(ge=-16 * 60, le=16 * 60)]


class DeniedBatch(Wire):
    """POST /api/v1/denied."""

    records: Annotated[list[DeniedRecord], Field(min_length=1, max_length=MAX_BATCH)]


class RecordAnswer(Wire):
    """The platform's answer for one record."""

    uuid: str
    status: RecordStatus
    reason: str = ""


class BatchAnswer(Wire):
    """One answer per record sent, in the order sent."""

    answers: list[RecordAnswer]
    server_time: datetime


# ---- device status and completeness -----------------------------------------------------------


class DeviceReport(Wire):
    """POST /api/v1/devices/me/status: the device's latest sequence number."""

    latest_seq: Annotated[int, Field(ge=0)]


class DeskCompleteness(Wire):
    """What the platform knows of one device's records, by sequence number."""

    device_id: str
    desk_name: str
    role: DeviceRole
    state: DeviceState
    highest_contiguous: int  # every seq from the device's first up to this one was received
    latest_seq: int  # the higher of the device's report and the highest seq received
    missing: int  # sequence numbers up to latest_seq not received
    reported: bool  # whether the device ever reported its latest seq
    complete: bool
    blocking: bool  # an active desk that is incomplete holds up the submission
    end_reason: str = ""


class DeviceStatus(Wire):
    """The answer to a device report."""

    desk: DeskCompleteness
    server_time: datetime


# ---- project and roster pull -----------------------------------------------------------------


PinRole = Literal["staff", "organizer"]
PinHash = Annotated[str, Field(max_length=200, pattern=r"^\$argon2id?\$[ -~]+$")]


class TicketKey(Wire):
    """A public key that verifies the platform's signed QR tickets (several during rotation)."""

    key_id: str
    public_key: Key32


class ProjectBundle(Wire):
    """GET /api/v1/projects/{number}: definition and verification keys (ETag-cached)."""

    project: dict[str, Any]  # kiosk.core.project_file.project_to_dict
    ticket_keys: list[TicketKey]
    denied_hmac_key: Key32  # keys the HMAC of refused credentials (raw 32 bytes, base64)
    # Desk PINs set by the administration (argon2 hashes): how a forgotten PIN is recovered.
    pin_hashes: dict[PinRole, PinHash] = Field(default_factory=dict)

    def to_project(self) -> Project:
        """The kiosk's model of the project; ValueError if the definition is not valid."""
        return project_from_dict(self.project, source="platform bundle")

    @property
    def hmac_key(self) -> bytes:
        """The denied-credential HMAC key as raw bytes."""
        return b64_bytes(self.denied_hmac_key, size=32)


class WireAttendee(Wire):
    """One roster entry as shipped to enrolled kiosks (with its rotating-code secret)."""

    id: str
    id_type: str
    id_number: str
    name: str
    unit: str
    department: str
    title: str
    role: Literal["participant", "speaker"]
    card_uids: list[str]
    qr_secret: Key32  # 32 random bytes, base64: the attendee's rotating-code secret

    def to_attendee(self) -> Attendee:
        """The kiosk's model of this roster entry."""
        return Attendee(
            id=self.id,
            document=IdentityDocument(DocumentType(self.id_type), self.id_number),
            name=self.name,
            unit=self.unit,
            department=self.department,
            title_series=self.title,
            role=Role(self.role),
            card_uids=tuple(self.card_uids),
        )

    @property
    def secret(self) -> bytes:
        """The rotating-code secret as raw bytes."""
        return b64_bytes(self.qr_secret, size=32)


class RemoteEvent(Wire):
    """A record another desk uploaded (organizers receive every desk's), as the server holds it."""

    uuid: str
    project: str
    attendee_id: str
    direction: Literal["in", "out"]
    method: MethodName
    device_id: str
    desk_name: str
    scanned_at: str
    utc_offset_minutes: int
    server_offset_ms: int | None
    received_at: datetime
    flags: list[str]
    conflict: bool

    def store_row(self) -> dict[str, object]:
        """The row shape the store's `store.outbox.add_remote_events` takes."""
        return self.model_dump(mode="json")


class ChangesPage(Wire):
    """GET /api/v1/projects/{number}/changes?cursor=…: one page, resume from `cursor`."""

    project: str
    cursor: str
    more: bool
    attendees: list[WireAttendee]
    events: list[RemoteEvent]


# ---- organizer submission ---------------------------------------------------------------------

Hours = Annotated[Decimal, Field(strict=False, ge=0, le=1000, max_digits=7, decimal_places=2)]
Credits = Annotated[Decimal, Field(strict=False, ge=0, le=100, max_digits=6, decimal_places=2)]


class ReportLine(Wire):
    """One attendee's result in the execution report (the credits engine fills these)."""

    attendee_id: Ident
    role: Literal["participant", "speaker"]
    hours: Hours
    assessment: Literal["passed", "failed", "not_required", "missing"]
    score: Annotated[Decimal, Field(strict=False, ge=0, le=1000, max_digits=7)] | None = None
    credits: Credits
    notes: Annotated[str, _free_text(500)] = ""


class ExecutionReport(Wire):
    """POST /api/v1/projects/{number}/submission: the project's execution report."""

    project: Ident
    profile: Annotated[str, _plain(64, 1)]
    lines: Annotated[list[ReportLine], Field(max_length=MAX_REPORT_LINES)]


class SubmissionWindow(Wire):
    """When a project's report is accepted (Asia/Shanghai days), and whether it is open now."""

    project: str
    opens_at: datetime  # the end of the project's last day
    deadline: datetime  # exclusive: the end of the last accepted day
    deadline_day: date  # the last day on which a submission is accepted
    days: int  # days after the last day, from the province profile
    state: Literal["not_open", "open", "closed"]
    days_left: int  # whole Shanghai days left including today (0 once closed)
    submitted_at: datetime | None


class SubmissionAnswer(Wire):
    """An accepted submission."""

    submission_id: int
    project: str
    accepted_at: datetime
    deadline: datetime
    lines: int


class ProjectStatus(Wire):
    """Counts, every desk's completeness, conflicts and the submission window."""

    project: str
    attendees: int
    events: int
    denied: int
    conflicts: int
    desks: list[DeskCompleteness]
    complete: bool  # no desk blocks the submission
    window: SubmissionWindow
    corrections: int = 0  # the organizer's uploaded corrections (audit)


# ---- venue relay (docs/protocol.md "Venue relay") ----------------------------------------------


class RelayDevice(Wire):
    """POST /api/v1/relay/devices: a kiosk enrolled with the relay, registered upstream by it."""

    device_id: Ident  # the id the relay gave the kiosk: its records are signed with it
    public_key: Key32
    desk_name: Annotated[str, _plain(40, 1)]
    seq_start: Annotated[int, Field(ge=1)] = 1


class RelayDeviceAnswer(Wire):
    """The kiosk as the platform now knows it."""

    device_id: str
    status: Literal["registered", "already_registered"]
    state: DeviceState
    end_reason: str = ""


class RelayDeskReport(Wire):
    """One relayed kiosk's latest sequence number, as it reported it to the relay."""

    device_id: Ident
    latest_seq: Annotated[int, Field(ge=0)]


class RelayStatusReport(Wire):
    """POST /api/v1/relay/status: the relayed kiosks' reports."""

    desks: Annotated[list[RelayDeskReport], Field(min_length=1, max_length=MAX_BATCH)]


class RelayStatusAnswer(Wire):
    """Each relayed kiosk's completeness on the platform (its state tells a revocation)."""

    desks: list[DeskCompleteness]
    server_time: datetime


# ---- the organizer's corrections (audit) ------------------------------------------------------

CorrectionKindName = Literal["add_checkout", "add_checkin", "void_record", "merge_provisional"]


class CorrectionEntry(Wire):
    """One organizer correction: who changed what, when and why, with the state before/after."""

    id: Uuid  # stable per correction: a re-upload is answered duplicate
    kind: CorrectionKindName
    by: Annotated[str, _plain(100, 1)]
    made_at: IsoInstant  # when the organizer made it
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=_NO_NUL)]
    attendee_id: Annotated[str, _plain(64)] | None = None  # the platform's reference
    into_attendee_id: Annotated[str, _plain(64)] | None = None  # merge: the roster entry
    record_id: Annotated[str, _plain(64)] = ""  # void: the record's uuid; add: the new one's
    moment: IsoInstant | None = None  # add: the time of the added record
    before: Annotated[dict[str, str | int | None], Field(max_length=20)]
    after: Annotated[dict[str, str | int | None], Field(max_length=20)]


class CorrectionBatch(Wire):
    """POST /api/v1/projects/{number}/corrections."""

    corrections: Annotated[list[CorrectionEntry], Field(min_length=1, max_length=MAX_BATCH)]


class StoredCorrection(Wire):
    """A correction as the platform keeps it (GET …/corrections)."""

    entry: CorrectionEntry
    device_id: str
    received_at: datetime


class CorrectionList(Wire):
    """GET /api/v1/projects/{number}/corrections: every correction, oldest first."""

    project: str
    corrections: list[StoredCorrection]


class ErrorBody(BaseModel):
    """Every error answer: a machine code, a sentence for people, and code-specific extras."""

    model_config = ConfigDict(extra="allow", frozen=True)

    error: str
    message: str


def method_name(method: Method) -> MethodName:
    """A kiosk Method as its wire literal."""
    value: MethodName = method.value
    return value


# ---- walk-ins (provisional attendees admitted at a desk) --------------------------------------


def _document_type(value: str) -> str:
    DocumentType(value)  # ValueError names the unknown type
    return value


class WalkIn(Wire):
    """A person a desk admitted by a valid ID card not on its roster, under a provisional id."""

    # Uploaded before the records that reference attendee_id, so the organizer can credit them.

    project: Ident
    attendee_id: Ident  # the desk's provisional reference, e.g. P-<uuid>
    id_type: Annotated[str, Field(max_length=32), AfterValidator(_document_type)]
    id_number: Annotated[str, _plain(32, 1)]
    name: Annotated[str, _plain(100)]
    unit: Annotated[str, _plain(200)] = ""
    device_id: Ident


class WalkInBatch(Wire):
    """POST /api/v1/walk-ins; answers carry the attendee_id in `uuid`."""

    records: Annotated[list[WalkIn], Field(min_length=1, max_length=MAX_BATCH)]


class WalkInList(Wire):
    """GET /api/v1/projects/{number}/walk-ins (organizer devices): who the walk-ins are."""

    walk_ins: list[WalkIn]
