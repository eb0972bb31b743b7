"""The kiosk's local store: one SQLite file; a check-in is committed before anything confirms it.

`Store` is one database object (`store.db`) with its parts over it: `store.roster`,
`store.records`, `store.outbox` and `store.keys`. Personal fields are sealed with AES-GCM and
looked up through keyed HMAC columns; the keys live in `keys/` beside the database (0700/0600) or
in the OS keyring, never in the database, so a copied database file alone reveals nothing personal.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.core.timeutil import end_of_local_day, to_utc
from sync.store import key_files
from sync.store.database import FieldCipher, LocalDb
from sync.store.outbox import OutboxRows
from sync.store.project_keys import ProjectKeys
from sync.store.records import Records, templates_revision_key
from sync.store.roster import Roster
from sync.store.sqlite import connect

log = logging.getLogger("sync.store")

# Tables holding a project's personal data or secrets: a purge empties them for the project.
_PERSONAL_TABLES = ("face_templates", "evidence", "card_uids", "attendees", "attendee_secrets",
                    "project_keys", "used_slots", "remote_events")  # fmt: skip


def _new_database(path: Path) -> bool:
    """No database yet (or an empty file a crashed first start left): its keys may be made."""
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        return True


class Store:
    """The kiosk database and its parts; safe to share between threads."""

    def __init__(self, db: LocalDb, *, device_key: Ed25519PrivateKey):
        self.db = db
        self.path = db.path
        self._device_key = device_key
        self.roster = Roster(db)
        self.records = Records(db, roster=self.roster, device_key=device_key)
        self.outbox = OutboxRows(db, roster=self.roster, records=self.records)
        self.keys = ProjectKeys(db)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        key_dir: Path | None = None,
        index_key: bytes | None = None,
        cipher: FieldCipher | None = None,
        use_keyring: bool = False,
        create_keys: bool | None = None,
    ) -> Store:
        """Open or create the store; keys default to `keys/` beside the database.

        Keys are made only with a new database: an existing one without its keys raises
        KeysMissing (a fresh key would seal nothing it holds and sign a chain not its own).
        """
        kdir = key_dir or path.parent / "keys"
        create = create_keys if create_keys is not None else _new_database(path)
        index = index_key or key_files.secret_key(
            kdir, "index", use_keyring=use_keyring, create=create
        )
        fields = cipher or key_files.AesGcmFields(
            key_files.secret_key(kdir, "fields", use_keyring=use_keyring, create=create)
        )
        device = key_files.device_key(kdir, create=create)
        db = LocalDb(connect(path), path=path, index_key=index, cipher=fields)
        return cls(db, device_key=device)

    def close(self) -> None:
        """Close the database (checkpointing the WAL)."""
        self.db.close()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the meta table."""
        return self.db.get_meta(key, default)

    def set_meta(self, key: str, value: str) -> None:
        """Set a meta value durably."""
        self.db.set_meta(key, value)

    def device_public_key(self) -> str:
        """The device's Ed25519 public key, base64 (registered with the platform at enrollment)."""
        return key_files.public_key_b64(self._device_key)

    def device_verify_key(self) -> Ed25519PublicKey:
        """The device's public key, to verify its own chain (`cme-kiosk verify`)."""
        return self._device_key.public_key()

    def mark_submitted(self, project: str, at: datetime) -> None:
        """Record when the platform accepted the submission (retention counts from it)."""
        with self.db.write("saving submission time") as c:
            c.execute(
                "UPDATE projects SET submitted_at = ? WHERE number = ?",
                (to_utc(at).isoformat(), project),
            )

    def purge_due(
        self, *, now: datetime, after_submission: timedelta, if_never_submitted: timedelta
    ) -> list[str]:
        """Purge every project whose retention has ended; return their numbers."""
        rows = self.db.read(
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
        with self.db.write("purging personal data") as c:
            counts = {}
            for table in _PERSONAL_TABLES:
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
        self.db.checkpoint()
