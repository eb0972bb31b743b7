"""Projects, keys, roster, enrollment and devices on the platform: what the API and admin share."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Row, Select, bindparam, func, insert, select, update

from kiosk.core.model import Project
from kiosk.core.project_file import project_from_dict, project_to_dict
from kiosk.core.timeutil import Clock, utc_now
from sync import signing
from sync.protocol import Enrollment, EnrollRequest, b64_bytes
from sync.server import codes
from sync.server import db as t
from sync.server.codes import normalise_code
from sync.server.db import Database
from sync.server.profiles import creation_problems

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: codes are typed by hand
CODE_LIFETIME = timedelta(hours=24)


class PlatformError(Exception):
    """A refusal the API turns into an HTTP status with a JSON body {error, message, …}."""

    def __init__(self, status: int, error: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra


@dataclass(frozen=True, slots=True)
class Device:
    """An enrolled kiosk (desk) or organizer tool."""

    id: str
    project: str
    role: str
    desk_name: str
    public_key: bytes
    seq_start: int
    state: str
    ended_at: datetime | None
    end_reason: str
    frozen_seq: int | None = None  # retired or revoked: records above it are refused

    @classmethod
    def from_row(cls, row: Row[Any]) -> Device:
        """Build from a devices table row."""
        m = row._mapping
        return cls(
            id=m["id"], project=m["project"], role=m["role"], desk_name=m["desk_name"],
            public_key=bytes(m["public_key"]), seq_start=int(m["seq_start"]), state=m["state"],
            ended_at=m["ended_at"], end_reason=m["end_reason"],
            frozen_seq=None if m["frozen_seq"] is None else int(m["frozen_seq"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bearer:
    """A request's device token, looked up on the connection the request works on."""

    token: str


# Who calls: a device already authenticated (admin tools, the relay, tests) or a token.
Caller = Device | Bearer


def refuse_retired(device: Device) -> None:
    """403 once the device is retired: a retired device pulls and reports nothing."""
    if device.state == "retired":
        raise PlatformError(
            403, "device_retired", f"this device was retired: {device.end_reason}",
            reason=device.end_reason,
            retired_at=device.ended_at.isoformat() if device.ended_at else None,
        )  # fmt: skip


@lru_cache(maxsize=4096)
def public_key(raw: bytes) -> Ed25519PublicKey:
    """A device's registered key as a key object, parsed once per process (keys never change:
    a new key is a new enrollment). Strictness is checked on each signature (verify_strict)."""
    return Ed25519PublicKey.from_public_bytes(raw)


# Statements on every request's path are built once (building one, and its cache key, costs
# more CPU than PostgreSQL spends running it).
_LOCK_PROJECT = (
    select(t.projects.c.rev).where(t.projects.c.number == bindparam("number")).with_for_update()
)
_RESERVE_REVS = (
    update(t.projects).where(t.projects.c.number == bindparam("project_number"))
    .values(rev=t.projects.c.rev + bindparam("count")).returning(t.projects.c.rev)
)  # fmt: skip


def lock_project(conn: Connection, number: str) -> int | None:
    """Serialise writers of one project (row lock on PostgreSQL; SQLite writers already are)."""
    row = conn.execute(_LOCK_PROJECT, {"number": number}).first()
    return None if row is None else int(row[0])


def reserve_revs(conn: Connection, number: str, count: int) -> int:
    """Reserve `count` change numbers for a project; return the first (pull cursors follow them)."""
    top = conn.execute(_RESERVE_REVS, {"project_number": number, "count": count}).scalar_one()
    return int(top) - count + 1


def touch_bundle(conn: Connection, number: str, *, now: datetime) -> None:
    """A project's bundle changed (definition, ticket keys, PIN hashes, staff): a new ETag.

    Its ETag is computed from these two columns alone (sync.server.reports.bundle_etag), so
    every writer of what the bundle holds calls this in its own transaction.
    """
    conn.execute(
        update(t.projects).where(t.projects.c.number == number)
        .values(definition_rev=t.projects.c.definition_rev + 1, updated_at=now)
    )  # fmt: skip


# What Device is made of (the row's other columns are not read on the hot paths).
DEVICE_COLUMNS = tuple(
    t.devices.c[name]
    for name in ("id", "project", "role", "desk_name", "public_key", "seq_start", "state",
                 "ended_at", "end_reason", "frozen_seq")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Lookup:
    """How a request finds its device by token, with columns of its project's row in the same
    statement (locked or not); `of_project` reads those columns for a device handed in."""

    by_token: Select[Any]
    of_project: Select[Any] | None = None


def _lookup(*columns: Any, lock: bool = False) -> Lookup:
    p = t.projects
    by_token = (
        select(*DEVICE_COLUMNS, *columns)
        .join_from(t.devices, p, p.c.number == t.devices.c.project)
        .where(t.devices.c.token_hash == bindparam("token_hash"))
    )  # fmt: skip
    of_project = select(*columns).where(p.c.number == bindparam("number"))
    if lock:
        by_token, of_project = by_token.with_for_update(of=p), of_project.with_for_update()
    return Lookup(by_token, of_project)


# Built once: every request looks its device up by token (building a statement, and its cache
# key, costs more CPU than PostgreSQL spends running it).
DEVICE_ONLY = Lookup(
    select(*DEVICE_COLUMNS).where(t.devices.c.token_hash == bindparam("token_hash"))
)
# Uploads and status reports: the project's row locked (one round trip for both), and its
# definition (the days a record may fall on).
LOCKED = _lookup(t.projects.c.data.label("project_data"), lock=True)
# Pulls: the project's change counter and its bundle's version (reports.changes).
WITH_REVS = _lookup(t.projects.c.rev, t.projects.c.definition_rev, t.projects.c.updated_at)


def _by_token(conn: Connection, token: str, lookup: Lookup) -> tuple[Device, Row[Any]]:
    """The device a bearer token belongs to, whatever its state (401 when none), and the row
    that found it."""
    row = conn.execute(lookup.by_token, {"token_hash": signing.token_hash(token)}).first()
    if row is None:
        raise PlatformError(401, "unauthorized", "unknown or missing device token")
    return Device.from_row(row), row


def known_seq(conn: Connection, device_id: str) -> int:
    """The highest seq of a device the platform received, was told of, or saw signed as its head."""
    d = t.devices.c
    row = conn.execute(
        select(d.seq_start, d.reported_latest, d.head_seq).where(d.id == device_id)
    ).one()
    received = conn.execute(
        select(func.max(t.device_seqs.c.seq)).where(t.device_seqs.c.device_id == device_id)
    ).scalar()
    return max(int(row.seq_start) - 1, int(row.reported_latest or 0), int(row.head_seq or 0),
               int(received or 0))  # fmt: skip


class Platform:
    """The platform's rules over its database; every method is one transaction."""

    def __init__(self, db: Database, *, clock: Clock = utc_now):
        self.db = db
        self.now = clock

    def audit(
        self, conn: Connection, *, actor: str, action: str, project: str | None,
        subject: str = "", detail: str = "",
    ) -> None:  # fmt: skip
        """Append one line to the audit trail."""
        conn.execute(
            insert(t.audit).values(
                at=self.now(), actor=actor, action=action, project=project, subject=subject,
                detail=detail,
            )
        )  # fmt: skip

    # ---- projects and keys -------------------------------------------------------------------

    def create_project(
        self, project: Project, *, actor: str, update_existing: bool = False
    ) -> bool:
        """Create a project with its keys, or update its definition; True if it was new.

        A project whose profile the platform cannot load, or that lacks the submission window's
        figures, is refused (422 `profile_unusable`): no window is decided by a default.
        """
        problems = creation_problems(project)
        if problems:
            raise PlatformError(
                422, "profile_unusable",
                f"project {project.number} refused: {'; '.join(problems)}", problems=problems,
            )  # fmt: skip
        now = self.now()
        data = json.dumps(project_to_dict(project), ensure_ascii=False, sort_keys=True)
        with self.db.write() as conn:
            exists = lock_project(conn, project.number) is not None
            if exists and not update_existing:
                raise PlatformError(409, "project_exists", f"project {project.number} exists")
            if exists:
                conn.execute(
                    update(t.projects).where(t.projects.c.number == project.number).values(
                        data=data, profile=project.profile, last_day=project.last_day.isoformat(),
                        definition_rev=t.projects.c.definition_rev + 1, updated_at=now,
                    )
                )  # fmt: skip
            else:
                conn.execute(
                    insert(t.projects).values(
                        number=project.number, data=data, profile=project.profile,
                        last_day=project.last_day.isoformat(), rev=0, definition_rev=1,
                        denied_hmac_key=signing.new_secret(), created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                self._new_ticket_key(conn, project.number)
            action = "project_update" if exists else "project_create"
            self.audit(conn, actor=actor, action=action, project=project.number)
        return not exists

    def project(self, number: str, conn: Connection | None = None) -> Project:
        """A project's definition; PlatformError 404 if unknown."""
        if conn is None:
            with self.db.read() as c:
                return self.project(number, c)
        data = conn.execute(select(t.projects.c.data).where(t.projects.c.number == number)).first()
        if data is None:
            raise PlatformError(404, "unknown_project", f"no project {number} on this platform")
        return project_from_dict(json.loads(data[0]), source=f"platform:{number}")

    def project_numbers(self) -> list[str]:
        """Every project, sorted."""
        with self.db.read() as conn:
            return list(conn.execute(select(t.projects.c.number).order_by("number")).scalars())

    def _new_ticket_key(self, conn: Connection, number: str) -> str:
        key = signing.new_private_key()
        pub = signing.public_bytes(key)
        kid = signing.key_id(pub)
        conn.execute(
            insert(t.ticket_keys).values(
                project=number, key_id=kid, private_key=signing.private_bytes(key),
                public_key=pub, created_at=self.now(),
            )
        )  # fmt: skip
        return kid

    def ticket_signing_key(self, number: str) -> tuple[str, bytes]:
        """The project's current ticket-signing key: (key id, raw 32-byte private key)."""
        self.project(number)
        with self.db.read() as conn:
            row = conn.execute(
                select(t.ticket_keys.c.key_id, t.ticket_keys.c.private_key)
                .where(t.ticket_keys.c.project == number, t.ticket_keys.c.retired_at.is_(None))
                .order_by(t.ticket_keys.c.created_at.desc())
            ).first()
        if row is None:
            raise PlatformError(404, "no_ticket_key", f"project {number} has no active ticket key")
        if len(bytes(row[1])) != 32:  # a relay mirrors only the public keys
            raise PlatformError(
                409, "mirrored_project", f"project {number} is relayed: tickets are signed upstream"
            )
        return str(row[0]), bytes(row[1])

    def ticket_public_keys(self, number: str, conn: Connection) -> list[tuple[str, bytes]]:
        """(key id, raw public key) of every ticket key still valid for verification."""
        rows = conn.execute(
            select(t.ticket_keys.c.key_id, t.ticket_keys.c.public_key)
            .where(t.ticket_keys.c.project == number, t.ticket_keys.c.retired_at.is_(None))
            .order_by(t.ticket_keys.c.created_at)
        )
        return [(str(r[0]), bytes(r[1])) for r in rows]

    def rotate_ticket_key(self, number: str, *, actor: str, retire_old: bool = False) -> str:
        """Add a new signing key (old tickets stay valid unless retire_old); return its id."""
        with self.db.write() as conn:
            if lock_project(conn, number) is None:
                raise PlatformError(404, "unknown_project", f"no project {number}")
            if retire_old:
                conn.execute(
                    update(t.ticket_keys)
                    .where(t.ticket_keys.c.project == number, t.ticket_keys.c.retired_at.is_(None))
                    .values(retired_at=self.now())
                )
            kid = self._new_ticket_key(conn, number)
            touch_bundle(conn, number, now=self.now())
            self.audit(conn, actor=actor, action="ticket_key_rotate", project=number, subject=kid)
        return kid

    def denied_hmac_key(self, number: str) -> bytes:
        """The key kiosks use for HMACs of refused credentials in this project."""
        with self.db.read() as conn:
            key = conn.execute(
                select(t.projects.c.denied_hmac_key).where(t.projects.c.number == number)
            ).scalar()
        if key is None:
            raise PlatformError(404, "unknown_project", f"no project {number}")
        return bytes(key)

    # ---- enrollment and devices ------------------------------------------------------------

    def enroll_code(
        self, number: str, *, actor: str, role: str = "desk", lifetime: timedelta = CODE_LIFETIME,
        venue: bool = False,
    ) -> tuple[str, datetime]:  # fmt: skip
        """A single-use enrollment code for one project; return (code, expiry).

        A `venue` code is a desk code a kiosk may also redeem at a venue relay of the project,
        with no uplink (sync.server.codes).
        """
        if role not in ("desk", "organizer", "relay"):
            raise PlatformError(422, "invalid_role", "role must be desk, organizer or relay")
        if venue and role != "desk":
            raise PlatformError(422, "invalid_role", "venue codes enroll desks only")
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        verifier = codes.relay_verifier(number, raw) if venue else None
        now = self.now()
        with self.db.write() as conn:
            if lock_project(conn, number) is None:
                raise PlatformError(404, "unknown_project", f"no project {number}")
            if codes.relays_project(conn, number):
                raise PlatformError(
                    409, "relayed_project",
                    f"this server relays {number}: its codes are issued by the platform upstream"
                    f" (`cme-kiosk server enroll-code {number} --venue` there)",
                )  # fmt: skip
            conn.execute(
                insert(t.enroll_codes).values(
                    code_hash=signing.token_hash(raw), project=number, role=role,
                    created_at=now, expires_at=now + lifetime, relay_verifier=verifier,
                )
            )  # fmt: skip
            subject = "desk (venue)" if venue else role
            self.audit(conn, actor=actor, action="enroll_code", project=number, subject=subject)
        return code, now + lifetime

    def enroll(self, req: EnrollRequest) -> Enrollment:
        """Exchange a code for a device id and token (the code is then spent).

        On a venue relay a kiosk may enroll with a venue code the platform upstream issued:
        the relay checks it against the verifiers it carries and keeps it for the kiosk's
        registration upstream.
        """
        now = self.now()
        try:
            signing.public_from_b64(req.public_key)
        except ValueError as exc:  # WeakKey says which: small order, not canonical, all zero
            raise PlatformError(
                422, "invalid_public_key", f"not an acceptable Ed25519 public key: {exc}"
            ) from None
        code_hash = signing.token_hash(normalise_code(req.code))
        c = t.enroll_codes.c
        with self.db.read() as conn:
            known = conn.execute(select(c.code_hash).where(c.code_hash == code_hash)).first()
            # scrypt is slow: computed outside the write transaction, only when needed.
            candidates = {} if known else codes.relay_candidates(conn, req.code)
        with self.db.write() as conn:
            row = conn.execute(select(t.enroll_codes).where(c.code_hash == code_hash)).first()
            venue = None if row else codes.redeem_on_relay(conn, candidates, now=now)
            if row is not None:
                self._check_code(row, now=now)
                project, role = str(row.project), str(row.role)
            elif venue is not None:
                project, role = venue[0], "desk"
            else:
                raise PlatformError(403, "invalid_code", "unknown enrollment code")
            device_id = f"dv-{secrets.token_hex(6)}"
            token = secrets.token_urlsafe(32)  # 256 random bits
            if venue is not None:
                codes.bind_on_relay(conn, project, venue[1], device_id=device_id, code=req.code,
                                    now=now)  # fmt: skip
            else:
                spent = conn.execute(
                    update(t.enroll_codes).where(c.code_hash == code_hash, c.used_at.is_(None))
                    .values(used_at=now, device_id=device_id)
                )  # fmt: skip
                if spent.rowcount != 1:
                    raise PlatformError(403, "code_used", "this enrollment code was already used")
            conn.execute(
                insert(t.devices).values(
                    id=device_id, project=project, role=role, desk_name=req.desk_name,
                    token_hash=signing.token_hash(token),
                    public_key=b64_bytes(req.public_key, size=32),
                    seq_start=req.seq_start, enrolled_at=now, state="active", end_reason="",
                    highest_contiguous=req.seq_start - 1,
                )
            )  # fmt: skip
            self.audit(
                conn, actor=device_id, action="enroll", project=project,
                subject=device_id, detail=f"{role} '{req.desk_name}'",
            )  # fmt: skip
        log.info("enrolled %s %s for %s", role, device_id, project)
        return Enrollment(
            device_id=device_id, token=token, project=project, role=role,  # type: ignore[arg-type]
            desk_name=req.desk_name, server_time=now,
        )  # fmt: skip

    @staticmethod
    def _check_code(row: Row[Any], *, now: datetime) -> None:
        """403 for a spent or expired enrollment code."""
        if row.used_at is not None:
            raise PlatformError(403, "code_used", "this enrollment code was already used")
        if now >= row.expires_at:
            raise PlatformError(
                403, "code_expired", "this enrollment code has expired",
                expired_at=row.expires_at.isoformat(),
            )  # fmt: skip

    def authenticate(self, token: str) -> Device:
        """The device a bearer token belongs to; 401 unknown, 403 revoked (recorded)."""
        with self.db.lookup() as conn:
            device, _ = _by_token(conn, token, DEVICE_ONLY)
        if device.state == "revoked":
            self._refuse_revoked(device)
        return device

    @contextmanager
    def write_as(self, caller: Caller) -> Iterator[tuple[Connection, Device, str | None]]:
        """A write transaction holding the calling device's project lock: (connection, device,
        the project's stored definition). A token is looked up in the locking statement (401,
        403 revoked as `authenticate`); the device is as it was before any wait for the lock."""
        with self.found_as(caller, LOCKED, self.db.write) as (conn, device, row):
            yield conn, device, None if row is None else row.project_data

    @contextmanager
    def read_as(self, caller: Caller) -> Iterator[tuple[Connection, Device]]:
        """A read-only snapshot and the calling device (401, 403 revoked as `authenticate`)."""
        with self.found_as(caller, DEVICE_ONLY, self.db.read) as (conn, device, _):
            yield conn, device

    @contextmanager
    def lookup_as(self, caller: Caller) -> Iterator[tuple[Connection, Device]]:
        """Reads without a snapshot (`Database.lookup`) and the calling device, as `read_as`."""
        with self.found_as(caller, DEVICE_ONLY, self.db.lookup) as (conn, device, _):
            yield conn, device

    @contextmanager
    def found_as(
        self, caller: Caller, lookup: Lookup,
        opened: Callable[[], AbstractContextManager[Connection]],
    ) -> Iterator[tuple[Connection, Device, Row[Any] | None]]:  # fmt: skip
        """A connection from `opened`, the calling device and the `lookup`'s project columns
        (None: a device handed in whose project is gone), as `read_as`."""
        # One pooled connection a request: the token is looked up on the one the request uses.
        with opened() as conn:
            if isinstance(caller, Device):
                # Judged by its caller (records of a revoked one are refused one by one).
                columns = None
                if lookup.of_project is not None:
                    columns = conn.execute(lookup.of_project, {"number": caller.project}).first()
                yield conn, caller, columns
                return
            device, row = _by_token(conn, caller.token, lookup)
            if device.state != "revoked":
                yield conn, device, row
                return
        self._refuse_revoked(device)  # once the connection is given back

    def _refuse_revoked(self, device: Device) -> None:
        with self.db.write() as conn:
            self.audit(
                conn, actor=device.id, action="refused_revoked", project=device.project,
                subject=device.id, detail="request from a revoked device refused",
            )  # fmt: skip
        raise PlatformError(
            403, "device_revoked", f"this device was revoked: {device.end_reason}",
            reason=device.end_reason,
            revoked_at=device.ended_at.isoformat() if device.ended_at else None,
        )  # fmt: skip

    def device(self, device_id: str, conn: Connection) -> Device:
        """A device by id; 404 if unknown."""
        row = conn.execute(select(t.devices).where(t.devices.c.id == device_id)).first()
        if row is None:
            raise PlatformError(404, "unknown_device", f"no device {device_id}")
        return Device.from_row(row)

    def end_device(
        self, device_id: str, *, state: str, reason: str, actor: str, at: datetime | None = None
    ) -> Device:
        """Retire (its records so far still accepted) or revoke (token refused) a device.

        Either way the device's sequence numbers are frozen at the highest one the platform has
        seen or been told of (records, reports, signed heads): later records are refused
        whatever their clocks say, and the device can no longer pull or report.
        """
        if state not in ("retired", "revoked"):
            raise ValueError(state)
        if not reason.strip():
            raise PlatformError(422, "reason_required", f"say why the device is {state}")
        when = at or self.now()
        with self.db.write() as conn:
            # The project's lock, then the state: an upload or another end in another process
            # either committed before it or waits for this one.
            lock_project(conn, self.device(device_id, conn).project)
            device = self.device(device_id, conn)
            if device.state == "revoked":
                raise PlatformError(409, "already_revoked", f"{device_id} is already revoked")
            if device.state == state:
                raise PlatformError(409, f"already_{state}", f"{device_id} is already {state}")
            frozen = (
                device.frozen_seq if device.frozen_seq is not None else known_seq(conn, device_id)
            )
            conn.execute(
                update(t.devices).where(t.devices.c.id == device_id)
                .values(state=state, ended_at=when, end_reason=reason.strip(), frozen_seq=frozen)
            )  # fmt: skip
            action = "retire" if state == "retired" else "revoke"
            self.audit(
                conn, actor=actor, action=action, project=device.project, subject=device_id,
                detail=reason.strip(),
            )  # fmt: skip
            return self.device(device_id, conn)

    def audit_log(self, project: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first (optionally one project's)."""
        query = select(t.audit).order_by(t.audit.c.id)
        if project is not None:
            query = query.where(t.audit.c.project == project)
        with self.db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def count(self, table: Any, project: str) -> int:
        """Rows of one project in a table."""
        with self.db.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(table).where(table.c.project == project)
                ).scalar_one()
            )
