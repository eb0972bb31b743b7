"""Attendance and refused-attempt uploads: judging each record and answering it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Row, insert, select

from kiosk.core.timeutil import local_day, to_utc
from sync import signing
from sync.protocol import (
    BatchAnswer,
    DeniedBatch,
    DeskCompleteness,
    DeviceReport,
    EventBatch,
    EventRecord,
    RecordAnswer,
    RecordStatus,
)
from sync.server import db as t
from sync.server.completeness import read_device, settle, store_seqs
from sync.server.event_store import (
    Target,
    effective_instant,
    meet,
    store_events,
    store_refused,
)
from sync.server.heads import head_signed
from sync.server.platform import (
    Caller,
    Device,
    Platform,
    lock_project,
    public_key,
)

log = logging.getLogger(__name__)


def _judge_void(r: EventRecord, targets: dict[str, Target]) -> str:
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


def _project_days(conn: Connection, numbers: Iterable[str]) -> dict[str, set[date]]:
    rows = conn.execute(
        select(t.projects.c.number, t.projects.c.data).where(t.projects.c.number.in_(set(numbers)))
    )
    return {r[0]: {date.fromisoformat(d) for d in json.loads(r[1])["days"]} for r in rows}


@lru_cache(maxsize=256)
def _days(project_data: str) -> frozenset[date]:
    """A project's days from its stored definition, parsed once per version of it."""
    return frozenset(date.fromisoformat(x) for x in json.loads(project_data)["days"])


def _after_lock(
    conn: Connection, device: Device, projects: set[str], *, data: str | None
) -> tuple[Device, Row[Any], dict[str, set[date]]]:
    """Under the device's project lock (`data`: the project's definition): (the device now,
    its row as read_device reads it, days of the records' projects).

    The device is read after the lock, in its own statement: the one that waited for the lock
    still saw the device from before (a retirement that committed meanwhile).
    """
    row = read_device(conn, device.id)
    now = Device.from_row(row)
    days = {now.project: set(_days(data))} if data is not None else {}
    others = projects - {now.project}
    if others:
        days.update(_project_days(conn, others))
    return now, row, days


def upload_events(
    platform: Platform, caller: Caller, batch: EventBatch, report: DeviceReport | None = None
) -> BatchAnswer:
    """Answer every record: accepted, duplicate (same UUID and hash) or rejected with a reason.

    A `report` the upload carries (latest seq, signed head) is taken after the records, in the
    same transaction, as a status report would be; the answer then carries the completeness.
    """
    now = platform.now()
    records = batch.records
    desk: DeskCompleteness | None = None
    with platform.write_as(caller) as (conn, authenticated, data):
        report = _usable_report(authenticated, report)
        # The device's state may have changed while the lock was waited for.
        projects = {r.project for r in records}
        device, row, days = _after_lock(conn, authenticated, projects, data=data)
        # A weak key registered before keys were checked strictly verifies nothing.
        key = public_key(device.public_key)
        met = meet(conn, device.project, records)
        known, targets = met.known, met.targets
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
                targets[r.uuid] = Target(r.device_id, r.kind, voided=False)
                if r.kind == "void" and r.refers_to:
                    targets[r.refers_to].voided = True
            elif status == "rejected":
                refused.append((r, reason))
            if count:
                counted.append(r.seq)
        reused = store_seqs(conn, device, counted)
        inserted = set(counted) - reused
        if fresh:
            store_events(conn, device, fresh, met=met, reused=reused, now=now)
        store_refused(conn, device, refused, now=now)
        # The contiguous seq and the carried report, in one UPDATE of the device row.
        carried = None
        if report is not None and device.state == "active":  # a retired device reports nothing
            carried = (report.latest_seq, report.head)
        answer = settle(platform, conn, row, inserted=inserted, report=carried, now=now)
        desk = answer if carried is not None else None
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
