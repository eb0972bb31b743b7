"""What a desk uploads: signed check-in records, refused attempts, walk-ins; the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from kiosk.core.ids import DocumentType
from sync.protocol.devices import DeskCompleteness
from sync.protocol.wire import (
    MAX_BATCH,
    FlagName,
    Hex64,
    Ident,
    IsoInstant,
    KindName,
    MethodName,
    OffsetMs,
    RecordStatus,
    Seq,
    Signature,
    UtcOffsetMinutes,
    Uuid,
    Wire,
    free_text,
    plain,
)


def _unset(value: object) -> bool:
    return value is None


class EventRecord(Wire):
    """One check-in/out as the device committed, hash-chained and signed it (see sync.signing)."""

    uuid: Uuid
    seq: Seq
    project: Ident
    attendee_id: Ident
    direction: Literal["in", "out"]
    method: MethodName
    device_id: Ident
    scanned_at: IsoInstant  # the device's scan instant, UTC text exactly as signed
    utc_offset_minutes: UtcOffsetMinutes
    server_offset_ms: OffsetMs | None  # server minus device clock as the device knew it at the scan
    evidence_ref: Annotated[str, plain(100)] | None
    flags: Annotated[list[FlagName], Field(max_length=8)]
    prev_hash: Hex64
    hash: Hex64
    signature: Signature
    # Staff records (docs/protocol.md): signed only when set, and left off the wire when unset,
    # so older records are unchanged and a platform from before staff records still takes them.
    kind: KindName = Field("checkin", exclude_if=lambda v: v == "checkin")
    staff_id: Ident | None = Field(None, exclude_if=_unset)
    note: Annotated[str, free_text(500)] | None = Field(None, exclude_if=_unset)
    refers_to: Ident | None = Field(None, exclude_if=_unset)
    receipt: Annotated[str, plain(600)] | None = Field(None, exclude_if=_unset)


class EventBatch(Wire):
    """POST /api/v1/events."""

    records: Annotated[list[EventRecord], Field(min_length=1, max_length=MAX_BATCH)]


class DeniedRecord(Wire):
    """A refused or suspicious attempt; the credential only as an HMAC under the project key."""

    uuid: Uuid
    project: Ident
    method: MethodName
    reason: Annotated[str, plain(64, 1)]
    detail: Annotated[str, free_text(500)]
    credential_hmac: Hex64 | None
    device_id: Ident
    scanned_at: IsoInstant
    utc_offset_minutes: UtcOffsetMinutes


class DeniedBatch(Wire):
    """POST /api/v1/denied."""

    records: Annotated[list[DeniedRecord], Field(min_length=1, max_length=MAX_BATCH)]


class Refusal(Wire):
    """A desk's signed stub of a record it gave up on (a dead letter; sync.chain.RefusalStub)."""

    uuid: Uuid
    seq: Seq
    device_id: Ident
    project: Ident
    hash: Hex64  # the record's: should it ever arrive, it is recognisably this one
    reason: Annotated[str, plain(200, 1)]
    signature: Signature  # by the device key over sync.chain.RefusalStub.message()


class RefusalBatch(Wire):
    """POST /api/v1/refusals: the platform counts each seq and shows the stub to the organizer."""

    records: Annotated[list[Refusal], Field(min_length=1, max_length=MAX_BATCH)]


class RecordAnswer(Wire):
    """The platform's answer for one record."""

    uuid: str
    status: RecordStatus
    reason: str = ""


class BatchAnswer(Wire):
    """One answer per record sent, in the order sent.

    `desk`: the device's completeness, only when an upload of records carried the device's
    status report (REPORT_HEADER) and the platform took it; absent otherwise, so a kiosk that
    never sends the header never sees the field.
    """

    answers: list[RecordAnswer]
    server_time: datetime
    desk: DeskCompleteness | None = Field(None, exclude_if=lambda v: v is None)


def _document_type(value: str) -> str:
    DocumentType(value)  # ValueError names the unknown type
    return value


class WalkIn(Wire):
    """A person a desk admitted by a valid ID card not on its roster, under a provisional id."""

    # Uploaded before the records that reference attendee_id, so the organizer can credit them.

    project: Ident
    attendee_id: Ident  # the desk's provisional reference, e.g. P-<uuid>
    id_type: Annotated[str, Field(max_length=32), AfterValidator(_document_type)]
    id_number: Annotated[str, plain(32, 1)]
    name: Annotated[str, plain(100)]
    unit: Annotated[str, plain(200)] = ""
    device_id: Ident


class WalkInBatch(Wire):
    """POST /api/v1/walk-ins; answers carry the attendee_id in `uuid`."""

    records: Annotated[list[WalkIn], Field(min_length=1, max_length=MAX_BATCH)]


class WalkInList(Wire):
    """GET /api/v1/projects/{number}/walk-ins (organizer devices): who the walk-ins are."""

    walk_ins: list[WalkIn]
