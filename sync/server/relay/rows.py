"""Stored rows as a relay forwards them: exactly the record its kiosk signed, no relay flags."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Row

from kiosk.core.timeutil import to_utc
from sync import protocol as p
from sync.chain import SIGNED_FIELDS

log = logging.getLogger(__name__)

W = TypeVar("W", p.EventRecord, p.DeniedRecord, p.Refusal)


def registration(row: Row[Any], *, code: str) -> p.RelayDevice:
    """A local kiosk as the relay registers it upstream: id, key, first seq, its venue code."""
    return p.RelayDevice(
        device_id=row.id, public_key=p.b64(bytes(row.public_key)), desk_name=row.desk_name,
        seq_start=int(row.seq_start), enrollment_code=code,
    )  # fmt: skip


def head(row: Any) -> p.ChainHead | None:
    """A kiosk's signed chain head as it reported it here (forwarded: upstream checks it)."""
    m = row._mapping
    if m["head_seq"] is None:
        return None
    return p.ChainHead(seq=int(m["head_seq"]), hash=m["head_hash"], signature=m["head_signature"])


def refusal(row: Row[Any]) -> p.Refusal:
    """A kiosk's refusal stub as it sent it."""
    m = row._mapping
    return p.Refusal(
        uuid=m["uuid"], seq=int(m["seq"]), device_id=m["device_id"], project=m["project"],
        hash=m["hash"], reason=m["reason"], signature=m["signature"],
    )  # fmt: skip


def wire(
    rows: list[Row[Any]], build: Callable[[Row[Any]], W]
) -> tuple[list[W], list[p.RecordAnswer]]:
    """Stored rows as they travel; one that cannot is answered here and kept as a dead letter."""
    wire: list[W] = []
    local: list[p.RecordAnswer] = []
    for row in rows:
        try:
            wire.append(build(row))
        except ValidationError:
            log.error("relay: stored record %s cannot be forwarded", row.uuid)
            local.append(
                p.RecordAnswer(uuid=row.uuid, status="rejected", reason="invalid_local_record")
            )
    return wire, local


def event_record(row: Row[Any]) -> p.EventRecord:
    """A stored record exactly as its kiosk signed it (the relay's own flags stay here)."""
    m = row._mapping
    signed = {k: m[k] for k in SIGNED_FIELDS} | {
        "scanned_at": m["scanned_at_text"],  # the text the kiosk signed, not the parsed instant
        "flags": json.loads(m["flags"]),
    }
    return p.EventRecord.model_validate(
        signed | {"prev_hash": m["prev_hash"], "hash": m["hash"], "signature": m["signature"]}
    )


def refused_record(row: Row[Any]) -> p.EventRecord:
    """A record the relay refused, as the kiosk sent it."""
    return p.EventRecord.model_validate_json(row._mapping["body"])


def denied_record(row: Row[Any]) -> p.DeniedRecord:
    m = row._mapping
    scanned: datetime = m["scanned_at"]
    return p.DeniedRecord(
        uuid=m["uuid"], project=m["project"], method=m["method"], reason=m["reason"],
        detail=m["detail"], credential_hmac=m["credential_hmac"], device_id=m["device_id"],
        scanned_at=to_utc(scanned).isoformat(), utc_offset_minutes=int(m["utc_offset_minutes"]),
    )  # fmt: skip
