"""One-time codes on an attendee's phone (`CME-OTP1`), typed by staff when no QR can be read.

The phone (the platform's attendee page, holding the same per-project secret as the rotating
code) shows six digits: HOTP-style dynamic truncation of HMAC-SHA256(secret, "CME-OTP1:" +
project + NUL + attendee + u32 slot), slot = Unix seconds // 30. The desk accepts the current slot
±1, each slot once (the rotating code's replay guard), so a code read aloud is worth one record.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from datetime import datetime

from kiosk.core.codes.rotating import TOLERANCE_SLOTS, slot_of

DIGITS = 6
_LABEL = b"CME-OTP1:"


def phone_code(*, project: str, attendee_id: str, secret: bytes, slot: int) -> str:
    """The six digits the attendee's phone shows during `slot`."""
    message = _LABEL + project.encode() + b"\0" + attendee_id.encode() + struct.pack(">I", slot)
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def phone_code_at(*, project: str, attendee_id: str, secret: bytes, at: datetime) -> str:
    """The code the phone shows at instant `at`."""
    return phone_code(project=project, attendee_id=attendee_id, secret=secret, slot=slot_of(at))


def matching_slot(
    code: str, *, project: str, attendee_id: str, secret: bytes, now: datetime
) -> int | None:
    """The slot (now ±1) whose code this is, or None (constant-time comparison per slot)."""
    typed = code.strip()
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    current = slot_of(now)
    for slot in range(current - TOLERANCE_SLOTS, current + TOLERANCE_SLOTS + 1):
        expected = phone_code(project=project, attendee_id=attendee_id, secret=secret, slot=slot)
        if hmac.compare_digest(expected, typed):
            return slot
    return None
