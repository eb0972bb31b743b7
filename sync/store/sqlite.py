"""SQLite connections for the kiosk store: durable PRAGMAs, numbered migrations, storage errors."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from kiosk.core.errors import StorageUnavailable

log = logging.getLogger(__name__)

# sqlite3 result codes (primary codes; extended codes keep them in the low byte).
SQLITE_FULL = 13
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CANTOPEN = 14


def _migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every sync/store/migrations/NNNN_*.sql, in order."""
    found = []
    for entry in resources.files("sync.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001.. without gaps, found {numbers}")
    return found


def storage_error(exc: sqlite3.Error, *, action: str) -> StorageUnavailable | None:
    """Translate disk-full / read-only / I/O errors into StorageUnavailable; None for others."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary == SQLITE_FULL or "disk is full" in text:
        return StorageUnavailable(f"{action}: disk full ({exc})")
    if primary == SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return StorageUnavailable(
            f"{action}: database is read-only ({exc})",
            screen_zh="数据库只读，暂停签到，请联系工作人员",
            screen_en="Database is read-only: check-in paused, please call staff",
        )
    if primary in (SQLITE_IOERR, SQLITE_CANTOPEN):
        return StorageUnavailable(f"{action}: storage I/O error ({exc})")
    return None


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating 0600 if new) with WAL, synchronous=FULL and foreign keys; run migrations."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Create the file ourselves so it is 0600 from the first byte, before SQLite writes to it.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (purged rosters, withdrawn templates) are overwritten, not left behind.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        migrate(conn)
    except sqlite3.Error as exc:
        conn.close()
        err = storage_error(exc, action=f"opening {path}")
        if err is not None:
            raise err from exc
        raise
    _restrict_files(path)
    return conn


def _restrict_files(path: Path) -> None:
    """The WAL and shared-memory files hold the same personal data: keep them 0600 too."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            try:
                os.chmod(p, 0o600)
            except OSError as exc:  # a read-only mount: nothing to fix, and nothing to leak further
                log.warning("cannot restrict %s: %s", p, exc)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations inside one transaction each; return the schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for number, name, sql in _migrations():
        if number <= version:
            continue
        log.info("applying migration %s", name)
        with transaction(conn):
            # executescript would COMMIT implicitly: run the statements inside our transaction.
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={number}")
        version = number
    return version


def _split_sql(sql: str) -> Iterator[str]:
    """Split a migration file into statements (our files have no semicolons inside literals)."""
    lines = [ln for ln in sql.splitlines() if not ln.strip().startswith("--")]
    for stmt in "\n".join(lines).split(";"):
        if stmt.strip():
            yield stmt


@contextmanager
def transaction(
    conn: sqlite3.Connection, *, immediate: bool = True
) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolling back on any error: a full disk leaves nothing half-done."""
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
        # COMMIT itself can fail (SQLITE_FULL while writing the WAL): roll back explicitly then too.
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error as exc:  # the original error is the one worth reporting
                log.error("rollback failed: %s", exc)
        raise
