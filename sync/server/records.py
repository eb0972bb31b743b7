"""Attendance and refusal uploads: per-record answers, conflicts, and sequence completeness."""

from __future__ import annotations

import itertools
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Row, Select, bindparam, case, func, insert, or_, select, update

from kiosk.core.timeutil import local_day, to_utc
from sync import signing
from sync.protocol import (
    BatchAnswer,
    ChainHead,
    DeniedBatch,
    DeskCompleteness,
    DeviceReport,
    EventBatch,
    EventRecord,
    RecordAnswer,
    RecordStatus,
)
from sync.server import db as t
from sync.server.db import insert_new
from sync.server.heads import head_signed, note_conflict
from sync.server.platform import (
    Device,
    Platform,
    PlatformError,
    lock_project,
    public_key,
    reserve_revs,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Seen:
    """An event as the conflict check sees it."""

    uuid: str
    direction: str
    device_id: str
    at: datetime
    conflict: bool
    new: bool


# Refusals of records provably the device's: their sequence numbers count as received.
COUNTED_REFUSALS = frozenset(
    {"unknown_project", "not_enrolled_for_project", "retired_device", "outside_project_days",
     "void_unknown_record", "void_not_own", "void_not_a_checkin", "already_voided"}
)  # fmt: skip


@dataclass(slots=True)
class _Target:
    """A record a void may name: whose it is, what kind, whether a void already names it."""

    device_id: str
    kind: str
    voided: bool


def _void_targets(conn: Connection, records: list[EventRecord]) -> dict[str, _Target]:
    """The stored records the batch's voids name."""
    wanted = {r.refers_to for r in records if r.kind == "void" and r.refers_to}
    if not wanted:
        return {}
    c = t.events.c
    rows = conn.execute(select(c.uuid, c.device_id, c.kind, c.voided_by).where(c.uuid.in_(wanted)))
    return {u: _Target(d, k, v is not None) for u, d, k, v in rows}


def _judge_void(r: EventRecord, targets: dict[str, _Target]) -> str:
    """Why a void cannot stand ('' when it can): it undoes one standing check-in of its device."""
    target = targets.get(r.refers_to or "")
    if target is None:
        return "void_unknown_record"
    if target.device_id != r.device_id:
        return "void_not_own"
    if target.kind != "checkin":
        return "void_not_a_checkin"
    if target.voided:
        return "already_voided"
    return ""


def effective_instant(scanned_at: str, server_offset_ms: int | None) -> datetime:
    """The scan instant on the server's clock, when the device knew its offset."""
    moment = to_utc(datetime.fromisoformat(scanned_at))
    return moment + timedelta(milliseconds=server_offset_ms or 0)


def _project_days(conn: Connection, numbers: Iterable[str]) -> dict[str, set[date]]:
    rows = conn.execute(
        select(t.projects.c.number, t.projects.c.data).where(t.projects.c.number.in_(set(numbers)))
    )
    return {r[0]: {date.fromisoformat(d) for d in json.loads(r[1])["days"]} for r in rows}


# Built once (every upload runs it): the device's row with its project's, locked.
_DEVICE_AND_PROJECT = (
    select(t.projects.c.data.label("project_data"), t.devices)
    .select_from(t.devices.join(t.projects, t.projects.c.number == t.devices.c.project))
    .where(t.devices.c.id == bindparam("device_id"))
    .with_for_update(of=t.projects)
)  # fmt: skip


@lru_cache(maxsize=256)
def _days(project_data: str) -> frozenset[date]:
    """A project's days from its stored definition, parsed once per version of it."""
    return frozenset(date.fromisoformat(x) for x in json.loads(project_data)["days"])


def _lock_for_upload(
    conn: Connection, device: Device, projects: set[str]
) -> tuple[Device, dict[str, set[date]], int]:
    """Lock the device's project; (the device now, days of the records' projects, its highest
    contiguous seq), in one statement when the records name only the device's own project."""
    row = conn.execute(_DEVICE_AND_PROJECT, {"device_id": device.id}).first()
    if row is None:
        raise PlatformError(404, "unknown_device", f"no device {device.id}")
    now = Device.from_row(row)
    days = {now.project: set(_days(row.project_data))}
    others = projects - {now.project}
    if others:
        days.update(_project_days(conn, others))
    return now, days, int(row.highest_contiguous)


def upload_events(
    platform: Platform, device: Device, batch: EventBatch, report: DeviceReport | None = None
) -> BatchAnswer:
    """Answer every record: accepted, duplicate (same UUID and hash) or rejected with a reason.

    A `report` the upload carries (latest seq, signed head) is taken after the records, in the
    same transaction, as a status report would be; the answer then carries the completeness.
    """
    now = platform.now()
    records = batch.records
    report = _usable_report(device, report)
    desk: DeskCompleteness | None = None
    with platform.db.write() as conn:
        # The project's lock first; the device's state may have changed since auth.
        device, days, high = _lock_for_upload(conn, device, {r.project for r in records})
        # A weak key registered before keys were checked strictly verifies nothing.
        key = public_key(device.public_key)
        uuids = {r.uuid for r in records}
        known: dict[str, str] = {
            u: h
            for u, h in conn.execute(
                select(t.events.c.uuid, t.events.c.hash).where(t.events.c.uuid.in_(uuids))
            )
        }
        targets = _void_targets(conn, records)
        answers: list[RecordAnswer] = []
        fresh: list[EventRecord] = []
        counted: list[int] = []
        refused: list[tuple[EventRecord, str]] = []
        for r in records:
            status, reason, count = _judge(r, device, key, known, days)
            if status == "accepted" and r.kind == "void":
                reason = _judge_void(r, targets)
                status = "rejected" if reason else "accepted"
            answers.append(RecordAnswer(uuid=r.uuid, status=status, reason=reason))
            if status == "accepted":
                known[r.uuid] = r.hash
                fresh.append(r)
                # A later void in this batch may name this record, or the one this voids.
                targets[r.uuid] = _Target(r.device_id, r.kind, voided=False)
                if r.kind == "void" and r.refers_to:
                    targets[r.refers_to].voided = True
            elif status == "rejected":
                refused.append((r, reason))
            if count:
                counted.append(r.seq)
        reused = _store_seqs(conn, device, counted)
        if fresh:
            _store_events(conn, platform, device, fresh, reused=reused, now=now)
        _store_refused(conn, device, refused, now=now)
        _advance_contiguous(conn, device, high)
        if report is not None and device.state == "active":  # a retired device reports nothing
            desk = _take_report(platform, conn, device, report.latest_seq, report.head, now=now)
    stats = {s: sum(a.status == s for a in answers) for s in ("accepted", "duplicate", "rejected")}
    log.info("device %s uploaded %d records: %s", device.id, len(records), stats)
    return BatchAnswer(answers=answers, server_time=now, desk=desk)


def _usable_report(device: Device, report: DeviceReport | None) -> DeviceReport | None:
    """The carried report, or None when its head is not signed by the device.

    A bad head never costs the records their upload: the report is left out (the answer has no
    `desk`), the kiosk reports on its own, and that report is refused 422 as always.
    """
    if report is None or report.head is None or head_signed(device, report.head):
        return report
    log.warning("device %s: the head carried by an upload is not signed by its key", device.id)
    return None


def _take_report(
    platform: Platform, conn: Connection, device: Device, latest_seq: int,
    head: ChainHead | None, *, now: datetime, checked: bool = True,
) -> DeskCompleteness:  # fmt: skip
    """Take a status report under the project's lock already held; the device's completeness.

    The newest head is kept and the reported seq raised (never lowered) in one UPDATE, only
    when either changes: every writer of a device row holds its project's lock, so the row
    read here stays as read. A head behind or beside the one held goes to the audit trail.
    `checked`: the head's signature was verified already (else it is here: 422 if not signed).
    """
    if head is not None and not checked and not head_signed(device, head):
        raise PlatformError(
            422, "bad_head_signature", "the chain head is not signed by this device's key"
        )
    row = _with_received(conn, device.id)
    held = row._mapping
    values: dict[str, Any] = {}
    if head is not None:
        held_seq = held["head_seq"]
        if held_seq is None or head.seq > int(held_seq):
            values.update(head_seq=head.seq, head_hash=head.hash, head_signature=head.signature,
                          head_at=now)  # fmt: skip
        elif head.seq < int(held_seq) or head.hash != held["head_hash"]:
            note_conflict(platform, conn, device, head, int(held_seq))
        latest_seq = max(latest_seq, head.seq)
    reported = held["reported_latest"]
    if held["reported_at"] is None or reported is None or int(reported) < latest_seq:
        values.update(reported_latest=max(latest_seq, int(reported or 0)), reported_at=now)
    if values:
        d = t.devices.c
        held = (
            conn.execute(update(t.devices).where(d.id == device.id).values(**values)
                         .returning(*t.devices.c)).one()._mapping
        )  # fmt: skip
    return _completeness(held, row.top_seq, int(row.received or 0))


def _judge(  # noqa: PLR0911
    r: EventRecord,
    device: Device,
    key: Ed25519PublicKey,
    known: dict[str, str],
    days: dict[str, set[date]],
) -> tuple[RecordStatus, str, bool]:
    """(status, reason, whether the record's seq counts as received) for one record."""
    if r.device_id != device.id:
        return "rejected", "wrong_device", False
    if not signing.verify_record(r, key):
        return "rejected", "bad_signature", False
    if r.uuid in known:
        if known[r.uuid] == r.hash:
            return "duplicate", "", False
        return "rejected", "uuid_conflict", False
    if device.state == "revoked":  # reached through a relay: its token was never the check
        return "rejected", "revoked_device", False
    # From here on the record is provably the device's: its sequence number counts.
    if r.project not in days:
        return "rejected", "unknown_project", True
    if r.project != device.project:
        return "rejected", "not_enrolled_for_project", True
    if device.role != "desk":
        return "rejected", "not_a_desk", False
    # Past a device's end only its sequence numbers count: clocks can be set back.
    if device.state != "active" and r.seq > (device.frozen_seq or 0):
        return "rejected", "retired_device", True
    at = effective_instant(r.scanned_at, r.server_offset_ms)
    if local_day(at) not in days[r.project]:
        return "rejected", "outside_project_days", True
    return "accepted", "", True


def _store_seqs(conn: Connection, device: Device, seqs: list[int]) -> set[int]:
    """Record received sequence numbers; return those that were already received."""
    if not seqs:
        return set()
    wanted = sorted(set(seqs))
    stored = insert_new(
        conn, t.device_seqs, [{"device_id": device.id, "seq": s} for s in wanted],
        returning=t.device_seqs.c.seq,
    )  # fmt: skip
    return set(wanted) - set(stored)


def _store_events(
    conn: Connection,
    platform: Platform,
    device: Device,
    fresh: list[EventRecord],
    *,
    reused: set[int],
    now: datetime,
) -> None:
    project = device.project
    people = {r.attendee_id for r in fresh}
    on_roster = set(
        conn.execute(
            select(t.attendees.c.ref).where(
                t.attendees.c.project == project, t.attendees.c.ref.in_(people)
            )
        ).scalars()
    )
    conflicts, flagged_old = _conflicts(conn, project, device.id, fresh)
    voided = {r.refers_to: r.uuid for r in fresh if r.kind == "void" and r.refers_to}
    rev = reserve_revs(conn, project, len(fresh) + len(flagged_old) + len(voided))
    rows = []
    for i, r in enumerate(fresh):
        server_flags = []
        staff_record = r.kind != "checkin"
        if (
            not staff_record
            and r.attendee_id not in on_roster
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
                "evidence_ref": r.evidence_ref, "flags": signing.chain_row(r)["flags"],
                "server_flags": json.dumps(server_flags), "conflict": r.uuid in conflicts,
                "prev_hash": r.prev_hash, "hash": r.hash, "signature": r.signature,
                "received_at": now, "rev": rev + i, "kind": r.kind, "staff_id": r.staff_id,
                "note": r.note, "refers_to": r.refers_to, "receipt": r.receipt,
                "voided_by": None,
            }
        )  # fmt: skip
    conn.execute(insert(t.events), rows)
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
    conn: Connection, project: str, device_id: str, fresh: list[EventRecord]
) -> tuple[set[str], set[str]]:
    """Consecutive same-direction records of one person on one day from different desks.

    Offline decisions are facts: both records are kept and flagged for the organizer, never
    dropped. Returns (new records in conflict, already stored records newly in conflict).
    """
    c = t.events.c
    people: dict[str, list[_Seen]] = defaultdict(list)
    attendance = [r for r in fresh if r.kind == "checkin"]  # staff records are not attendance
    stored = conn.execute(
        select(c.uuid, c.attendee_id, c.direction, c.device_id, c.effective_at, c.conflict).where(
            c.project == project,
            c.attendee_id.in_({r.attendee_id for r in attendance}),
            c.kind == "checkin",
            c.voided_by.is_(None),
        )
    )
    for u, person, direction, dev, at, conflict in stored:
        people[person].append(_Seen(u, direction, dev, at, bool(conflict), new=False))
    for r in attendance:
        at = effective_instant(r.scanned_at, r.server_offset_ms)
        people[r.attendee_id].append(_Seen(r.uuid, r.direction, device_id, at, False, new=True))
    marked: set[str] = set()
    for seen in people.values():
        by_day: dict[date, list[_Seen]] = defaultdict(list)
        for s in seen:
            by_day[local_day(s.at)].append(s)
        for day_events in by_day.values():
            day_events.sort(key=lambda s: (s.at, s.uuid))
            for a, b in itertools.pairwise(day_events):
                if a.direction == b.direction and a.device_id != b.device_id:
                    marked.update((a.uuid, b.uuid))
    fresh_ids = {r.uuid for r in fresh}
    old_flagged = {
        s.uuid for seen in people.values() for s in seen
        if s.uuid in marked and not s.new and not s.conflict
    }  # fmt: skip
    return marked & fresh_ids, old_flagged


def _store_refused(
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
    rows = []
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


def _advance_contiguous(conn: Connection, device: Device, stored: int) -> int:
    """Move the device's highest contiguous sequence number on from `stored` as far as it goes
    (read under the project's lock, so no other upload of the device moves it meanwhile)."""
    d = t.devices.c
    high = max(stored, device.seq_start - 1)
    c = t.device_seqs.c
    while True:
        nxt = list(
            conn.execute(
                select(c.seq).where(c.device_id == device.id, c.seq > high).order_by(c.seq)
                .limit(5000)
            ).scalars()
        )  # fmt: skip
        moved = False
        for s in nxt:
            if s != high + 1:
                break
            high, moved = s, True
        if not moved or len(nxt) < 5000:
            break
    if high != stored:
        conn.execute(update(t.devices).where(d.id == device.id).values(highest_contiguous=high))
    return high


def upload_denied(platform: Platform, device: Device, batch: DeniedBatch) -> BatchAnswer:
    """Keep refused attempts for the audit trail; duplicates by UUID are answered, not stored."""
    now = platform.now()
    with platform.db.write() as conn:
        lock_project(conn, device.project)
        known = set(
            conn.execute(
                select(t.denied.c.uuid).where(t.denied.c.uuid.in_({r.uuid for r in batch.records}))
            ).scalars()
        )
        projects = set(_project_days(conn, {r.project for r in batch.records}))
        answers: list[RecordAnswer] = []
        rows: list[dict[str, Any]] = []
        for r in batch.records:
            reason = ""
            if r.device_id != device.id:
                reason = "wrong_device"
            elif r.uuid in known:
                answers.append(RecordAnswer(uuid=r.uuid, status="duplicate"))
                continue
            elif r.project not in projects:
                reason = "unknown_project"
            elif r.project != device.project:
                reason = "not_enrolled_for_project"
            if reason:
                answers.append(RecordAnswer(uuid=r.uuid, status="rejected", reason=reason))
                continue
            known.add(r.uuid)
            answers.append(RecordAnswer(uuid=r.uuid, status="accepted"))
            rows.append(
                {"uuid": r.uuid, "project": r.project, "device_id": r.device_id,
                 "method": r.method, "reason": r.reason, "detail": r.detail,
                 "credential_hmac": r.credential_hmac,
                 "scanned_at": to_utc(datetime.fromisoformat(r.scanned_at)),
                 "utc_offset_minutes": r.utc_offset_minutes, "received_at": now}
            )  # fmt: skip
        if rows:
            conn.execute(insert(t.denied), rows)
    return BatchAnswer(answers=answers, server_time=now)


def report_latest(
    platform: Platform, device: Device, latest_seq: int, head: ChainHead | None = None
) -> DeskCompleteness:
    """The device reports its latest seq (and signed head); answer what the platform has of it."""
    now = platform.now()
    with platform.db.write() as conn:
        # Project row first, like every writer of a device row: on PostgreSQL the second UPDATE
        # of the row below checks its project key, which a retirement holding the project lock
        # while waiting for this row would block (a deadlock).
        lock_project(conn, device.project)
        return _take_report(platform, conn, device, latest_seq, head, now=now, checked=False)


def _received_query() -> Select[Any]:
    d, s = t.devices.c, t.device_seqs.c
    top = select(func.max(s.seq)).where(s.device_id == d.id).scalar_subquery()
    got = select(func.count()).where(s.device_id == d.id, s.seq >= d.seq_start).scalar_subquery()
    return select(t.devices, top.label("top_seq"), got.label("received")).where(
        d.id == bindparam("device_id")
    )


# Built once: a status report arrives every few seconds from every desk, and building the
# statement (and its cache key) each time costs more than PostgreSQL takes to run it.
_RECEIVED = _received_query()


def _with_received(conn: Connection, device_id: str) -> Row[Any]:
    """The device's row with its highest received seq and how many from seq_start on."""
    return conn.execute(_RECEIVED, {"device_id": device_id}).one()


def raise_reported(
    conn: Connection, device_id: str, latest_seq: int, *, now: datetime,
    known: Row[Any] | None = None,
) -> Row[Any]:  # fmt: skip
    """Raise a device's reported latest seq (never lower it); return its row.

    The UPDATE compares and sets in one statement, so two reports racing in two server
    processes cannot lower it (read-then-write could: the older value would land last). A
    report that raises nothing writes nothing when the caller already holds the row (`known`):
    desks report every few seconds, and an unchanged report must not cost a durable commit.
    `reported_at` is when the reported seq last rose (or first came).
    """
    d = t.devices.c
    if (
        known is not None and known.reported_at is not None
        and known.reported_latest is not None and known.reported_latest >= latest_seq
    ):  # fmt: skip
        return known
    higher = case(
        (or_(d.reported_latest.is_(None), d.reported_latest < latest_seq), latest_seq),
        else_=d.reported_latest,
    )
    return conn.execute(
        update(t.devices).where(d.id == device_id)
        .values(reported_latest=higher, reported_at=now).returning(*t.devices.c)
    ).one()  # fmt: skip


def _received(conn: Connection, devices: list[Any]) -> dict[str, tuple[int | None, int]]:
    """Device id → (highest seq received, how many from its seq_start on), in one query."""
    if not devices:
        return {}
    s, d = t.device_seqs.c, t.devices.c
    counted = func.sum(case((s.seq >= d.seq_start, 1), else_=0))
    query = (
        select(d.id, func.max(s.seq), counted)
        .select_from(t.devices.join(t.device_seqs, s.device_id == d.id))
        .group_by(d.id)
    )
    ids = {dev["id"] for dev in devices}
    projects = {dev["project"] for dev in devices}
    # A whole project at once by its index (status with thousands of desks); else by id.
    query = query.where(d.project.in_(projects)) if len(ids) > 50 else query.where(d.id.in_(ids))
    return {i: (top, int(n or 0)) for i, top, n in conn.execute(query) if i in ids}


def completeness(conn: Connection, dev: Any) -> DeskCompleteness:
    """One device's completeness from its received sequence numbers and its own report."""
    return completeness_of(conn, [dev])[0]


def completeness_of(conn: Connection, devices: list[Any]) -> list[DeskCompleteness]:
    """Several devices' completeness (rows of the devices table) with one query, in order."""
    received = _received(conn, devices)
    return [_completeness(dev, *received.get(dev["id"], (None, 0))) for dev in devices]


def _completeness(dev: Any, top: int | None, received: int) -> DeskCompleteness:
    latest = max(int(dev["reported_latest"] or 0), int(top or 0))
    start = int(dev["seq_start"])
    # Every received seq is at most `latest`: those from `start` on are the ones expected.
    missing = latest - start + 1 - received if latest >= start else 0
    reported = dev["reported_at"] is not None
    complete = reported and missing == 0
    return DeskCompleteness(
        device_id=dev["id"], desk_name=dev["desk_name"], role=dev["role"], state=dev["state"],
        highest_contiguous=int(dev["highest_contiguous"]), latest_seq=latest, missing=missing,
        reported=reported, complete=complete,
        blocking=dev["role"] == "desk" and dev["state"] == "active" and not complete,
        end_reason=dev["end_reason"] or "",
        frozen_seq=None if dev["frozen_seq"] is None else int(dev["frozen_seq"]),
        head_seq=None if dev["head_seq"] is None else int(dev["head_seq"]),
    )  # fmt: skip
