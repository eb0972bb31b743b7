"""The platform's schema under Alembic: its revisions ship inside this package, in migrations/.

A fresh (empty) database is brought to the newest revision by any server command. A database at
an older revision, or one created before migrations (today's tables without alembic_version), is
refused until `cme-kiosk server migrate` upgrades it. Every schema change is a new revision
(docs/protocol.md, "The platform's schema").
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from sync.server.db import Database, PoolSettings

log = logging.getLogger(__name__)

MIGRATE = "cme-kiosk server migrate"
BASELINE = "0001"  # the schema metadata.create_all made before migrations
_VERSION_TABLE = "alembic_version"
_LOCK_KEY = 0x636D656B  # PostgreSQL advisory lock: one migrator at a time ("cmek")


class SchemaOutOfDate(Exception):
    """The database's schema is not the one this version of the platform needs."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands: its revision, none (empty), or tables from before migrations."""

    revision: str | None
    empty: bool = False
    unversioned: bool = False  # tables made by create_all before migrations existed

    def describe(self) -> str:
        """A few words for a message."""
        if self.empty:
            return "empty"
        if self.unversioned:
            return "created before migrations"
        return f"at revision {self.revision}"


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration: the revisions in this package, run on `connection`."""
    cfg = Config()
    cfg.set_main_option("script_location", "sync.server:migrations")
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """(head, every revision) of the migrations shipped with this version (read once)."""
    script = ScriptDirectory.from_config(config())
    found = script.get_current_head()
    if found is None:
        raise RuntimeError("the platform's migrations have no head revision")
    return found, frozenset(s.revision for s in script.walk_revisions())


def head() -> str:
    """The newest revision this version of the platform knows."""
    return _revisions()[0]


def next_revision_id() -> str:
    """The id a new revision gets: one past the highest numbered one (named ids are skipped)."""
    numbered = [int(r) for r in _revisions()[1] if r.isdigit()]
    return f"{max(numbered, default=0) + 1:04d}"


def _state(conn: Connection) -> SchemaState:
    tables = set(inspect(conn).get_table_names())
    if _VERSION_TABLE not in tables:
        return SchemaState(None, empty=not tables, unversioned=bool(tables))
    return SchemaState(MigrationContext.configure(conn).get_current_revision())


def state(db: Database) -> SchemaState:
    """Where the database's schema stands now."""
    with db.read() as conn:
        return _state(conn)


def _refuse_unknown(now: SchemaState, target: str) -> None:
    """A revision this version does not know was made by a newer cme-kiosk: never touch it."""
    if now.revision is not None and now.revision not in _revisions()[1]:
        raise SchemaOutOfDate(
            f"the platform database is at revision {now.revision}, newer than this cme-kiosk"
            f" ({target}): update cme-kiosk"
        )


def upgrade(db: Database) -> tuple[SchemaState, str]:
    """Bring the schema to the newest revision in one transaction; (where it was, head)."""
    target = head()
    with db.write() as conn:
        if conn.dialect.name == "postgresql":
            # Two migrators at once (two servers starting) must not both create the tables; the
            # second waits however long the first takes (no lock timeout here).
            conn.execute(text("SET LOCAL lock_timeout = 0"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        before = _state(conn)
        _refuse_unknown(before, target)
        cfg = config(conn)
        if before.unversioned:
            command.stamp(cfg, BASELINE)
        if before.revision != target:
            command.upgrade(cfg, "head")
    if before.revision != target:
        log.info("platform schema upgraded from %s to %s", before.describe(), target)
    return before, target


def ensure_current(db: Database) -> None:
    """An empty database gets the schema; one at another revision raises SchemaOutOfDate."""
    now = state(db)
    if now.empty:
        upgrade(db)
        return
    target = head()
    if now.revision == target:
        return
    _refuse_unknown(now, target)
    raise SchemaOutOfDate(
        f"the platform database schema is out of date ({now.describe()}, this version needs"
        f" {target}): run `{MIGRATE}` (back the database up first)"
    )


def open_database(url: str, *, pool: PoolSettings | None = None) -> Database:
    """The database at `url` with a current schema (created if empty); SchemaOutOfDate if old."""
    db = Database(url, pool=pool)
    try:
        ensure_current(db)
    except BaseException:
        db.dispose()
        raise
    return db


def draft(message: str, *, into: Path) -> Path:
    """A new revision file in `into`, drafted by autogenerate from the tables in code.

    For platform developers: it compares a scratch database at the newest revision with
    sync.server.db.metadata; read and finish the draft, then move it to migrations/versions/.
    """
    versions = Path(str(resources.files("sync.server.migrations") / "versions"))
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{Path(scratch) / 'head.sqlite3'}")
        try:
            upgrade(db)
            with db.write() as conn:
                cfg = config(conn)
                cfg.set_main_option("path_separator", "os")
                cfg.set_main_option(
                    "version_locations", os.pathsep.join((str(versions), str(into)))
                )
                script = command.revision(
                    cfg, message=message, autogenerate=True, version_path=str(into),
                    rev_id=next_revision_id(),
                )  # fmt: skip
        finally:
            db.dispose()
    drafted = script[0] if isinstance(script, list) else script
    if drafted is None:
        raise RuntimeError("alembic drafted no revision")
    return Path(drafted.path)


if __name__ == "__main__":
    import sys

    print(draft(" ".join(sys.argv[1:]) or "describe the change", into=Path.cwd()))
