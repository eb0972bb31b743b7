"""What a record's signature covers, Ed25519 keys as bytes and text, and credential HMACs.

A record is signed once, when the desk commits it: the device hashes the record's canonical form
(UTF-8 JSON over an explicit field list, sorted keys, no whitespace; sync.chain) together with the
previous record's hash, and signs that hash with its Ed25519 key. The upload carries the fields,
`prev_hash`, `hash` and `signature`; the platform recomputes the hash and checks the signature
against the key registered at enrollment, so a record altered or re-signed by another device fails.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from kiosk.core.ed25519_strict import strict_public_key, verify_strict
from sync import chain
from sync.protocol import EventRecord, b64, b64_bytes

SIGNED_FIELDS = chain.SIGNED_FIELDS
GENESIS = chain.GENESIS


def chain_row(record: EventRecord) -> dict[str, object]:
    """The record's signed fields in the exact shape the device hashed them."""
    # Attributes, not model_dump(include=...): the fields are plain values, and the dump cost
    # about a tenth of an upload's time on the platform (the hash leaves an optional field at
    # its default out either way).
    return chain.signed_row({name: getattr(record, name) for name in chain.ALL_SIGNED})


def canonical(fields: Mapping[str, object]) -> bytes:
    """The canonical bytes of a record's signed fields."""
    return chain.canonical(fields)


def record_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    """SHA-256 (hex) over the previous record's hash and this record's canonical bytes."""
    return chain.link(prev_hash, fields)


def sign_hash(key: Ed25519PrivateKey, digest: str) -> str:
    """The device's signature of a record hash, base64."""
    return chain.sign(key, digest)


def verify_record(record: EventRecord, public_key: Ed25519PublicKey) -> bool:
    """Whether the record's hash matches its fields and its signature is by this key (strictly)."""
    if record_hash(record.prev_hash, chain_row(record)) != record.hash:
        return False
    return verify_strict(public_key, b64_bytes(record.signature, size=64), record.hash.encode())


def signed_record(
    key: Ed25519PrivateKey, fields: Mapping[str, object], *, prev_hash: str = GENESIS
) -> EventRecord:
    """Hash and sign a record's fields (flags as a list): tools and tests that are not a kiosk."""
    body = {"flags": [], **fields}
    digest = record_hash(prev_hash, chain.signed_row(body))
    return EventRecord.model_validate(
        {**body, "prev_hash": prev_hash, "hash": digest, "signature": sign_hash(key, digest)}
    )


# ---- keys ----------------------------------------------------------------------------------------


def new_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 key (devices, and the platform's ticket keys)."""
    return Ed25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte private key (keep it in a 0600 file or the database, never in logs)."""
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def private_from_bytes(raw: bytes) -> Ed25519PrivateKey:
    """Load a raw 32-byte private key."""
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw public key, base64: how enrollment registers it and rosters ship ticket keys."""
    return b64(public_bytes(key))


def public_from_b64(text: str) -> Ed25519PublicKey:
    """A device's public key from its base64 raw form; ValueError (WeakKey) unless strict."""
    return strict_public_key(b64_bytes(text, size=32))


def key_id(public_key: bytes) -> str:
    """A short stable id for a public key (first 8 hex digits of its SHA-256)."""
    return hashlib.sha256(public_key).hexdigest()[:8]


# ---- secrets -----------------------------------------------------------------------------------


def new_secret() -> bytes:
    """32 random bytes: rotating-code secrets and HMAC keys."""
    return secrets.token_bytes(32)


def credential_hmac(key: bytes, credential_text: str) -> str:
    """HMAC-SHA256 (hex) of a refused credential's text under the project's platform key."""
    return hmac.new(key, credential_text.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """How the server stores bearer tokens and enrollment codes: SHA-256 hex, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()
