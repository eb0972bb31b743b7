"""What a relay has forwarded and what is still waiting, per upstream project (no secrets)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from sync.server import db as t
from sync.server.db import Database


def _pending(conn: Connection, kind: str, table: Any, project: str) -> int:
    f = t.relay_forwarded.c
    done = select(f.uuid).where(f.kind == kind, f.project == project)
    query = (
        select(func.count())
        .select_from(table)
        .where(table.c.project == project, table.c.uuid.not_in(done))
    )
    return int(conn.execute(query).scalar_one())


def _open_codes(conn: Connection, project: str) -> int:
    """Venue codes this relay carries that no kiosk has used yet."""
    r = t.relay_codes.c
    query = select(func.count()).where(r.project == project, r.device_id.is_(None))
    return int(conn.execute(query).scalar_one())


def relay_status(db: Database) -> list[dict[str, Any]]:
    """Per link: upstream, last attempt/success/error, pending and answered counts, kiosks."""
    out: list[dict[str, Any]] = []
    f, reg, d = t.relay_forwarded.c, t.relay_registered.c, t.devices.c
    with db.read() as conn:
        for link in conn.execute(select(t.relay_links).order_by(t.relay_links.c.project)):
            project = link.project
            answered = {
                f"{kind} {status}": int(n)
                for kind, status, n in conn.execute(
                    select(f.kind, f.status, func.count())
                    .where(f.project == project)
                    .group_by(f.kind, f.status)
                )
            }
            rejected = [
                {"kind": r.kind, "uuid": r.uuid, "device_id": r.device_id, "reason": r.reason}
                for r in conn.execute(
                    select(f.kind, f.uuid, f.device_id, f.reason)
                    .where(f.project == project, f.status == "rejected")
                    .order_by(f.answered_at, f.uuid)
                )
            ]
            kiosks = [
                {
                    "device_id": r.id, "desk_name": r.desk_name, "state": r.state,
                    "registered": r.registered_at is not None,
                    "upstream_state": r.upstream_state, "reported_upstream": r.reported_latest,
                }
                for r in conn.execute(
                    select(d.id, d.desk_name, d.state, reg.registered_at, reg.upstream_state,
                           reg.reported_latest)
                    .outerjoin(t.relay_registered, reg.device_id == d.id)
                    .where(d.project == project, d.role == "desk")
                    .order_by(d.enrolled_at)
                )
            ]  # fmt: skip
            out.append(
                {
                    "project": project, "upstream": link.upstream_url,
                    "relay_device_id": link.device_id,
                    "enrolled_at": link.enrolled_at.isoformat(),
                    "last_attempt": link.last_attempt.isoformat() if link.last_attempt else None,
                    "last_success": link.last_success.isoformat() if link.last_success else None,
                    "last_error": link.last_error or "",
                    "pending_events": _pending(conn, "event", t.events, project),
                    "pending_refused": _pending(conn, "refused", t.rejected_bodies, project),
                    "pending_denied": _pending(conn, "denied", t.denied, project),
                    "pending_stubs": _pending(conn, "stub", t.refusal_stubs, project),
                    "venue_codes": _open_codes(conn, project),
                    "answered": answered, "rejected": rejected, "kiosks": kiosks,
                }
            )  # fmt: skip
    return out
