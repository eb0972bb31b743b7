"""`cme-kiosk backup PATH`: a consistent copy of the kiosk database while the kiosk runs."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the backup command."""
    p = sub.add_parser("backup", help="copy the kiosk database safely while it is in use")
    p.add_argument("path", help="destination file (written 0600)")
    p.add_argument("--db", help="kiosk database (default: kiosk.sqlite3 in the data directory)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Copy through SQLite's online backup API; report the records copied."""
    import sqlite3
    from pathlib import Path

    from kiosk.commands._common import config_from_args, fail
    from sync.store import Store

    config = config_from_args(args)
    db = Path(args.db) if args.db else config.data_dir / "kiosk.sqlite3"
    if not db.exists():
        fail(f"no kiosk database at {db}")
    dest = Path(args.path)
    if dest.resolve() == db.resolve():
        fail("the backup must not overwrite the database itself")
    try:
        store = Store.open(db)
        store.db.backup(dest)
        store.close()
    except (OSError, sqlite3.Error) as exc:
        fail(f"backup failed: {exc}")
    copy = sqlite3.connect(dest)
    try:
        events = copy.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        ok = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
    print(f"backup written to {dest}: {events} check-in records, integrity {ok}")
    return 0 if ok == "ok" else 1
