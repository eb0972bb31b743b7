"""The local check-in log's hash chain: each record commits to its predecessor and is signed."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.core.ed25519_strict import verify_strict
from kiosk.core.model import CheckInEvent
from kiosk.core.timeutil import to_utc

GENESIS = "0" * 64  # prev_hash of the first record


@dataclass(frozen=True, slots=True)
class SignedFields:
    """What a record's hash covers, exactly as the device stored and hashed it; nothing else.

    The one definition of the signed fields: the store writes them, the client sends them,
    the platform and `cme-kiosk verify` recompute the hash over them (sync state may change).
    """

    seq: int
    uuid: str
    project: str
    attendee_id: str
    direction: str
    method: str
    device_id: str
    scanned_at: str  # UTC, ISO 8601 text: the hash is over the text
    utc_offset_minutes: int
    server_offset_ms: int | None  # server minus device clock as the device knew it at the scan
    evidence_ref: str | None
    flags: str  # the flag names, sorted, as JSON text
    # Signed only when set (OPTIONAL_SIGNED): a record without them hashes exactly as before.
    kind: str = "checkin"
    staff_id: str | None = None
    note: str | None = None
    refers_to: str | None = None
    receipt: str | None = None

    @classmethod
    def of_event(cls, event: CheckInEvent, *, server_offset_ms: int | None) -> SignedFields:
        """The signed fields of a committed check-in."""
        return cls(**event_fields(event, server_offset_ms=server_offset_ms))

    def row(self) -> dict[str, object]:
        """As stored (flags as JSON text), in ALL_SIGNED order."""
        return {name: getattr(self, name) for name in ALL_SIGNED}

    def wire(self) -> dict[str, object]:
        """As they travel in sync.protocol.EventRecord (flags as a list)."""
        flags = [] if self.flags == NO_FLAGS else json.loads(self.flags)  # most records: none
        return {name: getattr(self, name) for name in ALL_SIGNED} | {"flags": flags}


def event_fields(event: CheckInEvent, *, server_offset_ms: int | None) -> dict[str, Any]:
    """A committed check-in's signed fields by name (flags as the signed JSON text)."""
    return {
        "seq": event.seq, "uuid": event.uuid, "project": event.project,
        "attendee_id": event.attendee_id, "direction": event.direction.value,
        "method": event.method.value, "device_id": event.device_id,
        "scanned_at": to_utc(event.scanned_at).isoformat(),
        "utc_offset_minutes": event.utc_offset_minutes, "server_offset_ms": server_offset_ms,
        "evidence_ref": event.evidence_ref, "flags": flags_text(f.value for f in event.flags),
        "kind": event.kind.value, "staff_id": event.staff_id, "note": event.note,
        "refers_to": event.refers_to, "receipt": event.receipt,
    }  # fmt: skip


def event_wire(event: CheckInEvent, *, server_offset_ms: int | None) -> dict[str, Any]:
    """The same fields as they travel: SignedFields.of_event(...).wire() without the dataclass.

    The outbox turns every pending record into its wire form; the dataclass and the JSON
    round trip of its flags doubled that cost on a 10k drain.
    """
    fields = event_fields(event, server_offset_ms=server_offset_ms)
    fields["flags"] = sorted(f.value for f in event.flags)
    return fields


# Staff records' fields, with the value that leaves them out of the canonical form.
OPTIONAL_SIGNED: dict[str, object] = {
    "kind": "checkin", "staff_id": None, "note": None, "refers_to": None, "receipt": None,
}  # fmt: skip
ALL_SIGNED: tuple[str, ...] = tuple(f.name for f in fields(SignedFields))
SIGNED_FIELDS: tuple[str, ...] = tuple(n for n in ALL_SIGNED if n not in OPTIONAL_SIGNED)


NO_FLAGS = "[]"


def flags_text(names: Iterable[str]) -> str:
    """Flag names as the signed JSON text (sorted)."""
    ordered = sorted(names)
    return json.dumps(ordered) if ordered else NO_FLAGS  # most records have none: no encoder


def signed_row(record: Mapping[str, object]) -> dict[str, object]:
    """The signed fields of a record given with its flags as a list (the wire's shape)."""
    flags = record["flags"]
    if not isinstance(flags, list | tuple):
        raise TypeError("flags must be a list of names here")
    optional = {k: record.get(k, default) for k, default in OPTIONAL_SIGNED.items()}
    return {k: record[k] for k in SIGNED_FIELDS} | optional | {"flags": flags_text(map(str, flags))}


def canonical(record: Mapping[str, object]) -> bytes:
    """UTF-8 JSON of the signed fields, sorted keys, no whitespace: the bytes that are hashed.

    An optional field (OPTIONAL_SIGNED) is in it only when it differs from its default.
    """
    body = {k: record[k] for k in SIGNED_FIELDS}
    for k, default in OPTIONAL_SIGNED.items():
        value = record.get(k, default)
        if value is not None and value != default:
            body[k] = value
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(prev_hash: str, record: Mapping[str, object]) -> str:
    """SHA-256 over the previous hash and this record's canonical bytes, hex."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(record)).hexdigest()


def sign(key: Ed25519PrivateKey, record_hash: str) -> str:
    """The device's Ed25519 signature of a record hash, base64."""
    return base64.b64encode(key.sign(record_hash.encode())).decode()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One finding of `cme-kiosk verify`: where the log stops being trustworthy and why."""

    seq: int
    problem: str


def verify(
    rows: Iterable[Mapping[str, object]], public_key: Ed25519PublicKey
) -> list[ChainProblem]:
    """Check sequence continuity, each hash, each link and each signature; [] means intact."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    for row in rows:
        seq = int(str(row["seq"]))
        if seq != expected_seq:
            kind = "missing" if seq > expected_seq else "repeated"
            problems.append(
                ChainProblem(
                    seq, f"sequence jumps from {expected_seq - 1} to {seq} ({kind} records)"
                )
            )
        if row["prev_hash"] != prev_hash:
            problems.append(
                ChainProblem(seq, "does not link to the previous record (inserted or removed row)")
            )
        actual = link(str(row["prev_hash"]), row)
        if actual != row["hash"]:
            problems.append(
                ChainProblem(seq, "contents do not match the record's hash (altered row)")
            )
        try:
            signature = base64.b64decode(str(row["signature"]), validate=True)
        except ValueError:
            signature = b""
        if not verify_strict(public_key, signature, str(row["hash"]).encode()):
            problems.append(
                ChainProblem(seq, "signature is not the device's (forged or re-hashed row)")
            )
        prev_hash = str(row["hash"])
        expected_seq = seq + 1
    return problems


# ---- the witnessed end of the log ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedHead:
    """The device's signed checkpoint of its chain head: the last seq and its record's hash."""

    seq: int
    hash: str
    signature: str  # base64 Ed25519 over head_message(seq, hash)


def head_message(seq: int, record_hash: str) -> bytes:
    """The bytes a chain head's signature covers (a domain tag keeps it apart from records)."""
    return f"cme-kiosk chain head v1\n{seq}\n{record_hash}".encode()


def sign_head(key: Ed25519PrivateKey, seq: int, record_hash: str) -> SignedHead:
    """Sign the head of the chain after the record `seq` with hash `record_hash`."""
    signature = base64.b64encode(key.sign(head_message(seq, record_hash))).decode()
    return SignedHead(seq=seq, hash=record_hash, signature=signature)


def verify_head(public_key: Ed25519PublicKey, head: SignedHead) -> bool:
    """Whether the checkpoint was signed by this device key (strictly)."""
    try:
        signature = base64.b64decode(head.signature, validate=True)
    except ValueError:
        return False
    return verify_strict(public_key, signature, head_message(head.seq, head.hash))


# ---- refusal stubs: what a dead-lettered record leaves behind -----------------------------------


@dataclass(frozen=True, slots=True)
class RefusalStub:
    """The device's signed statement that it gave up on one record (a dead letter), and why."""

    uuid: str
    seq: int
    device_id: str
    project: str
    hash: str  # the record's hash: if the record ever arrives, it is recognisably this one
    reason: str
    signature: str = ""

    def message(self) -> bytes:
        """The bytes the stub's signature covers."""
        return (
            f"cme-kiosk refusal v1\n{self.device_id}\n{self.project}\n{self.uuid}\n{self.seq}"
            f"\n{self.hash}\n{self.reason}"
        ).encode()


def sign_stub(key: Ed25519PrivateKey, stub: RefusalStub) -> RefusalStub:
    """The stub with the device's signature."""
    return replace(stub, signature=base64.b64encode(key.sign(stub.message())).decode())


def verify_stub(public_key: Ed25519PublicKey, stub: RefusalStub) -> bool:
    """Whether the stub was signed by this device key (strictly)."""
    try:
        signature = base64.b64decode(stub.signature, validate=True)
    except ValueError:
        return False
    return verify_strict(public_key, signature, stub.message())
