"""Check-in records, refusals, evidence and face templates in the kiosk store."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.core.checkin import PriorEvent
from kiosk.core.model import Attendee, CheckInEvent, Direction, Flag, Method
from kiosk.core.timeutil import to_utc, utc_now
from sync import chain
from sync.store.database import LocalDb
from sync.store.head import HeadFileError, head_path, read_head, write_head
from sync.store.roster import Roster


def templates_revision_key(project: str) -> str:
    """The meta key bumped whenever a project's templates change outside a running desk."""
    return f"face_templates_rev:{project}"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A local record with its sync state and chain fields, as the outbox sees it."""

    event: CheckInEvent
    server_offset_ms: int | None
    sync_state: str
    hash: str = ""
    signature: str = ""
    prev_hash: str = ""  # the hash of the record before it in this device's chain


def stored_event(row: sqlite3.Row) -> StoredEvent:
    """An events row as the outbox and the tools see it."""
    return StoredEvent(
        event=CheckInEvent(
            uuid=row["uuid"],
            project=row["project"],
            attendee_id=row["attendee_id"],
            direction=Direction(row["direction"]),
            method=Method(row["method"]),
            device_id=row["device_id"],
            seq=int(row["seq"]),
            scanned_at=datetime.fromisoformat(row["scanned_at"]),
            utc_offset_minutes=int(row["utc_offset_minutes"]),
            evidence_ref=row["evidence_ref"],
            flags=frozenset(Flag(f) for f in json.loads(row["flags"])),
        ),
        server_offset_ms=row["server_offset_ms"],
        sync_state=row["sync_state"],
        hash=row["hash"],
        signature=row["signature"],
        prev_hash=row["prev_hash"],
    )


class Records:
    """This desk's records (hash-chained, signed), denied attempts, evidence and templates."""

    def __init__(self, db: LocalDb, *, roster: Roster, device_key: Ed25519PrivateKey):
        self._db = db
        self._roster = roster
        self._device_key = device_key

    def history(self, project: str, attendee_id: str, *, desk_name: str) -> list[PriorEvent]:
        """This person's events in the project from this desk and every desk synced so far."""
        local = self._db.read(
            "SELECT direction, scanned_at FROM events WHERE project = ? AND attendee_id = ?",
            (project, attendee_id),
        )
        remote = self._db.read(
            "SELECT direction, scanned_at, desk_name FROM remote_events"
            " WHERE project = ? AND attendee_id = ? AND uuid NOT IN (SELECT uuid FROM events)",
            (project, attendee_id),
        )
        out = [PriorEvent(Direction(r[0]), datetime.fromisoformat(r[1]), desk_name) for r in local]
        out += [PriorEvent(Direction(r[0]), datetime.fromisoformat(r[1]), r[2]) for r in remote]
        return sorted(out, key=lambda e: e.scanned_at)

    def append_event(
        self,
        event: CheckInEvent,
        *,
        provisional: Attendee | None = None,
        evidence: tuple[str, bytes] | None = None,
        server_offset_ms: int | None = None,
    ) -> CheckInEvent:
        """Commit one record with the next sequence number, chained and signed; return it.

        The signed checkpoint of the new head is written after the commit (sync.store.head):
        a crash between the two leaves the checkpoint one record behind, never ahead.
        """
        with self._db.lock:
            stored, row_hash = self._append(
                event, provisional=provisional, evidence=evidence,
                server_offset_ms=server_offset_ms,
            )  # fmt: skip
            write_head(head_path(self._db.path), chain.sign_head(self._device_key, stored.seq,
                                                                 row_hash))  # fmt: skip
        return stored

    def _append(
        self,
        event: CheckInEvent,
        *,
        provisional: Attendee | None,
        evidence: tuple[str, bytes] | None,
        server_offset_ms: int | None,
    ) -> tuple[CheckInEvent, str]:
        with self._db.write("recording check-in") as c:
            last = c.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
            seq = int(last[0]) + 1 if last else 1
            prev_hash = str(last[1]) if last else chain.GENESIS
            stored = replace(event, seq=seq)
            if provisional is not None:
                self._roster.put_attendee(c, event.project, provisional)
            if evidence is not None:
                kind, blob = evidence
                assert event.evidence_ref is not None, "evidence needs the event's evidence_ref"
                c.execute(
                    "INSERT INTO evidence (ref, project, kind, data, created_at)"
                    " VALUES (?,?,?,?,?)",
                    (event.evidence_ref, event.project, kind, self._db.cipher.seal_bytes(blob),
                     utc_now().isoformat()),
                )  # fmt: skip
            row = chain.SignedFields.of_event(stored, server_offset_ms=server_offset_ms).row()
            row_hash = chain.link(prev_hash, row)
            row |= {
                "prev_hash": prev_hash,
                "hash": row_hash,
                "signature": chain.sign(self._device_key, row_hash),
            }
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            c.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", tuple(row.values()))  # noqa: S608
        return stored, row_hash

    def chain_head(self) -> chain.SignedHead | None:
        """The signed checkpoint of this device's chain head, as kept beside the database.

        Re-signed from the newest row when the checkpoint is missing or behind (a kiosk from
        before checkpoints, or a crash between a commit and its checkpoint); never rolled back.
        """
        with self._db.lock:
            path = head_path(self._db.path)
            try:
                kept = read_head(path)
            except HeadFileError:
                kept = None
            last = self._db.read("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            if not last:
                return kept
            seq, row_hash = int(last[0][0]), str(last[0][1])
            if kept is not None and kept.seq >= seq:
                return kept
            fresh = chain.sign_head(self._device_key, seq, row_hash)
            write_head(path, fresh)
            return fresh

    def refusal_stub(self, uuid: str, reason: str) -> chain.RefusalStub | None:
        """This device's signed stub for one of its records it gives up on (None if unknown)."""
        rows = self._db.read(
            "SELECT seq, device_id, project, hash FROM events WHERE uuid = ?", (uuid,)
        )
        if not rows:
            return None
        r = rows[0]
        stub = chain.RefusalStub(
            uuid=uuid, seq=int(r["seq"]), device_id=str(r["device_id"]),
            project=str(r["project"]), hash=str(r["hash"]), reason=reason[:200],
        )  # fmt: skip
        return chain.sign_stub(self._device_key, stub)

    def events(self, *, project: str | None = None) -> list[StoredEvent]:
        """Every local record in sequence order (optionally one project's)."""
        if project is None:
            rows = self._db.read("SELECT * FROM events ORDER BY seq")
        else:
            rows = self._db.read("SELECT * FROM events WHERE project = ? ORDER BY seq", (project,))
        return [stored_event(r) for r in rows]

    def chain_rows(self) -> list[dict[str, object]]:
        """Raw rows in sequence order, for `cme-kiosk verify`."""
        return [dict(r) for r in self._db.read("SELECT * FROM events ORDER BY seq")]

    def last_seq(self) -> int:
        """The highest sequence number recorded on this device (0 when none)."""
        return int(self._db.read("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0])

    def record_denied(
        self,
        *,
        uuid: str,
        project: str,
        method: Method,
        reason: str,
        detail: str,
        credential_hmac: str | None,
        device_id: str,
        at: datetime,
        utc_offset_minutes: int,
    ) -> None:
        """Commit one refused attempt for the platform's audit trail (no raw credential)."""
        with self._db.write("recording refused attempt") as c:
            c.execute(
                "INSERT INTO denied (uuid, project, method, reason, detail, credential_hmac,"
                " device_id, scanned_at, utc_offset_minutes) VALUES (?,?,?,?,?,?,?,?,?)",
                (uuid, project, method.value, reason, detail[:500], credential_hmac, device_id,
                 to_utc(at).isoformat(), utc_offset_minutes),
            )  # fmt: skip

    def denied(self, *, project: str | None = None) -> list[dict[str, object]]:
        """Refused attempts, oldest first."""
        if project is None:
            return [dict(r) for r in self._db.read("SELECT * FROM denied ORDER BY id")]
        rows = self._db.read("SELECT * FROM denied WHERE project = ? ORDER BY id", (project,))
        return [dict(r) for r in rows]

    def evidence(self, ref: str) -> bytes | None:
        """The evidence blob (face crop) kept with a record, decrypted."""
        rows = self._db.read("SELECT data FROM evidence WHERE ref = ?", (ref,))
        return self._db.cipher.unseal_bytes(bytes(rows[0][0])) if rows else None

    def save_face_template(
        self,
        *,
        project: str,
        attendee_id: str,
        template: bytes,
        source: str,
        consent_at: datetime,
        confirmed_by: str = "",
    ) -> None:
        """Keep one person's face template for one project (sealed), with consent and voucher."""
        with self._db.write("saving face template") as c:
            c.execute(
                "INSERT OR REPLACE INTO face_templates (project, attendee_id, template, source,"
                " consent_at, created_at, confirmed_by) VALUES (?,?,?,?,?,?,?)",
                (project, attendee_id, self._db.cipher.seal_bytes(template), source,
                 to_utc(consent_at).isoformat(), utc_now().isoformat(), confirmed_by),
            )  # fmt: skip

    def face_template_record(self, project: str, attendee_id: str) -> dict[str, str] | None:
        """Where a template came from, for a dispute: source, consent, who vouched (no template)."""
        rows = self._db.read(
            "SELECT source, consent_at, created_at, confirmed_by FROM face_templates"
            " WHERE project = ? AND attendee_id = ?",
            (project, attendee_id),
        )
        names = ("source", "consent_at", "created_at", "confirmed_by")
        return {k: str(rows[0][k] or "") for k in names} if rows else None

    def face_templates(self, project: str) -> dict[str, bytes]:
        """attendee id → template bytes for one project."""
        rows = self._db.read(
            "SELECT attendee_id, template FROM face_templates WHERE project = ?", (project,)
        )
        return {r[0]: self._db.cipher.unseal_bytes(bytes(r[1])) for r in rows}

    def delete_face_template(self, project: str, attendee_id: str) -> bool:
        """Withdrawal of consent: the template is gone; True if there was one."""
        with self._db.write("deleting face template") as c:
            cur = c.execute(
                "DELETE FROM face_templates WHERE project = ? AND attendee_id = ?",
                (project, attendee_id),
            )
            return cur.rowcount > 0
