"""The kiosk's local store: one SQLite file; a check-in is committed before anything confirms it.

`Store` joins the roster, records and outbox parts; personal fields are sealed with AES-GCM and
looked up through keyed HMAC columns; the keys live in `keys/` beside the database (0700/0600) or
in the OS keyring, never in the database, so a copied database file alone reveals nothing personal.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.core.timeutil import end_of_local_day, to_utc
from sync import keys
from sync.db import connect
from sync.store_base import FieldCipher, PlainFields
from sync.store_keys import KeysMixin
from sync.store_outbox import OutboxMixin
from sync.store_records import StoredEvent, templates_revision_key

__all__ = ["FieldCipher", "PlainFields", "Store", "StoredEvent"]

log = logging.getLogger(__name__)


class Store(KeysMixin, OutboxMixin):
    """The kiosk database; safe to share between threads."""

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        key_dir: Path | None = None,
        index_key: bytes | None = None,
        cipher: FieldCipher | None = None,
        use_keyring: bool = False,
    ) -> Store:
        """Open or create the store; keys default to `keys/` beside the database."""
        kdir = key_dir or path.parent / "keys"
        index = index_key or keys.secret_key(kdir, "index", use_keyring=use_keyring)
        fields = cipher or keys.AesGcmFields(
            keys.secret_key(kdir, "fields", use_keyring=use_keyring)
        )
        return cls(
            connect(path),
            path=path,
            index_key=index,
            cipher=fields,
            device_key=keys.device_key(kdir),
        )

    def device_public_key(self) -> str:
        """The device's Ed25519 public key, base64 (registered with the platform at enrollment)."""
        return keys.public_key_b64(self._device_key)

    def mark_submitted(self, project: str, at: datetime) -> None:
        """Record when the platform accepted the submission (retention counts from it)."""
        with self._write("saving submission time") as c:
            c.execute(
                "UPDATE projects SET submitted_at = ? WHERE number = ?",
                (to_utc(at).isoformat(), project),
            )

    def purge_due(
        self, *, now: datetime, after_submission: timedelta, if_never_submitted: timedelta
    ) -> list[str]:
        """Purge every project whose retention has ended; return their numbers."""
        rows = self._read(
            "SELECT number, submitted_at, last_day FROM projects WHERE purged_at IS NULL"
        )
        purged = []
        for number, submitted_at, last_day in rows:
            if submitted_at:
                due = datetime.fromisoformat(submitted_at) + after_submission
            else:
                due = end_of_local_day(datetime.fromisoformat(last_day).date()) + if_never_submitted
            if now >= due:
                self.purge_project(number, now=now)
                purged.append(number)
        return purged

    def purge_project(self, number: str, *, now: datetime) -> None:
        """Delete a project's roster, templates, photos and secrets; keep the bare records."""
        with self._write("purging personal data") as c:
            counts = {}
            tables = ("face_templates", "evidence", "card_uids", "attendees",
                      "attendee_secrets", "project_keys", "used_slots",
                      "remote_events")  # fmt: skip
            for table in tables:
                cur = c.execute(f"DELETE FROM {table} WHERE project = ?", (number,))  # noqa: S608
                counts[table] = cur.rowcount
            # A running desk in another process follows this key and drops the templates too.
            c.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (templates_revision_key(number), f"purged:{to_utc(now).isoformat()}"),
            )
            # The project definition names its speakers by ID number: it goes too.
            c.execute(
                "UPDATE projects SET data = '', purged_at = ? WHERE number = ?",
                (to_utc(now).isoformat(), number),
            )
        # Records are kept: they hold attendee references only, and the platform has them already.
        log.info(
            "purged project %s: %s",
            number,
            ", ".join(f"{n} {t}" for t, n in counts.items() if n),
        )
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
