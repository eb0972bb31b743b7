"""Signed attendee tickets (`CME-TKT1:`): Ed25519 by the platform's project key, checked offline.

Payload: the prefix, then unpadded base32 of
`len|project  len|attendee  len|key_id  u32 valid_from  u32 valid_to  signature(64)`
(lengths one byte, text UTF-8, times Unix seconds UTC, big-endian). The signature covers the
prefix's bytes followed by everything before the signature. Base32 keeps the whole payload in
QR alphanumeric mode, so the longest ticket (40-byte project and attendee, 16-byte key id) fits
a version 10 code at error level M.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.core.codes.wire import (
    MAX_ATTENDEE_BYTES,
    MAX_KEY_ID_BYTES,
    MAX_PROJECT_BYTES,
    Reader,
    WireError,
    Writer,
    b32decode,
    b32encode,
)
from kiosk.core.ed25519_strict import signed_by
from kiosk.core.timeutil import to_utc

PREFIX = "CME-TKT1:"
FAMILY = "CME-TKT"
SIGNATURE_BYTES = 64


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket's signed fields."""

    project: str
    attendee_id: str
    key_id: str
    valid_from: datetime  # UTC, inclusive
    valid_to: datetime  # UTC, exclusive

    def __post_init__(self) -> None:
        # Whole seconds in UTC: exactly what the payload can carry, so a round trip is equal.
        object.__setattr__(self, "valid_from", to_utc(self.valid_from).replace(microsecond=0))
        object.__setattr__(self, "valid_to", to_utc(self.valid_to).replace(microsecond=0))
        if self.valid_to <= self.valid_from:
            raise ValueError("a ticket's validity ends before it starts")


@dataclass(frozen=True, slots=True)
class ParsedTicket:
    """A ticket read from a payload, signature not yet checked."""

    ticket: Ticket
    signed: bytes  # what the signature covers
    signature: bytes


def _body(ticket: Ticket) -> bytes:
    w = Writer()
    w.text(ticket.project, name="project", limit=MAX_PROJECT_BYTES)
    w.text(ticket.attendee_id, name="attendee", limit=MAX_ATTENDEE_BYTES)
    w.text(ticket.key_id, name="key id", limit=MAX_KEY_ID_BYTES)
    w.u32(int(ticket.valid_from.timestamp()))
    w.u32(int(ticket.valid_to.timestamp()))
    return w.getvalue()


def sign_ticket(ticket: Ticket, private_key: bytes | Ed25519PrivateKey) -> str:
    """The ticket's payload text, signed with the platform's raw 32-byte (or loaded) key."""
    key = (
        private_key
        if isinstance(private_key, Ed25519PrivateKey)
        else Ed25519PrivateKey.from_private_bytes(private_key)
    )
    body = _body(ticket)
    signature = key.sign(PREFIX.encode("ascii") + body)
    return PREFIX + b32encode(body + signature)


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def parse_ticket(body_text: str) -> ParsedTicket:
    """The fields of a ticket payload (without its prefix); WireError if it is not one."""
    data = b32decode(body_text)
    r = Reader(data)
    project = r.text(name="project", limit=MAX_PROJECT_BYTES)
    attendee = r.text(name="attendee", limit=MAX_ATTENDEE_BYTES)
    key_id = r.text(name="key id", limit=MAX_KEY_ID_BYTES)
    start, end = r.u32(), r.u32()
    if end <= start:
        raise WireError("validity ends before it starts")
    signed = PREFIX.encode("ascii") + r.consumed
    signature = r.rest(SIGNATURE_BYTES)
    ticket = Ticket(project, attendee, key_id, _instant(start), _instant(end))
    return ParsedTicket(ticket, signed, signature)


def signature_valid(parsed: ParsedTicket, public_key: bytes) -> bool:
    """Whether the ticket's signature is by this raw 32-byte Ed25519 public key."""
    return signed_by(public_key, parsed.signature, parsed.signed)
