"""Storing judged records: what the batch meets in the database, new rows, conflicts, refusals."""

from __future__ import annotations

import itertools
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)

from kiosk.core.timeutil import local_day, to_utc
from sync import chain
from sync.protocol import EventRecord
from sync.server import db as t
from sync.server.platform import Device, reserve_revs

log = logging.getLogger(__name__)

# Refusals of records provably the device's: their sequence numbers count as received.
COUNTED_REFUSALS = frozenset(
    {"unknown_project", "not_enrolled_for_project", "retired_device", "outside_project_days",
     "void_unknown_record", "void_not_own", "void_not_a_checkin", "already_voided"}
)  # fmt: skip


def effective_instant(scanned_at: str, server_offset_ms: int | None) -> datetime:
    """The scan instant on the server's clock, when the device knew its offset."""
    moment = to_utc(datetime.fromisoformat(scanned_at))
    return moment + timedelta(milliseconds=server_offset_ms or 0)


@dataclass(slots=True)
class Seen:
    """An event as the conflict check sees it."""

    uuid: str
    direction: str
    device_id: str
    at: datetime
    conflict: bool
    new: bool


@dataclass(slots=True)
class Target:
    """A record a void may name: whose it is, what kind, whether a void already names it."""

    device_id: str
    kind: str
    voided: bool


@dataclass(slots=True)
class Met:
    """What a batch meets in the database, read in one statement under the project's lock."""

    known: dict[str, str] = field(default_factory=dict)  # uuid → hash of stored records
    targets: dict[str, Target] = field(default_factory=dict)  # records the voids name
    attendance: list[tuple[str, Seen]] = field(default_factory=list)  # (person, standing record)
    on_roster: set[str] = field(default_factory=set)  # the batch's people on the roster


def _meet_query() -> Any:
    e, a = t.events.c, t.attendees.c
    # 'u': records named by uuid (the batch's own, the voids' targets); 'c': standing check-ins
    # of the batch's people (the conflict check); 'r': their roster entries.
    named = select(
        literal_column("'u'").label("src"), e.uuid, e.hash, e.attendee_id, e.direction,
        e.device_id, e.effective_at, e.conflict, e.kind, e.voided_by,
    ).where(e.uuid.in_(bindparam("uuids", expanding=True)))  # fmt: skip
    standing = select(
        literal_column("'c'"), e.uuid, e.hash, e.attendee_id, e.direction, e.device_id,
        e.effective_at, e.conflict, e.kind, e.voided_by,
    ).where(
        e.project == bindparam("project"), e.attendee_id.in_(bindparam("people", expanding=True)),
        e.kind == "checkin", e.voided_by.is_(None),
    )  # fmt: skip
    roster = select(
        literal_column("'r'"),
        null(),
        null(),
        a.ref,
        null(),
        null(),
        null(),
        null(),
        null(),
        null(),
    ).where(a.project == bindparam("project"), a.ref.in_(bindparam("people", expanding=True)))
    return union_all(named, standing, roster)


# Built once: every upload runs it.
_MEET = _meet_query()


def meet(conn: Connection, project: str, records: list[EventRecord]) -> Met:
    """The stored records the batch's UUIDs and voids name, and its people's check-ins and
    roster entries, in one round trip (read after the project's lock: they stay as read)."""
    uuids = {r.uuid for r in records} | {r.refers_to for r in records if r.refers_to}
    people = {r.attendee_id for r in records}
    met = Met()
    for src, uuid, hash_, person, direction, dev, at, conflict, kind, voided in conn.execute(
        _MEET, {"uuids": sorted(uuids), "people": sorted(people), "project": project}
    ):
        if src == "u":
            met.known[uuid] = hash_
            met.targets[uuid] = Target(dev, kind, voided is not None)
        elif src == "c":
            met.attendance.append((person, Seen(uuid, direction, dev, at, bool(conflict), False)))
        else:
            met.on_roster.add(person)
    return met


# Built once: every upload that brings a new record runs it.
_INSERT_EVENTS = insert(t.events)


def store_events(
    conn: Connection,
    device: Device,
    fresh: list[EventRecord],
    *,
    met: Met,
    reused: set[int],
    now: datetime,
) -> None:
    """Insert the accepted records, flag conflicts, apply voids (change numbers for each)."""
    project = device.project
    conflicts, flagged_old = _conflicts(device.id, fresh, met.attendance)
    voided = {r.refers_to: r.uuid for r in fresh if r.kind == "void" and r.refers_to}
    rev = reserve_revs(conn, project, len(fresh) + len(flagged_old) + len(voided))
    rows = []
    for i, r in enumerate(fresh):
        server_flags = []
        staff_record = r.kind != "checkin"
        if (
            not staff_record
            and r.attendee_id not in met.on_roster
            and "provisional_attendee" not in r.flags
        ):
            server_flags.append("unknown_attendee")
        if r.seq in reused:
            server_flags.append("seq_reused")
        rows.append(
            {
                "uuid": r.uuid, "project": project, "device_id": r.device_id, "seq": r.seq,
                "attendee_id": r.attendee_id, "direction": r.direction, "method": r.method,
                "scanned_at_text": r.scanned_at,
                "scanned_at": to_utc(datetime.fromisoformat(r.scanned_at)),
                "effective_at": effective_instant(r.scanned_at, r.server_offset_ms),
                "utc_offset_minutes": r.utc_offset_minutes, "server_offset_ms": r.server_offset_ms,
                "evidence_ref": r.evidence_ref, "flags": chain.flags_text(r.flags),
                "server_flags": json.dumps(server_flags) if server_flags else "[]",
                "conflict": r.uuid in conflicts,
                "prev_hash": r.prev_hash, "hash": r.hash, "signature": r.signature,
                "received_at": now, "rev": rev + i, "kind": r.kind, "staff_id": r.staff_id,
                "note": r.note, "refers_to": r.refers_to, "receipt": r.receipt,
                "voided_by": None,
            }
        )  # fmt: skip
    conn.execute(_INSERT_EVENTS, rows)
    for j, (target, void) in enumerate(sorted(voided.items())):
        # The voided record stays; its new change number carries the void to every puller.
        conn.execute(
            update(t.events)
            .where(t.events.c.uuid == target)
            .values(voided_by=void, rev=rev + len(fresh) + len(flagged_old) + j)
        )
    if voided:
        log.info("project %s: %d record(s) voided by their desk", project, len(voided))
    if flagged_old:
        # Earlier records now in conflict: flag them and give them new change numbers so every
        # desk and the organizer pull the flag.
        conn.execute(
            update(t.events).where(t.events.c.uuid == bindparam("flagged"))
            .values(conflict=True, rev=bindparam("new_rev")),
            [{"flagged": u, "new_rev": rev + len(fresh) + j}
             for j, u in enumerate(sorted(flagged_old))],
        )  # fmt: skip
    if conflicts:
        log.warning("project %s: %d record(s) flagged as conflicts", project, len(conflicts))


def _conflicts(
    device_id: str, fresh: list[EventRecord], standing: list[tuple[str, Seen]]
) -> tuple[set[str], set[str]]:
    """Consecutive same-direction records of one person on one day from different desks.

    Offline decisions are facts: both records are kept and flagged for the organizer, never
    dropped. Returns (new records in conflict, already stored records newly in conflict).
    """
    people: dict[str, list[Seen]] = defaultdict(list)
    attendance = [r for r in fresh if r.kind == "checkin"]  # staff records are not attendance
    wanted = {r.attendee_id for r in attendance}
    for person, seen in standing:
        if person in wanted:
            people[person].append(seen)
    for r in attendance:
        at = effective_instant(r.scanned_at, r.server_offset_ms)
        people[r.attendee_id].append(Seen(r.uuid, r.direction, device_id, at, False, new=True))
    marked: set[str] = set()
    for seen_list in people.values():
        by_day: dict[date, list[Seen]] = defaultdict(list)
        for s in seen_list:
            by_day[local_day(s.at)].append(s)
        for day_events in by_day.values():
            day_events.sort(key=lambda s: (s.at, s.uuid))
            for a, b in itertools.pairwise(day_events):
                if a.direction == b.direction and a.device_id != b.device_id:
                    marked.update((a.uuid, b.uuid))
    fresh_ids = {r.uuid for r in fresh}
    old_flagged = {
        s.uuid for seen_list in people.values() for s in seen_list
        if s.uuid in marked and not s.new and not s.conflict
    }  # fmt: skip
    return marked & fresh_ids, old_flagged


def store_refused(
    conn: Connection, device: Device, refused: list[tuple[EventRecord, str]], *, now: datetime
) -> None:
    """Keep an audit row per refused record (once per UUID and device)."""
    if not refused:
        return
    c = t.rejected.c
    seen = set(
        conn.execute(
            select(c.uuid).where(c.device_id == device.id, c.uuid.in_({r.uuid for r, _ in refused}))
        ).scalars()
    )
    rows: list[dict[str, Any]] = []
    for r, reason in refused:
        if r.uuid in seen:
            continue
        seen.add(r.uuid)
        rows.append(
            {"uuid": r.uuid, "device_id": device.id, "project": r.project, "seq": r.seq,
             "reason": reason, "hash": r.hash, "received_at": now}
        )  # fmt: skip
    if rows:
        conn.execute(insert(t.rejected), rows)
        stored = {x["uuid"] for x in rows}
        provable = [r for r, why in refused if r.uuid in stored and why in COUNTED_REFUSALS]
        if provable:
            conn.execute(
                insert(t.rejected_bodies),
                [{"uuid": r.uuid, "device_id": device.id, "project": device.project,
                  "body": r.model_dump_json()} for r in provable],
            )  # fmt: skip
