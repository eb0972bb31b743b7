"""`cme-kiosk verify DB` (tamper evidence) and `cme-kiosk purge` (retention, now)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verify and purge commands."""
    v = sub.add_parser("verify", help="check a kiosk database's hash chain and signatures")
    v.add_argument("db", help="the kiosk database file (a copy is fine)")
    v.add_argument(
        "--public-key",
        help="the device's Ed25519 public key (base64) as the platform registered it;"
        " default: the key file beside the database (an auditor should pass the platform's copy)",
    )
    v.set_defaults(handler=run_verify)
    p = sub.add_parser("purge", help="delete rosters, face templates and photos past retention")
    p.add_argument("--project", help="purge this project now, whatever its retention")
    p.set_defaults(handler=run_purge)


def run_verify(args: argparse.Namespace) -> int:
    """Print each problem found; exit 0 only when the chain is intact."""
    import base64
    import sqlite3
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from kiosk.commands._common import fail
    from sync import chain
    from sync.store import key_files as keys

    db = Path(args.db)
    if not db.exists():
        fail(f"no database at {db}")
    try:
        if args.public_key:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(args.public_key))
        else:
            public = keys.device_key(db.parent / "keys").public_key()
    except ValueError as exc:
        fail(f"bad public key: {exc}")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
    except sqlite3.Error as exc:
        fail(f"cannot read {db}: {exc}")
    finally:
        conn.close()
    problems = chain.verify(rows, public)
    for p in problems:
        print(f"record {p.seq}: {p.problem}")
    status = "INTACT" if not problems else f"TAMPERED ({len(problems)} problem(s))"
    print(f"{db}: {len(rows)} records, key {keys.public_key_b64(public)}: {status}")
    return 0 if not problems else 1


def run_purge(args: argparse.Namespace) -> int:
    """Purge what retention says is due (or one project now) and say what went."""
    from kiosk.commands._common import config_from_args, fail
    from kiosk.core.timeutil import utc_now
    from kiosk.services.retention import purge_due
    from sync.store import Store

    config = config_from_args(args)
    db = config.data_dir / "kiosk.sqlite3"
    if not db.exists():
        fail(f"no kiosk database at {db}")
    store = Store.open(db)
    now = utc_now()
    if args.project:
        if args.project not in store.roster.project_numbers():
            fail(f"no project {args.project} in {db}")
        store.purge_project(args.project, now=now)
        purged = [args.project]
    else:
        purged = purge_due(store, config.privacy, clock=lambda: now)
    print("purged: " + (", ".join(purged) if purged else "nothing due"))
    return 0
