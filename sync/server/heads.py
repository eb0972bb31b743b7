"""Signed chain heads: the end of each device's log, witnessed by the platform.

With every status report a device sends its signed checkpoint (seq, hash): the platform keeps
the newest one, counts the records up to it for completeness, and notes in the audit trail a
head that goes backwards (a log rolled back) or forks (another record under a signed seq).
`cme-kiosk verify DB --server` compares a kiosk's database with the head kept here.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, or_, select, update

from sync import chain
from sync.protocol import ChainHead, HeadAnswer
from sync.server import db as t
from sync.server.platform import Device, Platform, PlatformError, public_key

log = logging.getLogger(__name__)


def head_signed(device: Device, head: ChainHead) -> bool:
    """Whether the head is signed by the device's registered key."""
    signed = chain.SignedHead(seq=head.seq, hash=head.hash, signature=head.signature)
    return chain.verify_head(public_key(device.public_key), signed)


def take_head(
    platform: Platform, conn: Connection, device: Device, head: ChainHead, *, checked: bool = False
) -> int:
    """Verify and keep a reported head (the newest only); return its seq. 422 if not signed.

    `checked`: the caller verified the signature against this device's key already.
    """
    if not checked and not head_signed(device, head):
        raise PlatformError(
            422, "bad_head_signature", "the chain head is not signed by this device's key"
        )
    d = t.devices.c
    held = conn.execute(select(d.head_seq, d.head_hash).where(d.id == device.id)).one()
    if held.head_seq is None or head.seq > int(held.head_seq):
        # Compare and set: of two reports racing in two server processes, the newer head is
        # kept whichever commits last (a plain write after the read could keep the older one).
        newer = conn.execute(
            update(t.devices)
            .where(d.id == device.id, or_(d.head_seq.is_(None), d.head_seq < head.seq))
            .values(head_seq=head.seq, head_hash=head.hash, head_signature=head.signature,
                    head_at=platform.now())
        )  # fmt: skip
        if newer.rowcount == 1:
            return head.seq
        # A newer head came in from another process meanwhile.
        held = conn.execute(select(d.head_seq, d.head_hash).where(d.id == device.id)).one()
    if head.seq < int(held.head_seq) or head.hash != held.head_hash:
        note_conflict(platform, conn, device, head, int(held.head_seq))
    return head.seq


def note_conflict(
    platform: Platform, conn: Connection, device: Device, head: ChainHead, held_seq: int
) -> None:
    """Audit a head behind the one held (a log rolled back) or beside it (forked)."""
    back = head.seq < held_seq
    what = "rolled back" if back else "forked"
    platform.audit(
        conn, actor=device.id, action="head_rollback" if back else "head_fork",
        project=device.project, subject=device.id,
        detail=f"signed head {head.seq} reported after {held_seq}: log {what}",
    )  # fmt: skip
    log.warning("device %s reported head %d after %s: log %s", device.id, head.seq, held_seq,
                what)  # fmt: skip


def head_of(platform: Platform, device: Device) -> HeadAnswer:
    """The newest signed head the platform holds for the calling device."""
    with platform.db.read() as conn:
        row = conn.execute(select(t.devices).where(t.devices.c.id == device.id)).one()
    m = row._mapping
    head = None
    if m["head_seq"] is not None:
        head = ChainHead(seq=int(m["head_seq"]), hash=m["head_hash"], signature=m["head_signature"])
    frozen = m["frozen_seq"]
    return HeadAnswer(
        device_id=device.id, state=m["state"], head=head,
        frozen_seq=None if frozen is None else int(frozen),
    )  # fmt: skip
