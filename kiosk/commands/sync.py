"""`cme-kiosk sync`: one pull and one drain now, with a one-screen summary (exit 1 on failure)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the sync command."""
    p = sub.add_parser("sync", help="pull the roster and upload pending records now")
    only = p.add_mutually_exclusive_group()
    only.add_argument("--pull-only", action="store_true", help="only download from the platform")
    only.add_argument("--push-only", action="store_true", help="only upload pending records")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Pull, then drain; print what happened; a failure ends with one bilingual line."""
    from kiosk.commands._common import config_from_args, fail
    from kiosk.services.platform import client_for, explain, pull_project, read_state
    from sync.client.outbox import Outbox
    from sync.client.status import CLOCK_WARNING_MS, attention_text
    from sync.store import Store

    config = config_from_args(args)
    db = config.data_dir / "kiosk.sqlite3"
    if not db.exists():
        fail(f"本机没有数据库 / no kiosk database at {db}: enroll first (cme-kiosk enroll)")
    store = Store.open(db, use_keyring=config.privacy.key_store == "keyring")
    try:
        state = read_state(store)
        if not state.enrolled or state.project is None:
            fail(attention_text("not_enrolled"))
            return 1
        client = client_for(config, store)
        if client is None:
            fail(attention_text("no_server"))
            return 1
        if not client.token:
            fail(attention_text("not_enrolled") + " (no token found)")
        problem = None
        with client:
            try:
                if not args.push_only:
                    pulled = pull_project(store, client, state.project)
                    print(f"下载 pulled   : {pulled.line()}")
                if not args.pull_only:
                    before = store.outbox.pending_count()
                    Outbox(store.outbox, client, batch_size=config.sync.batch_size).drain()
                    c = client.answer_counts
                    print(
                        f"上传 uploaded : {before} pending → accepted {c['accepted']},"
                        f" duplicate {c['duplicate']}, rejected {c['rejected']}"
                    )
            except Exception as exc:  # noqa: BLE001 - every failure becomes one line for staff
                problem = explain(exc)
        summary = store.outbox.sync_summary()
        print(
            f"本机 kiosk    : device {state.device_id}, project {state.project},"
            f" {summary['pending']} pending, {summary['synced']} synced,"
            f" {summary['dead_letter']} refused by the platform"
        )
        offset = store.get_meta("server_offset_ms")
        if offset is not None and abs(int(offset)) > CLOCK_WARNING_MS:
            print(f"时钟 clock    : 偏差 off by {int(offset) / 1000:+.0f} s，请校准 / set the time")
        if client.last_desk is not None and client.last_desk.state != "active":
            print(f"设备 device   : {attention_text('device_' + client.last_desk.state)}")
        if problem is not None:
            fail(f"同步失败 sync failed: {problem}")
    finally:
        store.close()
    return 0
