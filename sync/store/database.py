"""The kiosk store's one database object: a connection, its lock, the keyed index, sealed fields."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from kiosk.core.ids import normalise
from sync.store.sqlite import storage_error, transaction

log = logging.getLogger("sync.store")


class FieldCipher(Protocol):
    """Seals personal fields at rest (AES-GCM in production; identity only in unit tests)."""

    def seal(self, text: str) -> str:
        """Encrypt one text field for storage."""

    def unseal(self, stored: str) -> str:
        """Decrypt one stored text field."""

    def seal_bytes(self, data: bytes) -> bytes:
        """Encrypt one blob."""

    def unseal_bytes(self, blob: bytes) -> bytes:
        """Decrypt one blob."""


class PlainFields:
    """No encryption, for tests that read the raw file on purpose."""

    def seal(self, text: str) -> str:
        """Return the text unchanged."""
        return text

    def unseal(self, stored: str) -> str:
        """Return the stored text unchanged."""
        return stored

    def seal_bytes(self, data: bytes) -> bytes:
        """Return the blob unchanged."""
        return data

    def unseal_bytes(self, blob: bytes) -> bytes:
        """Return the blob unchanged."""
        return blob


class LocalDb:
    """Thread-safe access to the kiosk database (one connection, serialised by a lock)."""

    def __init__(
        self, conn: sqlite3.Connection, *, path: Path, index_key: bytes, cipher: FieldCipher
    ):
        self._conn = conn
        self.lock = threading.RLock()
        self.path = path
        self._index_key = index_key
        self.cipher = cipher

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self.lock:
            self._conn.close()

    @contextmanager
    def write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; storage failures raise StorageUnavailable, none half-done."""
        with self.lock:
            try:
                with transaction(self._conn) as conn:
                    yield conn
            except sqlite3.Error as exc:
                err = storage_error(exc, action=action)
                if err is None:
                    raise
                log.error("storage refused %s: %s", action, exc)
                raise err from exc

    def read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        """Every row of one query, under the lock."""
        with self.lock:
            return list(self._conn.execute(sql, params))

    def pragma(self, name: str) -> object:
        """Read back (or set) a PRAGMA: tests prove journal_mode and synchronous, fill the disk."""
        rows = self.read(f"PRAGMA {name}")
        return rows[0][0] if rows else None

    def checkpoint(self) -> None:
        """Fold the WAL into the database file and truncate it (after a purge)."""
        with self.lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def index(self, value: str) -> bytes:
        """Keyed HMAC of a normalised identifier: the only way personal fields are looked up."""
        return hmac.new(self._index_key, normalise(value).encode(), hashlib.sha256).digest()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the meta table."""
        rows = self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else default

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value durably."""
        with self.write("saving settings") as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def backup(self, dest: Path) -> None:
        """A consistent copy through SQLite's online backup API while the kiosk keeps running."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(dest, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(fd)
        target = sqlite3.connect(dest)
        try:
            with self.lock:
                self._conn.backup(target)
        finally:
            target.close()
        os.chmod(dest, 0o600)
