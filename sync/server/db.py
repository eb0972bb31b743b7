"""The platform's database via SQLAlchemy Core: SQLite (default, a 0600 file) or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones: they are added back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive values; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the platform database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Always hand back aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()
_S = String(64)

projects = Table(
    "projects", metadata,
    Column("number", _S, primary_key=True),
    Column("data", Text, nullable=False),  # project_to_dict as JSON
    Column("profile", _S, nullable=False),
    Column("last_day", String(10), nullable=False),
    Column("denied_hmac_key", LargeBinary, nullable=False),
    Column("rev", BigInteger, nullable=False, default=0),  # change counter for incremental pulls
    Column("definition_rev", BigInteger, nullable=False, default=1),  # part of the bundle's ETag
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)  # fmt: skip

ticket_keys = Table(
    "ticket_keys", metadata,
    Column("project", _S, ForeignKey("projects.number"), primary_key=True),
    Column("key_id", String(16), primary_key=True),
    Column("private_key", LargeBinary, nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime),
)  # fmt: skip

attendees = Table(
    "attendees", metadata,
    Column("project", _S, ForeignKey("projects.number"), primary_key=True),
    Column("ref", _S, primary_key=True),
    Column("id_type", String(32), nullable=False),
    Column("id_number", String(32), nullable=False),
    Column("name", String(100), nullable=False),
    Column("unit", String(200), nullable=False, default=""),
    Column("department", String(200), nullable=False, default=""),
    Column("title", String(200), nullable=False, default=""),
    Column("role", String(16), nullable=False, default="participant"),
    Column("card_uids", Text, nullable=False, default="[]"),  # JSON list
    Column("qr_secret", LargeBinary, nullable=False),
    Column("rev", BigInteger, nullable=False),
    UniqueConstraint("project", "id_type", "id_number", name="attendees_document"),
)  # fmt: skip
Index("attendees_by_rev", attendees.c.project, attendees.c.rev)

enroll_codes = Table(
    "enroll_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("project", _S, ForeignKey("projects.number"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("device_id", _S),
    # scrypt of the code under the project (sync.server.codes): what a venue relay carries to
    # check a desk code with no uplink; the code itself only its holder knows.
    Column("relay_verifier", String(64)),
    Column("mirrored_at", UtcDateTime),  # first handed to one of the project's relays
)  # fmt: skip

devices = Table(
    "devices", metadata,
    Column("id", _S, primary_key=True),
    Column("project", _S, ForeignKey("projects.number"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("desk_name", String(40), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("seq_start", BigInteger, nullable=False, default=1),
    Column("enrolled_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False, default="active"),
    Column("ended_at", UtcDateTime),  # retirement or revocation instant
    Column("end_reason", Text, nullable=False, default=""),
    Column("reported_latest", BigInteger),
    Column("reported_at", UtcDateTime),
    Column("highest_contiguous", BigInteger, nullable=False, default=0),
    # Frozen when the device is retired or revoked: the highest seq seen or told of. Records up
    # to it are still judged; later ones are refused whatever their clocks say.
    Column("frozen_seq", BigInteger),
    # The device's signed chain head (seq, hash, signature) from its latest status report.
    Column("head_seq", BigInteger),
    Column("head_hash", String(64)),
    Column("head_signature", String(100)),
    Column("head_at", UtcDateTime),
)  # fmt: skip

# Sequence numbers received from each device (accepted records, and refused records whose
# signature proved they are the device's): completeness is counted here, never from clocks.
device_seqs = Table(
    "device_seqs", metadata,
    Column("device_id", _S, primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
)  # fmt: skip

events = Table(
    "events", metadata,
    Column("uuid", String(36), primary_key=True),
    Column("project", _S, ForeignKey("projects.number"), nullable=False),
    Column("device_id", _S, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("attendee_id", _S, nullable=False),
    Column("direction", String(3), nullable=False),
    Column("method", String(16), nullable=False),
    Column("scanned_at_text", String(40), nullable=False),  # exactly as signed
    Column("scanned_at", UtcDateTime, nullable=False),  # the device's instant
    Column("effective_at", UtcDateTime, nullable=False),  # corrected by the learned offset
    Column("utc_offset_minutes", Integer, nullable=False),
    Column("server_offset_ms", BigInteger),
    Column("evidence_ref", String(100)),
    Column("flags", Text, nullable=False),  # the device's flags, JSON text as signed
    Column("server_flags", Text, nullable=False, default="[]"),  # the platform's own findings
    Column("conflict", Boolean, nullable=False, default=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("rev", BigInteger, nullable=False),
    # Staff records (revision staff1): the optional signed fields, and what undid a record.
    Column("kind", String(12), nullable=False, server_default="checkin"),
    Column("staff_id", _S),
    Column("note", Text),
    Column("refers_to", _S),
    Column("receipt", Text),
    Column("voided_by", String(36)),
)  # fmt: skip
Index("events_by_attendee", events.c.project, events.c.attendee_id)
Index("events_by_rev", events.c.project, events.c.rev)
Index("events_by_device", events.c.device_id, events.c.seq)

rejected = Table(
    "rejected", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False),
    Column("device_id", _S, nullable=False),
    Column("project", _S, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("uuid", "device_id", name="rejected_once"),
)  # fmt: skip

denied = Table(
    "denied", metadata,
    Column("uuid", String(36), primary_key=True),
    Column("project", _S, ForeignKey("projects.number"), nullable=False),
    Column("device_id", _S, nullable=False),
    Column("method", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("credential_hmac", String(64)),
    Column("scanned_at", UtcDateTime, nullable=False),
    Column("utc_offset_minutes", Integer, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)  # fmt: skip

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", _S, ForeignKey("projects.number"), nullable=False),
    Column("device_id", _S, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("lines", Integer, nullable=False),
    Column("body", Text, nullable=False),
)  # fmt: skip

desk_pins = Table(
    "desk_pins", metadata,
    Column("project", _S, ForeignKey("projects.number"), primary_key=True),
    Column("role", String(16), primary_key=True),  # staff | organizer
    Column("pin_hash", String(200), nullable=False),  # argon2id; the PIN itself is never stored
    Column("set_at", UtcDateTime, nullable=False),
)  # fmt: skip

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("project", _S),
    Column("subject", String(100), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)  # fmt: skip


# The full text of refused records whose signature proved them the device's: a venue relay
# forwards them verbatim so the platform counts their sequence numbers too.
rejected_bodies = Table(
    "rejected_bodies", metadata,
    Column("uuid", String(36), primary_key=True),
    Column("device_id", _S, primary_key=True),
    Column("project", _S, nullable=False),
    Column("body", Text, nullable=False),  # the EventRecord as received (JSON)
)  # fmt: skip

# ---- the organizer's corrections, uploaded with the submission (idempotent by id) --------------
corrections = Table(
    "corrections", metadata,
    Column("id", String(36), primary_key=True),
    Column("project", _S, ForeignKey("projects.number"), nullable=False),
    Column("device_id", _S, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("made_by", String(100), nullable=False),
    Column("made_at", UtcDateTime, nullable=False),
    Column("body", Text, nullable=False),  # the CorrectionEntry as uploaded (JSON)
    Column("hash", String(64), nullable=False),  # of the body: same id, other body is refused
    Column("received_at", UtcDateTime, nullable=False),
)  # fmt: skip
Index("corrections_by_project", corrections.c.project, corrections.c.made_at)

# ---- venue relay, upstream side: which relay registered which kiosk ----------------------------
relay_devices = Table(
    "relay_devices", metadata,
    Column("device_id", _S, ForeignKey("devices.id"), primary_key=True),
    Column("relay_id", _S, ForeignKey("devices.id"), nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    # The enrollment code this platform issued for the kiosk (its hash): NULL means untraced,
    # and an untraced kiosk's records are refused.
    Column("code_hash", String(64)),
)  # fmt: skip

# Records a desk gave up on (its dead letters), each as the desk's signed refusal stub: the
# platform counts the seq for completeness and shows the stub to the organizer.
refusal_stubs = Table(
    "refusal_stubs", metadata,
    Column("device_id", _S, primary_key=True),
    Column("uuid", String(36), primary_key=True),
    Column("project", _S, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)  # fmt: skip

# ---- venue relay, relay side: its enrollment upstream and what it has forwarded ----------------
relay_links = Table(
    "relay_links", metadata,
    Column("project", _S, primary_key=True),
    Column("upstream_url", Text, nullable=False),
    Column("ca_bundle", Text),
    Column("pinned_sha256", String(64)),
    Column("device_id", _S, nullable=False),  # the relay's own device id upstream
    Column("token", Text, nullable=False),  # its bearer token upstream: a secret, never logged
    Column("private_key", LargeBinary, nullable=False),
    Column("enrolled_at", UtcDateTime, nullable=False),
    Column("bundle_etag", String(80)),
    Column("pull_cursor", String(20), nullable=False, default="0"),
    Column("last_attempt", UtcDateTime),
    Column("last_success", UtcDateTime),
    Column("last_error", Text, nullable=False, default=""),
)  # fmt: skip

relay_registered = Table(
    "relay_registered", metadata,
    Column("device_id", _S, primary_key=True),
    Column("project", _S, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("upstream_state", String(16), nullable=False, default="active"),
    Column("reported_latest", BigInteger),  # the latest seq last forwarded for the kiosk
)  # fmt: skip

# Desk codes the platform upstream issued, as verifiers this relay checks offline.
relay_codes = Table(
    "relay_codes", metadata,
    Column("project", _S, primary_key=True),
    Column("verifier", String(64), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("device_id", _S),  # the kiosk that enrolled here with it
    Column("code", Text),  # that kiosk's code, forwarded upstream at registration: a secret
    Column("used_at", UtcDateTime),
)  # fmt: skip

relay_forwarded = Table(
    "relay_forwarded", metadata,
    Column("kind", String(8), primary_key=True),  # event | refused | denied
    Column("uuid", String(36), primary_key=True),
    Column("project", _S, nullable=False),
    Column("device_id", _S, nullable=False),
    Column("status", String(16), nullable=False),  # the platform's answer
    Column("reason", String(64), nullable=False, default=""),
    Column("answered_at", UtcDateTime, nullable=False),
)  # fmt: skip

# A project's named staff (sync.server.staff): desks pull the active members with the bundle.
staff = Table(
    "staff", metadata,
    Column("project", _S, ForeignKey("projects.number"), primary_key=True),
    Column("staff_id", String(16), primary_key=True),  # S1, S2, … never reused
    Column("name", String(100), nullable=False),
    Column("role", String(8), nullable=False),  # staff | lead
    Column("pin_hash", String(200), nullable=False),  # argon2id; the PIN itself is never stored
    Column("added_at", UtcDateTime, nullable=False),
    Column("removed_at", UtcDateTime),  # kept: old records still name the member
)  # fmt: skip

# Identities of people a desk admitted under a provisional reference (sync.server.walkins).
walk_ins = Table(
    "walk_ins", metadata,
    Column("project", _S, ForeignKey("projects.number"), primary_key=True),
    Column("attendee_id", _S, primary_key=True),
    Column("id_type", String(32), nullable=False),
    Column("id_number", String(32), nullable=False),
    Column("name", String(100), nullable=False),
    Column("unit", String(200), nullable=False, default=""),
    Column("device_id", _S, nullable=False),
    Column("roster_ref", _S),  # the roster entry with the same document, if the desk lacked it
    Column("received_at", UtcDateTime, nullable=False),
)  # fmt: skip


# ---- the credit ledger: each person's accepted grants across projects (sync.server.ledger) -----
# One row per project and person, replaced by the project's latest accepted submission. The
# yearly caps are applied over it in order of activity date, never stored.
ledger_grants = Table(
    "ledger_grants", metadata,
    Column("project", _S, ForeignKey("projects.number"), primary_key=True),
    Column("id_number", String(32), primary_key=True),  # the person across projects
    Column("attendee_id", _S, nullable=False),  # the project's reference
    Column("kind", String(40), nullable=False),  # the project's form (face_to_face, remote, …)
    Column("credit_year", Integer, nullable=False),  # under the project's profile
    Column("activity_date", String(10), nullable=False),  # ISO day the credits are dated
    Column("credits", String(12), nullable=False),  # decimal text: exact on every backend
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)  # fmt: skip
Index("ledger_by_person", ledger_grants.c.id_number, ledger_grants.c.credit_year)

# People the profiles' yearly-cap exemption covers (primary-care staff), set by the admin.
cap_exemptions = Table(
    "cap_exemptions", metadata,
    Column("id_number", String(32), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("set_at", UtcDateTime, nullable=False),
)  # fmt: skip


def normalise_url(url_or_path: str) -> str:
    """A SQLAlchemy URL from a URL or a plain file path; PostgreSQL always through psycopg 3."""
    if "://" not in url_or_path:
        return f"sqlite:///{Path(url_or_path).expanduser().resolve()}"
    for plain in ("postgresql://", "postgres://"):
        if url_or_path.startswith(plain):
            return "postgresql+psycopg://" + url_or_path[len(plain) :]
    return url_or_path


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _prepare_sqlite_file(path: Path) -> None:
    """Create the database file 0600 (its directory 0700) before SQLite writes a byte."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """One process's connections to PostgreSQL and how long anything waits (docs/scale.md).

    Every wait is bounded, so an overloaded or unreachable database is an answer (503 with
    Retry-After, sync.server.unavailable) and never a hung request: `timeout_s` for a pooled
    connection, `lock_timeout_ms` for a row lock (a project's writers queue on it),
    `idle_in_transaction_ms` for a transaction whose process froze holding locks.
    """

    size: int = 20
    # Connections beyond `size` are opened for a burst and closed after it: under a steady load
    # that is a PostgreSQL connection set up and torn down per request. None, by default.
    overflow: int = 0
    timeout_s: float = 10.0
    lock_timeout_ms: int = 15_000
    idle_in_transaction_ms: int = 60_000

    def connect_args(self) -> dict[str, Any]:
        """psycopg connection arguments: the timeouts, and a name saying which process it is."""
        options = (
            f"-c lock_timeout={self.lock_timeout_ms}"
            f" -c idle_in_transaction_session_timeout={self.idle_in_transaction_ms}"
        )
        # pg_stat_activity then shows which worker holds which connection (and tests find it).
        return {
            "options": options, "connect_timeout": 5,
            "application_name": f"cme-kiosk pid {os.getpid()}",
        }  # fmt: skip


class Database:
    """An engine with write transactions that serialise (BEGIN IMMEDIATE on SQLite).

    Opening one does not touch the schema: sync.server.schema creates and upgrades it.
    PostgreSQL connections come from a pool checked before use (pre-ping: a restarted database
    costs one failed request, not a stream of dead connections), sized by `pool`.
    """

    def __init__(self, url: str, *, pool: PoolSettings | None = None):
        self.url = normalise_url(url)
        self.pool = pool or PoolSettings()
        file = _sqlite_file(self.url)
        if file is not None:
            _prepare_sqlite_file(file)
            self.engine: Engine = create_engine(
                self.url, connect_args={"timeout": 30, "check_same_thread": False}
            )
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(
                self.url, pool_size=self.pool.size, max_overflow=self.pool.overflow,
                pool_timeout=self.pool.timeout_s, pool_pre_ping=True,
                connect_args=self.pool.connect_args(),
            )  # fmt: skip
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if file is not None:
            for suffix in ("-wal", "-shm"):
                extra = Path(str(file) + suffix)
                if extra.exists():
                    os.chmod(extra, 0o600)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, committed on success, rolled back on any error."""
        with self.engine.connect().execution_options(cme_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def lookup(self) -> Iterator[Connection]:
        """For one-statement reads on the hot path (a device's token): no BEGIN and COMMIT.

        On PostgreSQL the statement runs in autocommit, which saves two round trips per
        request; one statement sees one consistent state either way. SQLite: as read().
        """
        if self.is_sqlite:
            with self.read() as conn:
                yield conn
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def insert_new(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    returning: Column[Any] | None = None,
) -> list[Any]:
    """Insert the rows whose key is not there yet (ON CONFLICT DO NOTHING); with `returning`,
    that column of the rows actually inserted.

    For rows two server processes may insert at once: checking first and then inserting would
    let both pass the check, and the second would fail on the key. One statement, too.
    """
    if not rows:
        return []
    key = (conn.dialect.name, table.name, None if returning is None else returning.name)
    stmt = _INSERT_NEW.get(key)
    if stmt is None:
        stmt = _INSERT_NEW[key] = _insert_new(conn.dialect.name, table, returning)
    if returning is None:
        conn.execute(stmt, rows)
        return []
    return list(conn.execute(stmt, rows).scalars())


# Built once per table (an upload runs one): a statement built anew costs its cache key each time.
_INSERT_NEW: dict[tuple[str, str, str | None], Any] = {}


def _insert_new(dialect: str, table: Table, returning: Column[Any] | None) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).on_conflict_do_nothing()
    else:
        raise ValueError(f"the platform does not support {dialect}")
    return stmt if returning is None else stmt.returning(returning)


def _sqlite_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin); pysqlite must not.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the lock up front, so two uploads never deadlock upgrading a read lock.
    immediate = conn.get_execution_options().get("cme_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
