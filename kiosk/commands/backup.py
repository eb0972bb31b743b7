"""`cme-kiosk backup PATH` (a consistent copy while the kiosk runs) and `restore PATH`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the backup command."""
    p = sub.add_parser("backup", help="copy the kiosk database safely while it is in use")
    p.add_argument("path", help="destination file (written 0600)")
    p.add_argument("--db", help="kiosk database (default: kiosk.sqlite3 in the data directory)")
    p.set_defaults(handler=run)
    r = sub.add_parser(
        "restore", help="restore a backup, only with the keys that open it (desk stopped)"
    )
    r.add_argument("path", help="the backup file (its .head.json checkpoint beside it)")
    r.add_argument("--db", help="kiosk database (default: kiosk.sqlite3 in the data directory)")
    r.add_argument(
        "--keys", help="the keys/ folder of the kiosk that made the backup (default: beside --db)"
    )
    r.add_argument("--force", action="store_true", help="replace an existing database")
    r.set_defaults(handler=run_restore)


def run(args: argparse.Namespace) -> int:
    """Copy through SQLite's online backup API; report the records copied."""
    import sqlite3
    from pathlib import Path

    from kiosk.commands._common import config_from_args, fail
    from sync.store import Store
    from sync.store.head import head_path, write_head

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
        # The signed checkpoint of the log's end goes with it (after the copy: never ahead).
        head = store.records.chain_head()
        if head is not None:
            write_head(head_path(dest), head)
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


def run_restore(args: argparse.Namespace) -> int:
    """Check the backup against its keys, then put it (and its checkpoint) in place."""
    from pathlib import Path

    from kiosk.commands._common import config_from_args, fail
    from sync.store.restore import RestoreRefused, restore

    config = config_from_args(args)
    db = Path(args.db) if args.db else config.data_dir / "kiosk.sqlite3"
    keys = Path(args.keys) if args.keys else db.parent / "keys"
    try:
        done = restore(Path(args.path), db, key_dir=keys, replace=args.force)
    except RestoreRefused as exc:
        fail(str(exc))
        return 1
    end = "" if done.checkpoint else " (no checkpoint came with it)"
    print(
        f"restored {done.records} check-in records (last seq {done.last_seq}) into {db}{end};"
        f" check what the platform witnessed: cme-kiosk verify {db} --server"
    )
    return 0
