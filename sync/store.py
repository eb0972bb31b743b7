"""The kiosk's local store: one SQLite file; a check-in is committed before anything confirms it."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kiosk.core.checkin import PriorEvent
from kiosk.core.ids import DocumentType, IdentityDocument, normalise
from kiosk.core.model import Attendee, CheckInEvent, Direction, Flag, Method, Project, Role
from kiosk.core.project_file import project_from_dict, project_to_dict
from kiosk.core.timeutil import to_utc, utc_now
from sync.db import connect, storage_error, transaction

log = logging.getLogger(__name__)


class FieldCipher(Protocol):
    """Seals personal fields at rest; the identity cipher stores them as they are."""

    def seal(self, text: str) -> str:
        """Encrypt one field for storage."""

    def unseal(self, stored: str) -> str:
        """Decrypt one stored field."""


class PlainFields:
    """No encryption: the seam the privacy layer replaces (lookups never need plaintext)."""

    def seal(self, text: str) -> str:
        """Return the text unchanged."""
        return text

    def unseal(self, stored: str) -> str:
        """Return the stored text unchanged."""
        return stored


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A local record with its sync state, as the outbox sees it."""

    event: CheckInEvent
    server_offset_ms: int | None
    sync_state: str


def load_or_create_key(path: Path) -> bytes:
    """A 32-byte random key in a 0600 file, created on first use."""
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise ValueError(f"{path}: key file must hold 32 bytes, found {len(key)}")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    return key


class Store:
    """Thread-safe access to the kiosk database (one connection, serialised by a lock)."""

    def __init__(
        self, conn: sqlite3.Connection, *, path: Path, index_key: bytes, cipher: FieldCipher
    ):
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self._index_key = index_key
        self._cipher = cipher

    @classmethod
    def open(
        cls, path: Path, *, index_key: bytes | None = None, cipher: FieldCipher | None = None
    ) -> Store:
        """Open or create the store; the index key defaults to `index.key` beside the database."""
        key = index_key if index_key is not None else load_or_create_key(path.parent / "index.key")
        return cls(connect(path), path=path, index_key=key, cipher=cipher or PlainFields())

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; storage failures raise StorageUnavailable, none half-done."""
        with self._lock:
            try:
                with transaction(self._conn) as conn:
                    yield conn
            except sqlite3.Error as exc:
                err = storage_error(exc, action=action)
                if err is None:
                    raise
                log.error("storage refused %s: %s", action, exc)
                raise err from exc

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, params))

    def pragma(self, name: str) -> object:
        """Read back a PRAGMA (tests prove journal_mode and synchronous)."""
        return self._read(f"PRAGMA {name}")[0][0]

    def index(self, value: str) -> bytes:
        """Keyed HMAC of a normalised identifier: the only way personal fields are looked up."""
        return hmac.new(self._index_key, normalise(value).encode(), hashlib.sha256).digest()

    # --- meta -----------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the meta table."""
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value durably."""
        with self._write("saving settings") as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- projects and roster --------------------------------------------------------------------

    def save_project(self, project: Project, *, cursor: str | None = None) -> None:
        """Insert or replace a project definition."""
        data = json.dumps(project_to_dict(project), ensure_ascii=False)
        with self._write("saving project") as c:
            c.execute(
                "INSERT INTO projects (number, data, roster_cursor, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(number) DO UPDATE SET data = excluded.data,"
                " updated_at = excluded.updated_at,"
                " roster_cursor = COALESCE(excluded.roster_cursor, projects.roster_cursor)",
                (project.number, data, cursor, utc_now().isoformat()),
            )

    def load_project(self, number: str) -> Project | None:
        """A stored project, or None."""
        rows = self._read("SELECT data FROM projects WHERE number = ?", (number,))
        return project_from_dict(json.loads(rows[0][0]), source=f"store:{number}") if rows else None

    def project_numbers(self) -> list[str]:
        """Numbers of every stored project."""
        return [str(r[0]) for r in self._read("SELECT number FROM projects ORDER BY number")]

    def save_roster(self, project: str, attendees: Iterable[Attendee]) -> int:
        """Insert or update roster entries (with their card UIDs) in one transaction."""
        n = 0
        with self._write("saving roster") as c:
            for a in attendees:
                self._put_attendee(c, project, a)
                n += 1
        return n

    def _put_attendee(self, c: sqlite3.Connection, project: str, a: Attendee) -> None:
        seal = self._cipher.seal
        c.execute(
            "INSERT OR REPLACE INTO attendees (project, id, doc_type, doc_index, doc_number, name,"
            " unit, department, title_series, role, provisional) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                project,
                a.id,
                a.document.type.value,
                self.index(a.document.number),
                seal(a.document.number),
                seal(a.name),
                seal(a.unit),
                seal(a.department),
                a.title_series,
                a.role.value,
                int(a.provisional),
            ),
        )
        c.execute("DELETE FROM card_uids WHERE project = ? AND attendee_id = ?", (project, a.id))
        for uid in a.card_uids:
            c.execute(
                "INSERT OR REPLACE INTO card_uids (project, uid_index, uid, attendee_id)"
                " VALUES (?,?,?,?)",
                (project, self.index(uid), seal(normalise(uid)), a.id),
            )

    def _attendee(self, row: sqlite3.Row) -> Attendee:
        unseal = self._cipher.unseal
        uids = self._read(
            "SELECT uid FROM card_uids WHERE project = ? AND attendee_id = ? ORDER BY uid_index",
            (row["project"], row["id"]),
        )
        return Attendee(
            id=row["id"],
            document=IdentityDocument(DocumentType(row["doc_type"]), unseal(row["doc_number"])),
            name=unseal(row["name"]),
            unit=unseal(row["unit"]),
            department=unseal(row["department"]),
            title_series=row["title_series"],
            role=Role(row["role"]),
            card_uids=tuple(unseal(u[0]) for u in uids),
            provisional=bool(row["provisional"]),
        )

    def find_by_document(self, project: str, number: str) -> Attendee | None:
        """Look a person up by document number through the HMAC index."""
        rows = self._read(
            "SELECT * FROM attendees WHERE project = ? AND doc_index = ?",
            (project, self.index(number)),
        )
        return self._attendee(rows[0]) if rows else None

    def find_by_card_uid(self, project: str, uid: str) -> Attendee | None:
        """Look a person up by formatted card UID through the HMAC index."""
        rows = self._read(
            "SELECT a.* FROM card_uids u JOIN attendees a"
            " ON a.project = u.project AND a.id = u.attendee_id"
            " WHERE u.project = ? AND u.uid_index = ?",
            (project, self.index(uid)),
        )
        return self._attendee(rows[0]) if rows else None

    def get_attendee(self, project: str, attendee_id: str) -> Attendee | None:
        """A roster entry by its reference."""
        rows = self._read(
            "SELECT * FROM attendees WHERE project = ? AND id = ?", (project, attendee_id)
        )
        return self._attendee(rows[0]) if rows else None

    def roster_size(self, project: str) -> int:
        """How many people (roster and provisional) the project has here."""
        return int(self._read("SELECT COUNT(*) FROM attendees WHERE project = ?", (project,))[0][0])

    # --- check-in records -----------------------------------------------------------------------

    def history(self, project: str, attendee_id: str, *, desk_name: str) -> list[PriorEvent]:
        """This person's events in the project from this desk and from every desk synced so far."""
        local = self._read(
            "SELECT direction, scanned_at FROM events WHERE project = ? AND attendee_id = ?",
            (project, attendee_id),
        )
        remote = self._read(
            "SELECT direction, scanned_at, desk_name FROM remote_events"
            " WHERE project = ? AND attendee_id = ?"
            " AND uuid NOT IN (SELECT uuid FROM events)",
            (project, attendee_id),
        )
        out = [
            PriorEvent(Direction(r[0]), datetime.fromisoformat(r[1]), desk_name) for r in local
        ] + [PriorEvent(Direction(r[0]), datetime.fromisoformat(r[1]), r[2]) for r in remote]
        return sorted(out, key=lambda e: e.scanned_at)

    def append_event(
        self,
        event: CheckInEvent,
        *,
        provisional: Attendee | None = None,
        evidence: tuple[str, bytes] | None = None,
        server_offset_ms: int | None = None,
    ) -> CheckInEvent:
        """Commit one record, assigning the next sequence number; returns it as stored."""
        with self._write("recording check-in") as c:
            seq = int(c.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events").fetchone()[0])
            stored = replace(event, seq=seq)
            if provisional is not None:
                self._put_attendee(c, event.project, provisional)
            if evidence is not None:
                kind, blob = evidence
                assert event.evidence_ref is not None, "evidence needs the event's evidence_ref"
                c.execute(
                    "INSERT INTO evidence (ref, project, kind, data, created_at)"
                    " VALUES (?,?,?,?,?)",
                    (event.evidence_ref, event.project, kind, blob, utc_now().isoformat()),
                )
            c.execute(
                "INSERT INTO events (seq, uuid, project, attendee_id, direction, method, device_id,"
                " scanned_at, utc_offset_minutes, server_offset_ms, evidence_ref, flags)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    seq,
                    stored.uuid,
                    stored.project,
                    stored.attendee_id,
                    stored.direction.value,
                    stored.method.value,
                    stored.device_id,
                    to_utc(stored.scanned_at).isoformat(),
                    stored.utc_offset_minutes,
                    server_offset_ms,
                    stored.evidence_ref,
                    json.dumps(sorted(f.value for f in stored.flags)),
                ),
            )
        return stored

    def _event(self, row: sqlite3.Row) -> StoredEvent:
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
        )

    def events(self, *, project: str | None = None) -> list[StoredEvent]:
        """Every local record in sequence order (optionally one project's)."""
        if project is None:
            rows = self._read("SELECT * FROM events ORDER BY seq")
        else:
            rows = self._read("SELECT * FROM events WHERE project = ? ORDER BY seq", (project,))
        return [self._event(r) for r in rows]

    def last_seq(self) -> int:
        """The highest sequence number recorded on this device (0 when none)."""
        return int(self._read("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0])

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
        """Commit one refused attempt for the platform's audit trail."""
        with self._write("recording refused attempt") as c:
            c.execute(
                "INSERT INTO denied (uuid, project, method, reason, detail, credential_hmac,"
                " device_id, scanned_at, utc_offset_minutes) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    uuid,
                    project,
                    method.value,
                    reason,
                    detail[:500],
                    credential_hmac,
                    device_id,
                    to_utc(at).isoformat(),
                    utc_offset_minutes,
                ),
            )

    def denied(self, *, project: str | None = None) -> list[dict[str, object]]:
        """Refused attempts, oldest first."""
        if project is None:
            return [dict(r) for r in self._read("SELECT * FROM denied ORDER BY id")]
        rows = self._read("SELECT * FROM denied WHERE project = ? ORDER BY id", (project,))
        return [dict(r) for r in rows]

    def evidence(self, ref: str) -> bytes | None:
        """The evidence blob (face crop) kept with a record."""
        rows = self._read("SELECT data FROM evidence WHERE ref = ?", (ref,))
        return bytes(rows[0][0]) if rows else None

    def backup(self, dest: Path) -> None:
        """A consistent copy through SQLite's online backup API while the kiosk keeps running."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(dest, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(fd)
        target = sqlite3.connect(dest)
        try:
            with self._lock:
                self._conn.backup(target)
        finally:
            target.close()
        os.chmod(dest, 0o600)
