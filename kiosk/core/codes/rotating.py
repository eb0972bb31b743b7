"""Rotating attendee codes (`CME-ROT1:`) for a phone screen: a MAC of the current 30-second slot.

Payload: the prefix, then unpadded base32 of `len|project  len|attendee  u32 slot  mac(10)`, where
slot = Unix seconds // 30 and mac = HMAC-SHA256(secret, prefix bytes + everything before the mac)
truncated to 80 bits. The secret is the attendee's 32-byte per-project secret from the roster.
The desk accepts the current slot ±1 and each (project, attendee, slot) once: a ReplayGuard
remembers used slots, so a forwarded screenshot is worth one check-in at most, within a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kiosk.core.codes.wire import (
    MAX_ATTENDEE_BYTES,
    MAX_PROJECT_BYTES,
    Reader,
    Writer,
    b32decode,
    b32encode,
)
from kiosk.core.timeutil import require_aware

PREFIX = "CME-ROT1:"
FAMILY = "CME-ROT"
SLOT_SECONDS = 30
MAC_BYTES = 10  # 80 bits: at least the 64 the design asks for, short enough for a small QR
TOLERANCE_SLOTS = 1


def slot_of(moment: datetime) -> int:
    """The 30-second slot number an instant falls in."""
    return int(require_aware(moment).timestamp()) // SLOT_SECONDS


@dataclass(frozen=True, slots=True)
class ParsedRotating:
    """A rotating code read from a payload, MAC not yet checked."""

    project: str
    attendee_id: str
    slot: int
    signed: bytes
    mac: bytes


def _mac(secret: bytes, signed: bytes) -> bytes:
    return hmac.new(secret, signed, hashlib.sha256).digest()[:MAC_BYTES]


def make_rotating_code(*, project: str, attendee_id: str, secret: bytes, at: datetime) -> str:
    """The code an attendee's phone shows at instant `at`."""
    if len(secret) < 16:
        raise ValueError("a rotating-code secret must be at least 16 bytes")
    w = Writer()
    w.text(project, name="project", limit=MAX_PROJECT_BYTES)
    w.text(attendee_id, name="attendee", limit=MAX_ATTENDEE_BYTES)
    w.u32(slot_of(at))
    body = w.getvalue()
    return PREFIX + b32encode(body + _mac(secret, PREFIX.encode("ascii") + body))


def parse_rotating(body_text: str) -> ParsedRotating:
    """The fields of a rotating-code payload (without its prefix); WireError if it is not one."""
    r = Reader(b32decode(body_text))
    project = r.text(name="project", limit=MAX_PROJECT_BYTES)
    attendee = r.text(name="attendee", limit=MAX_ATTENDEE_BYTES)
    slot = r.u32()
    signed = PREFIX.encode("ascii") + r.consumed
    return ParsedRotating(project, attendee, slot, signed, r.rest(MAC_BYTES))


def mac_valid(parsed: ParsedRotating, secret: bytes) -> bool:
    """Whether the code's MAC was made with this secret (constant-time comparison)."""
    return hmac.compare_digest(_mac(secret, parsed.signed), parsed.mac)


class ReplayGuard(Protocol):
    """Remembers which rotating-code slots were used; the kiosk persists it in its store."""

    def claim(self, *, project: str, attendee_id: str, slot: int) -> bool:
        """Mark the slot used; True if it was not used before (atomic per call)."""
        ...


class MemoryReplayGuard:
    """A thread-safe in-memory ReplayGuard that forgets slots too old to be accepted again."""

    def __init__(self) -> None:
        self._used: set[tuple[str, str, int]] = set()
        self._newest = 0
        self._lock = threading.Lock()

    def claim(self, *, project: str, attendee_id: str, slot: int) -> bool:
        """Mark the slot used; True if it was not used before."""
        key = (project, attendee_id, slot)
        with self._lock:
            if key in self._used:
                return False
            self._used.add(key)
            if slot > self._newest:
                self._newest = slot
                # Slots older than newest - 2*tolerance can never pass the window check again.
                floor = slot - 2 * TOLERANCE_SLOTS - 1
                self._used = {k for k in self._used if k[2] >= floor}
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._used)
