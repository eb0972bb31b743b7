"""`cme-kiosk status`: what this kiosk holds and what still has to reach the platform."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the status command."""
    p = sub.add_parser("status", help="records, sync state, dead letters and clock offset")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument("--dead-letters", action="store_true", help="list records the platform refused")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the kiosk's sync summary from its store (works with the kiosk running)."""
    import json

    from kiosk.commands._common import config_from_args, fail
    from sync.store import Store

    config = config_from_args(args)
    db = config.data_dir / "kiosk.sqlite3"
    if not db.exists():
        fail(f"no kiosk database at {db}: nothing recorded yet")
    store = Store.open(db)
    summary = store.outbox.sync_summary()
    summary["projects"] = store.roster.project_numbers()
    summary["device_id"] = store.get_meta("device_id")
    offset = store.get_meta("server_offset_ms")
    summary["clock_offset_ms"] = int(offset) if offset is not None else None
    dead = store.outbox.dead_letters()
    if args.json:
        if args.dead_letters:
            summary["dead_letters"] = dead
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return 0
    print(f"device        : {summary['device_id'] or 'not enrolled'}")
    projects = store.roster.project_numbers()
    print(f"projects      : {', '.join(projects) or 'none'}")
    print(
        f"records       : last seq {summary['last_seq']}, {summary['synced']} synced,"
        f" {summary['pending']} pending, {summary['dead_letter']} refused by the platform"
    )
    if summary["clock_offset_ms"] is not None:
        warn = "  (WARNING: more than a minute off)" if abs(int(offset or 0)) > 60_000 else ""
        print(f"clock offset  : {int(offset or 0) / 1000:+.1f} s{warn}")
    running = summary.get("meta") or {}
    if isinstance(running, dict) and running.get("line"):
        # Written by the running desk's sync whenever it changes: the state as staff see it.
        seen = running.get("last_success") or "never"
        print(f"sync          : {running['line']} (last success {seen})")
        if running.get("last_error"):
            print(f"last error    : {running['last_error']}")
    if args.dead_letters:
        for d in dead:
            print(f"  dead letter {d['kind']} {d['uuid']}: {d['reason']} at {d['at']}")
    return 0
