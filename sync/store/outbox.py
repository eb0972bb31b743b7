"""The store's outbox: what is waiting, what the platform answered, what it refused."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from kiosk.core.model import Attendee, Direction
from kiosk.core.timeutil import local_day, to_utc, utc_now
from sync.chain import RefusalStub, SignedHead
from sync.store.database import LocalDb
from sync.store.records import Records, StoredEvent, stored_event
from sync.store.roster import Roster

SERVER_OFFSET_KEY = "server_offset_ms"  # meta: the platform's clock minus ours, as last measured
SYNC_STATUS_KEY = "sync_status"  # meta: the running desk's latest sync snapshot (JSON)

PendingTable = Literal["events", "denied", "refusal_stubs"]  # fixed names: no text from outside


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    """Another desk's check-in or check-out as this desk learned it."""

    uuid: str
    attendee_id: str
    direction: Direction
    scanned_at: datetime


class OutboxRows:
    """Pending records in sequence order; answers applied one record at a time, never guessed."""

    def __init__(self, db: LocalDb, *, roster: Roster, records: Records):
        self._db = db
        self._roster = roster
        self._records = records

    def pending_events(self, limit: int = 500) -> list[StoredEvent]:
        """The oldest records not yet answered by the platform."""
        rows = self._db.read(
            "SELECT * FROM events WHERE sync_state = 'pending' ORDER BY seq LIMIT ?", (limit,)
        )
        return [stored_event(r) for r in rows]

    def pending_events_among(self, uuids: Sequence[str]) -> list[StoredEvent]:
        """Those of these records still pending, in sequence order (a batch sent again)."""
        return [stored_event(r) for r in self._pending_among("events", uuids, order="seq")]

    def pending_denied_among(self, uuids: Sequence[str]) -> list[dict[str, object]]:
        """Those of these refused attempts still pending, oldest first."""
        return [dict(r) for r in self._pending_among("denied", uuids, order="id")]

    def _pending_among(
        self, table: PendingTable, uuids: Sequence[str], *, order: Literal["seq", "id"]
    ) -> list[sqlite3.Row]:
        """The rows of `table` among these uuids still pending (one batch sent again)."""
        if not uuids:
            return []
        marks = ",".join("?" for _ in uuids)
        sql = f"SELECT * FROM {table} WHERE sync_state = 'pending' AND uuid IN ({marks})"  # noqa: S608
        return self._db.read(f"{sql} ORDER BY {order}", tuple(uuids))

    def chain_head(self) -> SignedHead | None:
        """The signed checkpoint of this device's chain head (sent with every status report)."""
        return self._records.chain_head()

    def give_up(self, kind: str, uuid: str, *, reason: str, at: datetime | None = None) -> None:
        """Dead-letter one record the platform keeps failing on; a record leaves a signed stub."""
        if kind == "stub":  # kept here, not sent again: the record's dead letter already says why
            self.apply_refusal_answers([(uuid, "rejected", reason)])
            return
        self.apply_answers(kind, [(uuid, "rejected", reason)], at=at)
        if kind == "event":
            self.add_refusal_stub(uuid, reason=reason)

    def add_refusal_stub(self, uuid: str, *, reason: str) -> bool:
        """Sign and keep the stub of a record given up here, for the platform; True if new."""
        stub = self._records.refusal_stub(uuid, reason)
        if stub is None:
            return False
        with self._db.write("saving a refusal stub") as c:
            cur = c.execute(
                "INSERT OR IGNORE INTO refusal_stubs (uuid, seq, device_id, project, hash,"
                " reason, signature, created_at) VALUES (?,?,?,?,?,?,?,?)",
                (stub.uuid, stub.seq, stub.device_id, stub.project, stub.hash, stub.reason,
                 stub.signature, utc_now().isoformat()),
            )  # fmt: skip
            return cur.rowcount == 1

    def pending_refusals(self, limit: int = 500) -> list[RefusalStub]:
        """Stubs the platform has not answered yet, in sequence order."""
        rows = self._db.read(
            "SELECT * FROM refusal_stubs WHERE sync_state = 'pending' ORDER BY seq LIMIT ?",
            (limit,),
        )
        return _stubs(rows)

    def pending_refusals_among(self, uuids: Sequence[str]) -> list[RefusalStub]:
        """Those of these stubs still pending, in sequence order (a batch sent again)."""
        return _stubs(self._pending_among("refusal_stubs", uuids, order="seq"))

    def apply_refusal_answers(self, answers: Iterable[tuple[str, str, str]]) -> None:
        """accepted/duplicate: the platform counts it; rejected: kept, not sent again."""
        with self._db.write("saving stub answers") as c:
            for uuid, status, _reason in answers:
                state = "dead" if status == "rejected" else "synced"
                c.execute(
                    "UPDATE refusal_stubs SET sync_state = ? WHERE uuid = ? AND"
                    " sync_state = 'pending'",
                    (state, uuid),
                )

    def pending_denied(self, limit: int = 500) -> list[dict[str, object]]:
        """The oldest refused attempts not yet uploaded."""
        rows = self._db.read(
            "SELECT * FROM denied WHERE sync_state = 'pending' ORDER BY id LIMIT ?", (limit,)
        )
        return [dict(r) for r in rows]

    def pending_count(self) -> int:
        """Records and refusals still to upload."""
        rows = self._db.read(
            "SELECT (SELECT COUNT(*) FROM events WHERE sync_state = 'pending')"
            " + (SELECT COUNT(*) FROM denied WHERE sync_state = 'pending')"
            " + (SELECT COUNT(*) FROM refusal_stubs WHERE sync_state = 'pending')"
        )
        return int(rows[0][0])

    def last_seq(self) -> int:
        """The highest sequence number recorded on this device (0 when none): what is reported."""
        return self._records.last_seq()

    def walk_in(self, project: str, attendee_id: str) -> Attendee | None:
        """The provisional attendee a pending record names (None if not a walk-in here)."""
        person = self._roster.get_attendee(project, attendee_id)
        return person if person is not None and person.provisional else None

    def save_clock_offset(self, offset_ms: int) -> None:
        """Keep the platform's clock offset measured by the last report (new records carry it)."""
        self._db.set_meta(SERVER_OFFSET_KEY, str(offset_ms))

    def apply_answers(
        self, kind: str, answers: Iterable[tuple[str, str, str]], *, at: datetime | None = None
    ) -> dict[str, int]:
        """Apply (uuid, status, reason) answers: accepted/duplicate → synced, rejected → dead."""
        table = {"event": "events", "denied": "denied"}[kind]
        when = to_utc(at or utc_now()).isoformat()
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        with self._db.write("saving sync answers") as c:
            for uuid, status, reason in answers:
                if status in ("accepted", "duplicate"):
                    c.execute(
                        f"UPDATE {table} SET sync_state = 'synced', synced_at = ?"  # noqa: S608
                        " WHERE uuid = ? AND sync_state = 'pending'",
                        (when, uuid),
                    )
                elif status == "rejected":
                    cur = c.execute(
                        f"UPDATE {table} SET sync_state = 'dead', synced_at = ?"  # noqa: S608
                        " WHERE uuid = ? AND sync_state = 'pending'",
                        (when, uuid),
                    )
                    if cur.rowcount:
                        c.execute(
                            "INSERT INTO dead_letter (kind, uuid, reason, detail, at)"
                            " VALUES (?,?,?,?,?)",
                            (kind, uuid, reason or "rejected", "", when),
                        )
                else:
                    raise ValueError(f"unknown answer status {status!r} for {uuid}")
                counts[status] += 1
        return counts

    def add_dead_letter(
        self, kind: str, uuid: str, *, reason: str, detail: str = "", at: datetime | None = None
    ) -> bool:
        """Keep a refusal of something other than a record (a walk-in) for staff, once per uuid."""
        with self._db.write("saving a refusal") as c:
            cur = c.execute(
                "INSERT INTO dead_letter (kind, uuid, reason, detail, at) SELECT ?,?,?,?,?"
                " WHERE NOT EXISTS (SELECT 1 FROM dead_letter WHERE kind = ? AND uuid = ?)",
                (kind, uuid, reason or "rejected", detail, to_utc(at or utc_now()).isoformat(),
                 kind, uuid),
            )  # fmt: skip
            return cur.rowcount == 1

    def dead_letters(self) -> list[dict[str, object]]:
        """Records the platform refused for good, for staff to list and export."""
        return [dict(r) for r in self._db.read("SELECT * FROM dead_letter ORDER BY id")]

    def open_dead_letters(self) -> list[dict[str, object]]:
        """Refusals staff have neither retried nor dismissed, with the record's attendee."""
        rows = self._db.read(
            "SELECT d.*, e.attendee_id AS attendee_id FROM dead_letter d"
            " LEFT JOIN events e ON d.kind = 'event' AND e.uuid = d.uuid"
            " WHERE d.resolved_action IS NULL ORDER BY d.id"
        )
        return [dict(r) for r in rows]

    def resolve_dead_letter(
        self, uuid: str, *, action: str, staff_id: str, note: str, at: datetime
    ) -> dict[str, object] | None:
        """Mark an open dead letter retried (its record queued again) or dismissed; None if none.

        The row stays: who did what, when and why is the dead letters' audit trail.
        """
        if action not in ("retried", "dismissed"):
            raise ValueError(action)
        with self._db.write("resolving a dead letter") as c:
            row = c.execute(
                "SELECT * FROM dead_letter WHERE uuid = ? AND resolved_action IS NULL"
                " ORDER BY id DESC LIMIT 1",
                (uuid,),
            ).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE dead_letter SET resolved_action = ?, resolved_by = ?, resolved_at = ?,"
                " resolved_note = ? WHERE id = ?",
                (action, staff_id, to_utc(at).isoformat(), note, row["id"]),
            )
            if action == "retried":
                table = {"event": "events", "denied": "denied"}[row["kind"]]
                c.execute(
                    f"UPDATE {table} SET sync_state = 'pending', synced_at = NULL"  # noqa: S608
                    " WHERE uuid = ? AND sync_state = 'dead'",
                    (uuid,),
                )
            return dict(row)

    def add_remote_events(self, rows: Sequence[dict[str, object]]) -> int:
        """Remember other desks' records (from a pull): this desk can say 'already at desk A'."""
        with self._db.write("saving other desks' records") as c:
            before = c.total_changes
            for r in rows:
                c.execute(
                    "INSERT OR IGNORE INTO remote_events (uuid, project, attendee_id, direction,"
                    " device_id, desk_name, scanned_at, kind, refers_to)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (r["uuid"], r["project"], r["attendee_id"], r["direction"], r["device_id"],
                     r.get("desk_name", ""), r["scanned_at"], r.get("kind", "checkin"),
                     r.get("refers_to")),
                )  # fmt: skip
            return c.total_changes - before

    def remote_today(self, project: str, day: date) -> list[RemoteRecord]:
        """Other desks' check-ins and check-outs on one Shanghai day (voids are the caller's)."""
        rows = self._db.read(
            "SELECT uuid, attendee_id, direction, scanned_at FROM remote_events"
            " WHERE project = ? AND kind = 'checkin' AND uuid NOT IN (SELECT uuid FROM events)",
            (project,),
        )
        out = []
        for r in rows:
            at = datetime.fromisoformat(r[3])
            if local_day(at) == day:
                out.append(RemoteRecord(r[0], r[1], Direction(r[2]), at))
        return out

    def sync_summary(self) -> dict[str, object]:
        """Counts for `cme-kiosk status`."""
        row = self._db.read(
            "SELECT"
            " (SELECT COUNT(*) FROM events WHERE sync_state = 'pending'),"
            " (SELECT COUNT(*) FROM events WHERE sync_state = 'synced'),"
            " (SELECT COUNT(*) FROM dead_letter),"
            " (SELECT COALESCE(MAX(seq), 0) FROM events)"
        )[0]
        return {"pending": row[0], "synced": row[1], "dead_letter": row[2], "last_seq": row[3],
                "meta": json.loads(self._db.get_meta(SYNC_STATUS_KEY) or "{}")}  # fmt: skip


def _stubs(rows: Sequence[sqlite3.Row]) -> list[RefusalStub]:
    return [
        RefusalStub(uuid=r["uuid"], seq=int(r["seq"]), device_id=r["device_id"],
                    project=r["project"], hash=r["hash"], reason=r["reason"],
                    signature=r["signature"])
        for r in rows
    ]  # fmt: skip
