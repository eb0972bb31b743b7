"""`cme-kiosk enroll`: exchange a one-time code for this kiosk's platform identity, then pull."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the enroll command."""
    p = sub.add_parser("enroll", help="enroll this kiosk with the platform (one-time code)")
    p.add_argument("--server", help="platform URL, https://… (default: [sync] server_url)")
    p.add_argument("--code", required=True, help="the one-time enrollment code from the admin")
    p.add_argument("--ca-bundle", help="CA certificate(s) to trust for the platform (PEM)")
    p.add_argument("--force", action="store_true", help="enroll again although already enrolled")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Enroll, keep the identity and token (0600 or keyring), pull the project; print a summary."""
    from pathlib import Path

    from kiosk.commands._common import config_from_args, fail
    from kiosk.core.errors import StorageUnavailable
    from kiosk.services.platform import PlatformProblem, enroll_kiosk, explain
    from sync.store import Store

    config = config_from_args(args)
    server = args.server or config.sync.server_url
    if not server:
        fail(
            "没有平台地址 / no platform URL: pass --server https://… or set [sync] server_url",
            code=2,
        )
        return 2
    ca = Path(args.ca_bundle) if args.ca_bundle else None
    if ca is not None and not ca.is_file():
        fail(f"找不到证书文件 / CA bundle not found: {ca}", code=2)
    db = config.data_dir / "kiosk.sqlite3"
    store = Store.open(db, use_keyring=config.privacy.key_store == "keyring")
    try:
        done = enroll_kiosk(config, store, server_url=server, code=args.code, ca_bundle=ca,
                            force=args.force)  # fmt: skip
    except (PlatformProblem, OSError) as exc:
        fail(f"注册失败 enrollment failed: {explain(exc)}")
    except StorageUnavailable as exc:
        fail(f"{exc.screen_zh} / {exc.screen_en}")
    finally:
        store.close()
    print(f"已注册 enrolled   : device {done.device_id} ({done.role}), desk {done.desk_name}")
    print(f"项目 project      : {done.project} at {done.server_url}")
    print(f"令牌 token        : kept in {done.token_store}")
    print(f"下载 pulled       : {done.pulled.line()}")
    if done.pending_before:
        print(
            f"注意 note         : {done.pending_before} record(s) from the previous enrollment are"
            " still unsent; the platform refuses them for this new device (kept as dead letters)"
        )
    return 0
