"""The local check-in log's hash chain: each record commits to its predecessor and is signed."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64  # prev_hash of the first record

# The fields a record's hash covers, in this order; anything else (sync state) may change.
CHAINED_FIELDS = (
    "seq", "uuid", "project", "attendee_id", "direction", "method", "device_id",
    "scanned_at", "utc_offset_minutes", "server_offset_ms", "evidence_ref", "flags",
)  # fmt: skip


def canonical(record: Mapping[str, object]) -> bytes:
    """UTF-8 JSON of the chained fields, sorted keys, no whitespace: the bytes that are hashed."""
    body = {k: record[k] for k in CHAINED_FIELDS}
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
            public_key.verify(base64.b64decode(str(row["signature"])), str(row["hash"]).encode())
        except (InvalidSignature, ValueError):
            problems.append(
                ChainProblem(seq, "signature is not the device's (forged or re-hashed row)")
            )
        prev_hash = str(row["hash"])
        expected_seq = seq + 1
    return problems
