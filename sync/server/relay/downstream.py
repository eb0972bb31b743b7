"""The platform's downstream side: the /api/v1/relay routes a venue relay below it calls.

A relay is a device with role "relay". It registers each kiosk enrolled with it (the kiosk's own
device id and Ed25519 key); the platform then judges every forwarded record against that kiosk's
key exactly as if the kiosk had uploaded it itself, so a relay can deliver records but never
invent or alter one. docs/protocol.md, "Venue relay".
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from fastapi import APIRouter
from sqlalchemy import Connection, insert, select, update

from sync import protocol as p
from sync import signing
from sync.server import codes, completeness, records
from sync.server import db as t
from sync.server.deps import ActiveDev, Dev, PlatformDep
from sync.server.heads import take_head
from sync.server.platform import Device, Platform, PlatformError, lock_project
from sync.server.refusals import upload_refusals
from sync.server.walkins import upload_walk_ins

log = logging.getLogger(__name__)


class _FromKiosk(Protocol):
    """Anything a kiosk sent that names its device (a record, a refused attempt, a walk-in)."""

    @property
    def device_id(self) -> str: ...


R = TypeVar("R", bound=_FromKiosk)


def _require_relay(device: Device) -> None:
    if device.role != "relay":
        raise PlatformError(403, "not_a_relay", "only a relay device may use /api/v1/relay")


def _kiosks(conn: Connection, relay: Device) -> dict[str, Device]:
    """Every kiosk this relay registered, by device id (their state as of now)."""
    rows = conn.execute(
        select(t.devices)
        .join(t.relay_devices, t.relay_devices.c.device_id == t.devices.c.id)
        .where(t.relay_devices.c.relay_id == relay.id)
    )
    return {r.id: Device.from_row(r) for r in rows}


def register_device(platform: Platform, relay: Device, body: p.RelayDevice) -> p.RelayDeviceAnswer:
    """Register a kiosk enrolled with the relay (idempotent: same id and key, same relay)."""
    _require_relay(relay)
    try:
        signing.public_from_b64(body.public_key)
    except ValueError as exc:  # WeakKey says which: small order, not canonical, all zero
        raise PlatformError(
            422, "invalid_public_key", f"not an acceptable Ed25519 public key: {exc}"
        ) from None
    key = p.b64_bytes(body.public_key, size=32)
    now = platform.now()
    code_hash = signing.token_hash(codes.normalise_code(body.enrollment_code))
    with platform.db.write() as conn:
        lock_project(conn, relay.project)
        row = conn.execute(select(t.devices).where(t.devices.c.id == body.device_id)).first()
        if row is not None:
            owner = conn.execute(
                select(t.relay_devices.c.relay_id).where(
                    t.relay_devices.c.device_id == body.device_id
                )
            ).scalar()
            existing = Device.from_row(row)
            if owner != relay.id or existing.public_key != key:
                raise PlatformError(
                    409, "device_id_taken", f"device id {body.device_id} is already in use"
                )
            return p.RelayDeviceAnswer(
                device_id=existing.id, status="already_registered",
                state=existing.state,  # type: ignore[arg-type]
                end_reason=existing.end_reason,
            )  # fmt: skip
        _spend_venue_code(conn, relay, code_hash, device_id=body.device_id, now=now)
        conn.execute(
            insert(t.devices).values(
                id=body.device_id, project=relay.project, role="desk", desk_name=body.desk_name,
                # The kiosk never talks to the platform itself: a token nobody knows.
                token_hash=signing.token_hash(secrets.token_urlsafe(32)),
                public_key=key, seq_start=body.seq_start, enrolled_at=now, state="active",
                end_reason="", highest_contiguous=body.seq_start - 1,
            )
        )  # fmt: skip
        conn.execute(
            insert(t.relay_devices).values(
                device_id=body.device_id, relay_id=relay.id, registered_at=now, code_hash=code_hash
            )
        )
        platform.audit(
            conn, actor=relay.id, action="relay_register", project=relay.project,
            subject=body.device_id, detail=f"desk '{body.desk_name}' via relay {relay.id}",
        )  # fmt: skip
    log.info("relay %s registered desk %s for %s", relay.id, body.device_id, relay.project)
    return p.RelayDeviceAnswer(device_id=body.device_id, status="registered", state="active")


def _spend_venue_code(
    conn: Connection, relay: Device, code_hash: str, *, device_id: str, now: datetime
) -> None:
    """The kiosk's venue code must be one this platform issued for the project, unused: spend it.

    A desk exists upstream only through an enrollment the platform issued (sync.server.codes).
    """
    c = t.enroll_codes.c
    row = conn.execute(
        select(t.enroll_codes).where(
            c.code_hash == code_hash, c.project == relay.project, c.role == "desk",
            c.relay_verifier.is_not(None),
        )
    ).first()  # fmt: skip
    if row is None:
        raise PlatformError(
            403, "invalid_code",
            f"desk {device_id}: not a venue code this platform issued for {relay.project}",
        )  # fmt: skip
    if row.used_at is not None:
        raise PlatformError(403, "code_used", f"desk {device_id}: its venue code was already used")
    if not codes.venue_code_valid(row, now=now):
        raise PlatformError(
            403, "code_expired",
            f"desk {device_id}: its venue code expired before any relay received it",
        )  # fmt: skip
    spent = conn.execute(
        update(t.enroll_codes).where(c.code_hash == code_hash, c.used_at.is_(None))
        .values(used_at=now, device_id=device_id)
    )  # fmt: skip
    if spent.rowcount != 1:  # spent since it was read (another process)
        raise PlatformError(403, "code_used", f"desk {device_id}: its venue code was already used")


def _untraced(kiosk: Device, traced: set[str]) -> str:
    """Refuse the items of a kiosk whose enrollment the platform cannot trace to itself."""
    return "" if kiosk.id in traced else "untraced_device"


def _traced(platform: Platform, relay: Device) -> set[str]:
    """The kiosks this relay registered with a venue code the platform issued."""
    rd = t.relay_devices.c
    with platform.db.read() as conn:
        return set(
            conn.execute(
                select(rd.device_id).where(rd.relay_id == relay.id, rd.code_hash.is_not(None))
            ).scalars()
        )


def _relayed(platform: Platform, relay: Device) -> dict[str, Device]:
    """The kiosks this relay registered (refused for any other role)."""
    _require_relay(relay)
    with platform.db.read() as conn:
        return _kiosks(conn, relay)


def per_kiosk(
    items: Sequence[R],
    kiosks: dict[str, Device],
    *,
    ident: Callable[[R], str],
    refuse: Callable[[Device], str] = lambda kiosk: "",
    upload: Callable[[Device, list[R]], list[p.RecordAnswer]],
) -> list[p.RecordAnswer]:
    """Judge each item as its own kiosk's upload; one answer per item, in the order sent.

    An item naming a kiosk this relay never registered is `wrong_device`; `refuse` may turn a
    kiosk's items away before its upload (e.g. `revoked_device`).
    """
    answers: dict[int, p.RecordAnswer] = {}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        kiosk = kiosks.get(item.device_id)
        reason = "wrong_device" if kiosk is None else refuse(kiosk)
        if reason:
            answers[i] = p.RecordAnswer(uuid=ident(item), status="rejected", reason=reason)
        else:
            groups[item.device_id].append(i)
    for device_id, indexes in groups.items():
        got = upload(kiosks[device_id], [items[i] for i in indexes])
        answers.update(zip(indexes, got, strict=True))
    return [answers[i] for i in range(len(items))]


def forward_events(platform: Platform, relay: Device, batch: p.EventBatch) -> p.BatchAnswer:
    """Judge each record as its own kiosk's upload; one answer per record, in order."""
    traced = _traced(platform, relay)
    answers = per_kiosk(
        batch.records, _relayed(platform, relay), ident=lambda r: r.uuid,
        refuse=lambda kiosk: _untraced(kiosk, traced),
        upload=lambda kiosk, rs: records.upload_events(
            platform, kiosk, p.EventBatch(records=rs)).answers,
    )  # fmt: skip
    _audit_refusals(platform, relay, answers, kind="records")
    return p.BatchAnswer(answers=answers, server_time=platform.now())


def forward_denied(platform: Platform, relay: Device, batch: p.DeniedBatch) -> p.BatchAnswer:
    """Refused attempts of the relay's kiosks, answered like their own uploads."""
    traced = _traced(platform, relay)
    answers = per_kiosk(
        batch.records, _relayed(platform, relay), ident=lambda r: r.uuid,
        refuse=lambda kiosk: "revoked_device" if kiosk.state == "revoked"
        else _untraced(kiosk, traced),
        upload=lambda kiosk, rs: records.upload_denied(
            platform, kiosk, p.DeniedBatch(records=rs)).answers,
    )  # fmt: skip
    _audit_refusals(platform, relay, answers, kind="refused attempts")
    return p.BatchAnswer(answers=answers, server_time=platform.now())


def forward_walk_ins(platform: Platform, relay: Device, batch: p.WalkInBatch) -> p.BatchAnswer:
    """Judge each walk-in as its kiosk's own upload; one answer per walk-in, in order."""
    traced = _traced(platform, relay)
    answers = per_kiosk(
        batch.records, _relayed(platform, relay), ident=lambda r: r.attendee_id,
        refuse=lambda kiosk: _untraced(kiosk, traced),
        upload=lambda kiosk, rs: upload_walk_ins(
            platform, kiosk, p.WalkInBatch(records=rs)).answers,
    )  # fmt: skip
    return p.BatchAnswer(answers=answers, server_time=platform.now())


def forward_refusals(platform: Platform, relay: Device, batch: p.RefusalBatch) -> p.BatchAnswer:
    """The relayed kiosks' signed refusal stubs, judged as their own uploads."""
    traced = _traced(platform, relay)
    answers = per_kiosk(
        batch.records, _relayed(platform, relay), ident=lambda r: r.uuid,
        refuse=lambda kiosk: _untraced(kiosk, traced),
        upload=lambda kiosk, rs: upload_refusals(
            platform, kiosk, p.RefusalBatch(records=rs)).answers,
    )  # fmt: skip
    _audit_refusals(platform, relay, answers, kind="refusal stubs")
    return p.BatchAnswer(answers=answers, server_time=platform.now())


def _audit_refusals(
    platform: Platform, relay: Device, answers: Iterable[p.RecordAnswer], *, kind: str
) -> None:
    """One audit line per forwarded batch with refusals a relay should not cause."""
    odd = [
        a for a in answers
        if a.reason in ("wrong_device", "revoked_device", "bad_signature", "untraced_device")
    ]  # fmt: skip
    if not odd:
        return
    counts: dict[str, int] = defaultdict(int)
    for a in odd:
        counts[a.reason] += 1
    with platform.db.write() as conn:
        platform.audit(
            conn, actor=relay.id, action="relay_refused", project=relay.project,
            subject=relay.id, detail=f"{kind}: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
        )  # fmt: skip


def report_desks(
    platform: Platform, relay: Device, body: p.RelayStatusReport
) -> p.RelayStatusAnswer:
    """Take the kiosks' latest sequence numbers; answer their completeness and state."""
    _require_relay(relay)
    now = platform.now()
    answers: dict[str, p.DeskCompleteness] = {}
    with platform.db.write() as conn:
        lock_project(conn, relay.project)  # project row before device rows (see report_latest)
        kiosks = _kiosks(conn, relay)
        strangers = sorted({r.device_id for r in body.desks} - set(kiosks))
        if strangers:
            raise PlatformError(
                403, "not_relayed_device",
                f"{len(strangers)} device(s) were not registered by this relay",
                devices=strangers[:20],
            )  # fmt: skip
        # Rows locked in one order: two reports of one relay in two processes cannot deadlock.
        for report in sorted(body.desks, key=lambda r: r.device_id):
            latest = report.latest_seq
            if report.head is not None:  # the kiosk's own signature: the relay cannot forge it
                latest = max(latest, take_head(platform, conn, kiosks[report.device_id],
                                               report.head))  # fmt: skip
            row = completeness.raise_reported(conn, report.device_id, latest, now=now)
            answers[report.device_id] = completeness.completeness(conn, row._mapping)
    out = [answers[r.device_id] for r in body.desks]
    return p.RelayStatusAnswer(desks=out, server_time=now)


router = APIRouter(prefix=f"{p.API_PREFIX}/relay")


@router.post("/devices", response_model=p.RelayDeviceAnswer)
def relay_register(
    body: p.RelayDevice, dev: ActiveDev, platform: PlatformDep
) -> p.RelayDeviceAnswer:
    """Register a kiosk enrolled with the relay (its device id and public key)."""
    return register_device(platform, dev, body)


@router.post("/events", response_model=p.BatchAnswer)
def relay_events(body: p.EventBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """The relayed kiosks' records, verbatim: each judged against its own kiosk's key."""
    return forward_events(platform, dev, body)


@router.post("/denied", response_model=p.BatchAnswer)
def relay_denied(body: p.DeniedBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """The relayed kiosks' refused attempts."""
    return forward_denied(platform, dev, body)


@router.post("/walk-ins", response_model=p.BatchAnswer)
def relay_walk_ins(body: p.WalkInBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """The relayed kiosks' walk-in identities, judged as their own uploads."""
    return forward_walk_ins(platform, dev, body)


@router.post("/refusals", response_model=p.BatchAnswer)
def relay_refusals(body: p.RefusalBatch, dev: Dev, platform: PlatformDep) -> p.BatchAnswer:
    """The relayed kiosks' refusal stubs (records they gave up on), judged as their own."""
    return forward_refusals(platform, dev, body)


@router.get("/codes", response_model=p.RelayCodes)
def relay_codes(dev: ActiveDev, platform: PlatformDep) -> p.RelayCodes:
    """The project's open venue codes as verifiers: kiosks can enroll at the relay offline."""
    _require_relay(dev)
    with platform.db.write() as conn:
        found = codes.open_venue_codes(conn, dev.project, now=platform.now())
    return p.RelayCodes(project=dev.project, codes=found)


@router.post("/status", response_model=p.RelayStatusAnswer)
def relay_status(body: p.RelayStatusReport, dev: Dev, platform: PlatformDep) -> p.RelayStatusAnswer:
    """The relayed kiosks' latest sequence numbers in; their completeness and state out."""
    return report_desks(platform, dev, body)
