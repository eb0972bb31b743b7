"""Sequence completeness: received seqs, the contiguous run, status reports and what they answer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, case, func, or_, select, update

from sync.protocol import ChainHead, DeskCompleteness
from sync.server import db as t
from sync.server.db import insert_new
from sync.server.heads import head_signed, note_conflict
from sync.server.platform import (
    DEVICE_COLUMNS,
    Caller,
    Device,
    Platform,
    PlatformError,
    refuse_retired,
)

# The device row's columns an upload or a status report may change.
_SETTABLE = ("highest_contiguous", "reported_latest", "reported_at", "head_seq", "head_hash",
             "head_signature", "head_at")  # fmt: skip


def store_seqs(conn: Connection, device: Device, seqs: list[int]) -> set[int]:
    """Record received sequence numbers; return those that were already received."""
    if not seqs:
        return set()
    wanted = sorted(set(seqs))
    stored = insert_new(
        conn, t.device_seqs, [{"device_id": device.id, "seq": s} for s in wanted],
        returning=t.device_seqs.c.seq,
    )  # fmt: skip
    return set(wanted) - set(stored)


def advance_contiguous(conn: Connection, device: Device, stored: int) -> int:
    """Move the device's highest contiguous sequence number on from `stored` as far as it goes
    (read under the project's lock, so no other upload of the device moves it meanwhile)."""
    high = _scan_contiguous(conn, device.id, max(stored, device.seq_start - 1))
    if high != stored:
        d = t.devices.c
        conn.execute(update(t.devices).where(d.id == device.id).values(highest_contiguous=high))
    return high


def _scan_contiguous(conn: Connection, device_id: str, high: int) -> int:
    """The end of the run of received seqs that goes on from `high`."""
    c = t.device_seqs.c
    while True:
        nxt = list(
            conn.execute(
                select(c.seq).where(c.device_id == device_id, c.seq > high).order_by(c.seq)
                .limit(5000)
            ).scalars()
        )  # fmt: skip
        moved = False
        for s in nxt:
            if s != high + 1:
                break
            high, moved = s, True
        if not moved or len(nxt) < 5000:
            return high


def settle(
    platform: Platform, conn: Connection, row: Row[Any], *, inserted: Iterable[int] = (),
    report: tuple[int, ChainHead | None] | None, now: datetime, advance: bool = True,
) -> DeskCompleteness:  # fmt: skip
    """After an upload or with a status report, under the project's lock already held: move the
    contiguous seq on (`advance`) and take the report, in one UPDATE of the device row.

    `row` is the device as `read_device` read it after the lock, and `inserted` the seqs stored
    since: every writer of a device row or of its seqs holds the lock first, so the row and the
    counts stay as read plus those. With no gap in the received seqs (the common case) the
    contiguous run is their count; only a gap costs a scan. The newest head is kept and the
    reported seq raised (never lowered) only when either changes; a head behind or beside the
    one held goes to the audit trail. Returns the device's completeness.
    """
    held: Any = row._mapping
    device = Device.from_row(row)
    new = list(inserted)
    top = max([*new, *([] if row.top_seq is None else [int(row.top_seq)])], default=None)
    received = int(row.received or 0) + sum(s >= device.seq_start for s in new)
    values: dict[str, Any] = {}
    if advance:
        was = int(held["highest_contiguous"])
        high = _contiguous(conn, device.id, held, top=top, received=received)
        if high != was:
            values["highest_contiguous"] = high
    if report is not None:
        values.update(
            _report_values(platform, conn, device=device, held=held, report=report, now=now)
        )
    if values:
        # Every settable column is written: those unchanged with what was read (the row stays
        # as read under the lock), so one statement built once serves every case.
        conn.execute(_SETTLE, {"device_id": device.id} | {
            f"new_{c}": values[c] if c in values else held[c] for c in _SETTABLE
        })  # fmt: skip
        held = {**held, **values}
    return completeness_from(held, top, received)


# Built once: every upload and report runs it.
_SETTLE = (
    update(t.devices).where(t.devices.c.id == bindparam("device_id"))
    .values({c: bindparam(f"new_{c}", type_=t.devices.c[c].type) for c in _SETTABLE})
)  # fmt: skip


def _contiguous(
    conn: Connection, device_id: str, held: Any, *, top: int | None, received: int
) -> int:
    start = int(held["seq_start"])
    high = max(int(held["highest_contiguous"]), start - 1)
    if top is None or int(top) <= high:
        return high
    # Every seq from start to top is there when as many as that range holds were received.
    if received == int(top) - start + 1:
        return int(top)
    return _scan_contiguous(conn, device_id, high)


def _report_values(
    platform: Platform, conn: Connection, *, device: Device, held: Any,
    report: tuple[int, ChainHead | None], now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """What a report changes in the device row (`held`): the head, the reported seq."""
    latest_seq, head = report
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
    return values


def report_latest(
    platform: Platform, caller: Caller, latest_seq: int, head: ChainHead | None = None
) -> DeskCompleteness:
    """The device reports its latest seq (and signed head); answer what the platform has of it
    (403 once it is retired, 422 for a head its key did not sign)."""
    now = platform.now()
    # write_as takes the project row first, like every writer of a device row: on PostgreSQL
    # the second UPDATE of the row below checks its project key, which a retirement holding
    # the project lock while waiting for this row would block (a deadlock).
    with platform.write_as(caller) as (conn, device, _):
        refuse_retired(device)
        if head is not None and not head_signed(device, head):
            raise PlatformError(
                422, "bad_head_signature", "the chain head is not signed by this device's key"
            )
        row = read_device(conn, device.id)
        return settle(platform, conn, row, report=(latest_seq, head), now=now, advance=False)


def _read_device_query() -> Select[Any]:
    d, s = t.devices.c, t.device_seqs.c
    top = select(func.max(s.seq)).where(s.device_id == d.id).scalar_subquery()
    got = select(func.count()).where(s.device_id == d.id, s.seq >= d.seq_start).scalar_subquery()
    # What judging, completeness and the settling UPDATE read of the row.
    columns = {*DEVICE_COLUMNS, *(t.devices.c[c] for c in (*_SETTABLE, "highest_contiguous"))}
    ordered = [c for c in t.devices.c if c in columns]
    return select(*ordered, top.label("top_seq"), got.label("received")).where(
        d.id == bindparam("device_id")
    )


# Built once: a status report arrives every few seconds from every desk, and building the
# statement (and its cache key) each time costs more than PostgreSQL takes to run it.
_READ_DEVICE = _read_device_query()


def read_device(conn: Connection, device_id: str) -> Row[Any]:
    """The device's row with its highest received seq and how many from seq_start on.

    Read after its project's lock: what a writer that held the lock before committed is seen
    (on PostgreSQL a statement that waited for the lock still reads from before the wait).
    """
    row = conn.execute(_READ_DEVICE, {"device_id": device_id}).first()
    if row is None:
        raise PlatformError(404, "unknown_device", f"no device {device_id}")
    return row


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
    return [completeness_from(dev, *received.get(dev["id"], (None, 0))) for dev in devices]


def completeness_from(dev: Any, top: int | None, received: int) -> DeskCompleteness:
    """A device's completeness from its row, its highest received seq and how many it sent."""
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
