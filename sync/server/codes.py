"""Venue desk codes: how a relay lets kiosks enroll offline yet never invents a desk.

The platform issues desk codes for a venue in advance (`server enroll-code PROJECT --venue`).
Besides the code's SHA-256 it keeps a *verifier*: scrypt of the code under the project, slow
enough that the 60-bit code cannot be recovered from it. A relay of the project receives the
verifiers of the open venue codes at each pass (GET /api/v1/relay/codes), so with no uplink it
can still check a code a kiosk enrolls with; it keeps that code and hands it to the platform
when it registers the kiosk. The platform registers a relayed kiosk only with a venue code it
issued and nobody used, so every desk upstream traces to the platform's own issuance; the relay
holds verifiers, never codes it could use itself. docs/protocol.md, "Venue relay".
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from sync.protocol import RelayCode
from sync.server import db as t
from sync.server.db import insert_new

# scrypt cost: ~50 ms and 16 MiB per verifier on a desk-class CPU.
_N, _R, _P = 2**14, 8, 1


def normalise_code(code: str) -> str:
    """Enrollment codes ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def relay_verifier(project: str, code: str) -> str:
    """The verifier of a venue code: scrypt under the project, hex (never the code itself)."""
    salt = b"cme-kiosk venue code\x00" + project.encode()
    raw = hashlib.scrypt(normalise_code(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return raw.hex()


# ---- the platform's side -------------------------------------------------------------------


def open_venue_codes(conn: Connection, project: str, *, now: datetime) -> list[RelayCode]:
    """The project's unused, unexpired venue codes as verifiers; each marked as handed out."""
    c = t.enroll_codes.c
    rows = conn.execute(
        select(c.code_hash, c.relay_verifier, c.expires_at, c.mirrored_at).where(
            c.project == project, c.role == "desk", c.relay_verifier.is_not(None),
            c.used_at.is_(None), c.expires_at > now,
        ).order_by(c.created_at)
    ).all()  # fmt: skip
    fresh = [r.code_hash for r in rows if r.mirrored_at is None]
    if fresh:
        conn.execute(update(t.enroll_codes).where(c.code_hash.in_(fresh)).values(mirrored_at=now))
    return [RelayCode(verifier=r.relay_verifier, expires_at=r.expires_at) for r in rows]


def venue_code_valid(row: object, *, now: datetime) -> bool:
    """A venue code is still good through a relay if unexpired, or handed to a relay in time.

    A relay checks codes offline: a kiosk may have enrolled there with a code while it was valid
    and the relay registers it upstream only when the uplink is back.
    """
    expires: datetime = row.expires_at  # type: ignore[attr-defined]
    mirrored: datetime | None = row.mirrored_at  # type: ignore[attr-defined]
    return now < expires or (mirrored is not None and mirrored < expires)


# ---- the relay's side ----------------------------------------------------------------------


def keep_codes(conn: Connection, project: str, codes: list[RelayCode]) -> int:
    """Store the verifiers upstream sent; forget unused ones it no longer lists. Return new."""
    r = t.relay_codes.c
    held = set(conn.execute(select(r.verifier).where(r.project == project)).scalars())
    listed = {c.verifier for c in codes}
    conn.execute(
        delete(t.relay_codes).where(
            r.project == project, r.device_id.is_(None), r.verifier.not_in(listed)
        )
    )
    new = [
        {"project": project, "verifier": c.verifier, "expires_at": c.expires_at}
        for c in codes
        if c.verifier not in held
    ]
    # `relay sync` beside `run --relay`: both may store the same new verifier.
    return len(insert_new(conn, t.relay_codes, new, returning=r.verifier))


def relay_candidates(conn: Connection, code: str) -> dict[str, str]:
    """Project → the code's verifier under it, for every project this server relays (slow)."""
    projects = list(conn.execute(select(t.relay_links.c.project)).scalars())
    return {project: relay_verifier(project, code) for project in projects}


def redeem_on_relay(
    conn: Connection, candidates: dict[str, str], *, now: datetime
) -> tuple[str, str] | None:
    """(project, verifier) of an unused, unexpired venue code this relay holds, else None."""
    r = t.relay_codes.c
    for project, verifier in candidates.items():
        row = conn.execute(
            select(r.expires_at, r.device_id).where(r.project == project, r.verifier == verifier)
        ).first()
        if row is not None and row.device_id is None and now < row.expires_at:
            return project, verifier
    return None


def bind_on_relay(
    conn: Connection, project: str, verifier: str, *, device_id: str, code: str, now: datetime
) -> None:
    """The kiosk `device_id` enrolled here with the code: keep it for the registration."""
    r = t.relay_codes.c
    conn.execute(
        update(t.relay_codes)
        .where(r.project == project, r.verifier == verifier, r.device_id.is_(None))
        .values(device_id=device_id, code=normalise_code(code), used_at=now)
    )


def code_of(conn: Connection, device_id: str) -> str | None:
    """The venue code a kiosk enrolled here with (forwarded upstream at registration)."""
    r = t.relay_codes.c
    return conn.execute(select(r.code).where(r.device_id == device_id)).scalar()


def relays_project(conn: Connection, project: str) -> bool:
    """Whether this server is a relay for the project (its codes are issued upstream)."""
    found = conn.execute(
        select(t.relay_links.c.project).where(t.relay_links.c.project == project)
    ).first()
    return found is not None
