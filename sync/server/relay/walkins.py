"""Walk-ins through a venue relay: the identities its kiosks uploaded go upstream before records.

Upstream judges each walk-in as its own kiosk's upload (sync.server.relay.downstream); the relay
keeps the answer per walk-in, so each goes once and a lost answer comes back `duplicate`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, select

from sync import protocol as p
from sync.client.errors import TransientError
from sync.server import db as t
from sync.server.relay.client import Upstream
from sync.server.relay.links import LinkResult, RelayLink

KIND = "walk_in"
# relay_forwarded keys are 36 characters; a desk's walk-in reference is longer (P-<uuid>).
_NAMESPACE = uuid.UUID("6f1d3c0e-9a4b-4c55-8d7e-2b1f0a9c3e71")


def forwarded_key(attendee_id: str) -> str:
    """The 36-character key under which the platform's answer for a walk-in is kept."""
    return str(uuid.uuid5(_NAMESPACE, attendee_id))


def pending(platform_db: t.Database, project: str, *, limit: int) -> list[p.WalkIn]:
    """Walk-ins of registered kiosks the platform has not answered yet (oldest first)."""
    w, reg, f = t.walk_ins.c, t.relay_registered.c, t.relay_forwarded.c
    with platform_db.read() as conn:
        done = set(
            conn.execute(select(f.uuid).where(f.kind == KIND, f.project == project)).scalars()
        )
        rows = conn.execute(
            select(t.walk_ins)
            .join(t.relay_registered, reg.device_id == w.device_id)
            .where(w.project == project)
            .order_by(w.received_at, w.attendee_id)
        ).all()
    out = []
    for row in rows:
        if forwarded_key(row.attendee_id) in done:
            continue
        out.append(p.WalkIn(**{k: getattr(row, k) for k in p.WalkIn.model_fields}))
        if len(out) >= limit:
            break
    return out


def send(
    platform_db: t.Database, up: Upstream, link: RelayLink, result: LinkResult, *, limit: int,
    now: datetime,
) -> None:  # fmt: skip
    """Forward pending walk-ins and keep each answer (before the records that name them)."""
    while walk_ins := pending(platform_db, link.project, limit=limit):
        answers = {a.uuid: a for a in up.walk_ins(walk_ins).answers}
        device_of = {w.attendee_id: w.device_id for w in walk_ins}
        rows = [
            {"kind": KIND, "uuid": forwarded_key(ref), "project": link.project,
             "device_id": device_of[ref], "status": a.status, "reason": a.reason[:64],
             "answered_at": now}
            for ref, a in answers.items() if ref in device_of
        ]  # fmt: skip
        if len(rows) != len(walk_ins):
            raise TransientError("upstream answered a different set of walk-ins; retrying")
        with platform_db.write() as conn:
            done = set(
                conn.execute(
                    select(t.relay_forwarded.c.uuid).where(
                        t.relay_forwarded.c.kind == KIND,
                        t.relay_forwarded.c.uuid.in_([r["uuid"] for r in rows]),
                    )
                ).scalars()
            )
            fresh = [r for r in rows if r["uuid"] not in done]
            if fresh:
                conn.execute(insert(t.relay_forwarded), fresh)
        for a in answers.values():
            key = f"{KIND} {a.status}"
            result.answers[key] = result.answers.get(key, 0) + 1
        if len(walk_ins) < limit:
            return
