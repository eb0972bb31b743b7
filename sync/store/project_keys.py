"""What arrives with the roster for offline verification: ticket keys, secrets, the replay guard."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from kiosk.core.timeutil import to_utc, utc_now
from sync.store.database import LocalDb

TICKET = "ticket_ed25519"  # platform public keys: not secret, stored as they are
DENIED = "denied_hmac"  # keys the HMAC of refused credentials: secret, sealed
# Slots this far behind the newest claimed one can never be accepted again (±1 slot window).
_SLOT_HORIZON = 4


class ProjectKeys:
    """Ticket keys, the denied-HMAC key and rotating-code secrets per project; used slots."""

    def __init__(self, db: LocalDb):
        self._db = db

    def save_project_keys(
        self, project: str, *, ticket_keys: Mapping[str, bytes], denied_hmac_key: bytes | None
    ) -> None:
        """Replace the project's keys with the platform's current set (rotation drops old ones)."""
        with self._db.write("saving project keys") as c:
            c.execute("DELETE FROM project_keys WHERE project = ?", (project,))
            for key_id, public in ticket_keys.items():
                c.execute(
                    "INSERT INTO project_keys (project, kind, key_id, key) VALUES (?,?,?,?)",
                    (project, TICKET, key_id, bytes(public)),
                )
            if denied_hmac_key is not None:
                c.execute(
                    "INSERT INTO project_keys (project, kind, key_id, key) VALUES (?,?,?,?)",
                    (project, DENIED, "", self._db.cipher.seal_bytes(denied_hmac_key)),
                )

    def ticket_keys(self, project: str) -> dict[str, bytes]:
        """Key id → raw Ed25519 public key of every ticket key valid for the project."""
        rows = self._db.read(
            "SELECT key_id, key FROM project_keys WHERE project = ? AND kind = ?", (project, TICKET)
        )
        return {str(r[0]): bytes(r[1]) for r in rows}

    def denied_key(self, project: str) -> bytes | None:
        """The platform's key for HMACs of refused credentials, if the roster brought one."""
        rows = self._db.read(
            "SELECT key FROM project_keys WHERE project = ? AND kind = ?", (project, DENIED)
        )
        return self._db.cipher.unseal_bytes(bytes(rows[0][0])) if rows else None

    def save_attendee_secrets(self, project: str, secrets: Mapping[str, bytes]) -> int:
        """Insert or replace rotating-code secrets (sealed) in one transaction."""
        with self._db.write("saving attendee secrets") as c:
            for attendee_id, secret in secrets.items():
                c.execute(
                    "INSERT OR REPLACE INTO attendee_secrets (project, attendee_id, secret)"
                    " VALUES (?,?,?)",
                    (project, attendee_id, self._db.cipher.seal_bytes(secret)),
                )
        return len(secrets)

    def attendee_secret(self, project: str, attendee_id: str) -> bytes | None:
        """The attendee's rotating-code secret, or None when the roster has none for them."""
        rows = self._db.read(
            "SELECT secret FROM attendee_secrets WHERE project = ? AND attendee_id = ?",
            (project, attendee_id),
        )
        return self._db.cipher.unseal_bytes(bytes(rows[0][0])) if rows else None

    def claim(
        self, *, project: str, attendee_id: str, slot: int, now: datetime | None = None
    ) -> bool:
        """ReplayGuard: mark a rotating-code slot used; True only the first time (durable)."""
        with self._db.write("recording a used code") as c:
            cur = c.execute(
                "INSERT OR IGNORE INTO used_slots (project, attendee_id, slot, used_at)"
                " VALUES (?,?,?,?)",
                (project, attendee_id, slot, to_utc(now or utc_now()).isoformat()),
            )
            fresh = cur.rowcount == 1
            if fresh:
                # Old slots are refused by the time window anyway; forgetting them keeps it small.
                c.execute(
                    "DELETE FROM used_slots WHERE project = ? AND slot < ?",
                    (project, slot - _SLOT_HORIZON),
                )
        return fresh
