"""Refusal stubs: a desk's signed word that it gave up on a record, and why.

A record a desk cannot deliver (it cannot be put on the wire, or the platform failed on it again
and again: a poison record) is kept there as a dead letter and leaves a stub signed by the
desk's key: uuid, seq, the record's hash, the reason. The platform counts the seq as received
(one bad record never blocks the submission forever) and lists the stub for the organizer
(`ProjectStatus.refused_records`, `cme-kiosk server status`).
"""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, insert, select

from sync import chain
from sync.protocol import BatchAnswer, RecordAnswer, RecordStatus, Refusal, RefusalBatch
from sync.server import db as t
from sync.server.completeness import advance_contiguous, store_seqs
from sync.server.platform import Device, Platform, lock_project

log = logging.getLogger(__name__)


def _judge(  # noqa: PLR0911
    conn: Connection, device: Device, key: Ed25519PublicKey, r: Refusal
) -> tuple[RecordStatus, str]:
    if r.device_id != device.id:
        return "rejected", "wrong_device"
    stub = chain.RefusalStub(uuid=r.uuid, seq=r.seq, device_id=r.device_id, project=r.project,
                             hash=r.hash, reason=r.reason, signature=r.signature)  # fmt: skip
    if not chain.verify_stub(key, stub):
        return "rejected", "bad_signature"
    if device.state == "revoked":
        return "rejected", "revoked_device"
    if r.project != device.project:
        return "rejected", "not_enrolled_for_project"
    if device.role != "desk":
        return "rejected", "not_a_desk"
    if device.state != "active" and r.seq > (device.frozen_seq or 0):
        return "rejected", "retired_device"
    stored = conn.execute(select(t.events.c.hash).where(t.events.c.uuid == r.uuid)).scalar()
    if stored is not None:  # the record itself arrived after all
        return ("duplicate", "") if stored == r.hash else ("rejected", "uuid_conflict")
    known = conn.execute(
        select(t.refusal_stubs.c.hash).where(
            t.refusal_stubs.c.device_id == device.id, t.refusal_stubs.c.uuid == r.uuid
        )
    ).scalar()
    if known is not None:
        return ("duplicate", "") if known == r.hash else ("rejected", "uuid_conflict")
    return "accepted", ""


def upload_refusals(platform: Platform, device: Device, batch: RefusalBatch) -> BatchAnswer:
    """Keep each new stub and count its seq; one answer per stub, in the order sent."""
    now = platform.now()
    answers: list[RecordAnswer] = []
    with platform.db.write() as conn:
        lock_project(conn, device.project)
        device = platform.device(device.id, conn)  # its state may have changed since auth
        key = Ed25519PublicKey.from_public_bytes(device.public_key)
        counted: list[int] = []
        for r in batch.records:
            status, reason = _judge(conn, device, key, r)
            answers.append(RecordAnswer(uuid=r.uuid, status=status, reason=reason))
            if status != "accepted":
                continue
            conn.execute(
                insert(t.refusal_stubs).values(
                    device_id=device.id, uuid=r.uuid, project=r.project, seq=r.seq,
                    reason=r.reason, hash=r.hash, signature=r.signature, received_at=now,
                )
            )  # fmt: skip
            counted.append(r.seq)
        if counted:
            store_seqs(conn, device, counted)
            d = t.devices.c
            high = conn.execute(select(d.highest_contiguous).where(d.id == device.id)).scalar_one()
            advance_contiguous(conn, device, int(high))
            platform.audit(
                conn, actor=device.id, action="refusal_stubs", project=device.project,
                subject=device.id, detail=f"{len(counted)} record(s) given up by the desk",
            )  # fmt: skip
    if counted:
        log.warning("device %s gave up on %d record(s): stubs kept", device.id, len(counted))
    return BatchAnswer(answers=answers, server_time=now)
