"""`cme-kiosk verify DB` (tamper evidence) and `cme-kiosk purge` (retention, now)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.chain import SignedHead


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verify and purge commands."""
    v = sub.add_parser(
        "verify", help="check a kiosk database's hash chain, signatures and the end of its log"
    )
    v.add_argument("db", help="the kiosk database file (a copy is fine; nothing is written)")
    v.add_argument(
        "--public-key",
        help="the device's Ed25519 public key (base64) as the platform registered it;"
        " default: the key file beside the database (an auditor should pass the platform's copy)",
    )
    v.add_argument(
        "--server", nargs="?", const="", metavar="URL",
        help="also compare with the platform's last signed head of this device (the enrolled"
        " platform, or URL), with the kiosk's own token",
    )  # fmt: skip
    v.add_argument("--ca-bundle", help="CA bundle for --server (default: the enrolled one)")
    v.set_defaults(handler=run_verify)
    p = sub.add_parser("purge", help="delete rosters, face templates and photos past retention")
    p.add_argument("--project", help="purge this project now, whatever its retention")
    p.set_defaults(handler=run_purge)


def run_verify(args: argparse.Namespace) -> int:
    """Print each problem found; exit 0 only when the chain and the end of the log are intact."""
    from pathlib import Path

    from kiosk.commands._common import fail
    from kiosk.core.ed25519_strict import WeakKey
    from sync import signing
    from sync.store import key_files as keys
    from sync.store.verify import VerifyError, device_public_key, verify_database

    db = Path(args.db)
    try:
        if args.public_key:
            try:
                public = signing.public_from_b64(args.public_key.strip())
            except WeakKey as exc:
                raise VerifyError(f"bad public key: {exc}") from None
            except ValueError:
                raise VerifyError("bad public key: not a base64 Ed25519 public key") from None
        else:
            public = device_public_key(db)
        head = _platform_head(args, db) if args.server is not None else None
        verdict = verify_database(db, public, platform_head=head)
    except VerifyError as exc:
        fail(str(exc))
        return 1
    for p in verdict.problems:
        print(f"record {p.seq}: {p.problem}")
    status = "INTACT" if verdict.intact else f"TAMPERED ({len(verdict.problems)} problem(s))"
    end = f", signed end {verdict.checkpoint.seq}" if verdict.checkpoint else ""
    witnessed = f", platform's head {head.seq}" if head is not None else ""
    print(
        f"{db}: {verdict.rows} records{end}{witnessed}, key {keys.public_key_b64(public)}: {status}"
    )
    return 0 if verdict.intact else 1


def _platform_head(args: argparse.Namespace, db: Path) -> SignedHead | None:
    """The platform's last signed head of this kiosk, asked with its own token (read-only)."""
    from kiosk.commands._common import config_from_args
    from kiosk.services.platform_state import load_token, read_state
    from sync.chain import SignedHead
    from sync.client import SyncClient, TransientError
    from sync.client.errors import PermanentSyncError
    from sync.store.verify import VerifyError, read_rows

    _, meta = read_rows(db)
    state = read_state(_ReadOnlyMeta(db, meta))
    config = config_from_args(args)
    url = args.server or config.sync.server_url or state.server_url
    if not url:
        raise VerifyError("--server: this kiosk was never enrolled: give the platform's URL")
    token = load_token(_ReadOnlyMeta(db, meta), use_keyring=config.privacy.key_store == "keyring")
    if not token:
        raise VerifyError(f"--server: no platform token in {db.parent / 'keys'}")
    ca = Path(args.ca_bundle) if args.ca_bundle else config.sync.ca_bundle or state.ca_bundle
    try:
        with SyncClient(url, token=token, ca_bundle=ca,
                        pin_sha256=config.sync.pinned_sha256) as client:  # fmt: skip
            answer = client.head()
    except (TransientError, PermanentSyncError, ValueError) as exc:
        raise VerifyError(f"--server: cannot ask {url}: {exc}") from None
    if answer.head is None:
        return None
    return SignedHead(seq=answer.head.seq, hash=answer.head.hash, signature=answer.head.signature)


class _ReadOnlyMeta:
    """The kiosk's enrollment as kiosk.services.platform_state reads it, from a read-only copy."""

    def __init__(self, db: Path, meta: dict[str, str]):
        self.path = db
        self._meta = meta

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        return self._meta.get(key, default)

    def set_meta(self, key: str, value: str) -> None:
        raise AssertionError("verify never writes")


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
