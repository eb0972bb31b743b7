"""Attendee receipts (`CME-RCT1:`): what a desk counted at check-out, signed with the desk's key.

Payload: the prefix, then unpadded base32 of
`len|project  len|device_id  len|record_uuid  len|attendee  u32 check_in  u32 check_out
 u32 n  n × (len|session_id  u32 millihours)  u32 total_millihours  signature(64)`
(lengths one byte, text UTF-8, times Unix seconds UTC, 0 for no check-in, big-endian). The
Ed25519 signature by the desk's device key covers the prefix's bytes followed by everything before
it, so a changed hour, time or record id fails verification. Hours are the session's time clipped
as the credits engine clips it, rounded by the project's profile; at most 8 sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from kiosk.core.codes.wire import (
    MAX_ATTENDEE_BYTES,
    MAX_PROJECT_BYTES,
    Reader,
    WireError,
    Writer,
    b32decode,
    b32encode,
)
from kiosk.core.ed25519_strict import signed_by
from kiosk.core.timeutil import to_utc

PREFIX = "CME-RCT1:"
SIGNATURE_BYTES = 64
MAX_SESSIONS = 8
_MILLI = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class ReceiptSession:
    """Hours counted for one of the day's sessions."""

    session_id: str
    hours: Decimal


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the attendee's receipt says (the signed text in `text`, once signed)."""

    project: str
    device_id: str
    record_uuid: str
    attendee_id: str
    check_in: datetime | None
    check_out: datetime
    sessions: tuple[ReceiptSession, ...]
    total_hours: Decimal
    text: str = ""

    def body(self) -> bytes:
        """The signed bytes: the prefix's bytes, then the fields."""
        if len(self.sessions) > MAX_SESSIONS:
            raise ValueError(f"a receipt holds at most {MAX_SESSIONS} sessions")
        w = Writer()
        w.text(self.project, name="project", limit=MAX_PROJECT_BYTES)
        w.text(self.device_id, name="device", limit=64)
        w.text(self.record_uuid, name="record", limit=36)
        w.text(self.attendee_id, name="attendee", limit=MAX_ATTENDEE_BYTES)
        w.u32(int(to_utc(self.check_in).timestamp()) if self.check_in else 0)
        w.u32(int(to_utc(self.check_out).timestamp()))
        w.u32(len(self.sessions))
        for s in self.sessions:
            w.text(s.session_id, name="session", limit=40)
            w.u32(_milli(s.hours))
        w.u32(_milli(self.total_hours))
        return PREFIX.encode("ascii") + w.getvalue()


def _milli(hours: Decimal) -> int:
    return int((hours / _MILLI).to_integral_value())


def sign_receipt(receipt: Receipt, sign: Callable[[bytes], bytes]) -> str:
    """The receipt's QR text, signed by `sign(bytes) -> 64-byte signature` (the desk key)."""
    body = receipt.body()
    signature = sign(body)
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature is 64 bytes")
    return PREFIX + b32encode(body[len(PREFIX) :] + signature)


@dataclass(frozen=True, slots=True)
class ParsedReceipt:
    """A receipt read from its text, signature not yet checked."""

    receipt: Receipt
    signed: bytes
    signature: bytes


def parse_receipt(text: str) -> ParsedReceipt:
    """The fields of a receipt text; WireError if it is not one."""
    stripped = text.strip()
    if not stripped.upper().startswith(PREFIX):
        raise WireError("not a CME-RCT1 receipt")
    r = Reader(b32decode(stripped[len(PREFIX) :]))
    project = r.text(name="project", limit=MAX_PROJECT_BYTES)
    device = r.text(name="device", limit=64)
    record = r.text(name="record", limit=36)
    attendee = r.text(name="attendee", limit=MAX_ATTENDEE_BYTES)
    check_in, check_out, count = r.u32(), r.u32(), r.u32()
    if count > MAX_SESSIONS:
        raise WireError(f"{count} sessions (at most {MAX_SESSIONS})")
    sessions = []
    for _ in range(count):
        sid = r.text(name="session", limit=40)
        sessions.append(ReceiptSession(sid, Decimal(r.u32()) * _MILLI))
    total = Decimal(r.u32()) * _MILLI
    signed = PREFIX.encode("ascii") + r.consumed
    signature = r.rest(SIGNATURE_BYTES)
    receipt = Receipt(
        project=project, device_id=device, record_uuid=record, attendee_id=attendee,
        check_in=datetime.fromtimestamp(check_in, UTC) if check_in else None,
        check_out=datetime.fromtimestamp(check_out, UTC), sessions=tuple(sessions),
        total_hours=total, text=PREFIX + stripped[len(PREFIX) :].upper(),
    )  # fmt: skip
    return ParsedReceipt(receipt, signed, signature)


def receipt_signature_valid(parsed: ParsedReceipt, public_key: bytes) -> bool:
    """Whether the desk with this raw Ed25519 public key signed the receipt."""
    return signed_by(public_key, parsed.signature, parsed.signed)
