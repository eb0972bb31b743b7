"""Wire protocol v1: the base every message shares, the limits, and the checked field types.

Every model forbids unknown fields and does not coerce types ("5" is not an integer), so a
malformed body is refused with a message naming the field instead of being half-understood.
Instants the server must re-hash travel as the exact ISO 8601 text the device signed.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.core.model import Method

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
VERSION_HEADER = "CME-Protocol-Version"
# A record upload may carry the device's status report (DeviceReport as JSON) in this header:
# a header, not a body field, so a platform that does not know it ignores it (and answers no
# `desk`, the kiosk then reports on its own) instead of refusing the upload (docs/protocol.md).
REPORT_HEADER = "CME-Device-Report"
MAX_REPORT_HEADER = 512  # a report with a signed head is about 250 bytes
# A changes page says the project bundle's current ETag in this header: a desk whose bundle is
# still current pulls with that one request (docs/protocol.md, "Pulling the project").
BUNDLE_ETAG_HEADER = "CME-Bundle-ETag"
API_PREFIX = "/api/v1"
MAX_BATCH = 500  # records per upload request
MAX_REPORT_LINES = 20_000
MAX_BODY_BYTES = 4 * 1024 * 1024  # a full batch is ~400 KiB; a large report ~3 MiB
# Documented ranges (docs/protocol.md "Ranges"): a value outside is refused by the model (422
# for the request, or the kiosk keeps the record as a dead letter before it is ever sent).
MAX_SEQ = 2**53 - 1  # the largest integer every JSON reader keeps exactly
MAX_OFFSET_MS = 100 * 366 * 24 * 3600 * 1000  # a kiosk clock off by up to a century still works
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)  # a kiosk whose clock battery died
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
MAX_UTC_OFFSET_MINUTES = 16 * 60

RecordStatus = Literal["accepted", "duplicate", "rejected"]
DeviceRole = Literal["desk", "organizer", "relay"]  # relay: a venue relay (docs/protocol.md)
DeviceState = Literal["active", "retired", "revoked"]
MethodName = Literal["id_card", "ic_card", "qr", "face", "manual"]
FlagName = Literal[
    "expired_document", "provisional_attendee", "conflict", "out_without_in", "method_not_accepted"
]
KindName = Literal["checkin", "void", "dispute", "dismiss"]  # sync.chain.OPTIONAL_SIGNED

# Machine-readable reasons a single record is refused (the desk keeps it as a dead letter).
REJECT_REASONS = (
    "bad_signature",  # hash or Ed25519 signature does not match the device's registered key
    "wrong_device",  # the record names another device than the token's
    "revoked_device",  # the record names a device that was revoked
    "retired_device",  # a seq above the one frozen when the device was retired
    "untraced_device",  # a relayed device whose enrollment the platform cannot trace to itself
    "invalid_document",  # a walk-in's ID number fails its document's checks
    "unknown_project",  # no such project on the platform
    "not_enrolled_for_project",  # the project exists but this device is not enrolled in it
    "outside_project_days",  # the scan instant is not on one of the project's days (Shanghai)
    "uuid_conflict",  # the UUID is known with different contents
    "not_a_desk",  # an organizer device cannot record attendance
    "void_unknown_record",  # a void names no record of this device the platform holds
    "void_not_own",  # a void names another device's record
    "void_not_a_checkin",  # a void names a void, dispute or dismissal
    "already_voided",  # the record named was voided before
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
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_INSTANT <= utc < LATEST_INSTANT:
        raise ValueError("must lie between 1970-01-01 and 2200-01-01 (UTC)")
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
Seq = Annotated[int, Field(ge=1, le=MAX_SEQ)]  # a device's sequence number
LatestSeq = Annotated[int, Field(ge=0, le=MAX_SEQ)]  # 0: nothing recorded yet
OffsetMs = Annotated[int, Field(ge=-MAX_OFFSET_MS, le=MAX_OFFSET_MS)]
UtcOffsetMinutes = Annotated[int, Field(ge=-MAX_UTC_OFFSET_MINUTES, le=MAX_UTC_OFFSET_MINUTES)]
Hex64 = Annotated[str, AfterValidator(_hex64)]
IsoInstant = Annotated[str, Field(max_length=40), AfterValidator(_iso_instant)]
Key32 = Annotated[str, Field(max_length=64), AfterValidator(_key32)]
Signature = Annotated[str, Field(max_length=100), AfterValidator(_sig64)]
# No control characters in names and codes, no NUL anywhere (PostgreSQL text cannot hold it).
PLAIN = r"^[^\x00-\x1f\x7f]*$"
NO_NUL = r"^[^\x00]*$"
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=PLAIN)]
EnrollmentCode = Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9 -]+$")]


def plain(max_length: int, min_length: int = 0) -> Any:
    """A text field without control characters."""
    return Field(min_length=min_length, max_length=max_length, pattern=PLAIN)


def free_text(max_length: int) -> Any:
    """A free text field (no NUL: PostgreSQL text cannot hold it)."""
    return Field(max_length=max_length, pattern=NO_NUL)


class Wire(BaseModel):
    """Base of every message: unknown fields refused, no type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ErrorBody(BaseModel):
    """Every error answer: a machine code, a sentence for people, and code-specific extras."""

    model_config = ConfigDict(extra="allow", frozen=True)

    error: str
    message: str


def method_name(method: Method) -> MethodName:
    """A kiosk Method as its wire literal."""
    value: MethodName = method.value
    return value
