"""`cme-kiosk receipt verify IMAGE|TEXT`: check an attendee's signed receipt (docs/qr-formats.md).

The key comes from `--public-key FILE`, else from the platform (the organizer tool enrolled for
the receipt's project asks for its desks' keys), else from this kiosk's own store when the receipt
is this desk's. Exit status: 0 valid, 1 not valid (forged, altered, another key, unknown desk),
2 unreadable input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.core.codes.receipt import ParsedReceipt


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the receipt command group."""
    group = sub.add_parser("receipt", help="attendees' signed check-out receipts")
    rsub = group.add_subparsers(dest="receipt_command", metavar="ACTION", required=True)
    p = rsub.add_parser("verify", help="check a receipt from its QR image or its text")
    p.add_argument("receipt", metavar="IMAGE|TEXT", help="a photo of the QR code, or CME-RCT1:…")
    p.add_argument("--public-key", help="the desk's public key (PEM, or raw base64)")
    p.set_defaults(handler=verify)


def _receipt_text(arg: str) -> str:
    from drivers.qr.backends import DecoderUnavailable
    from drivers.qr.decode import FrameDecoder
    from kiosk.commands._common import fail
    from kiosk.commands.qr import read_image
    from kiosk.core.codes.receipt import PREFIX

    if arg.strip().upper().startswith(PREFIX):
        return arg.strip()
    path = Path(arg)
    if not path.is_file():
        fail(f"{arg!r} is neither a receipt (CME-RCT1:…) nor an image file", code=2)
    try:
        decoder = FrameDecoder.open("zxing")
    except DecoderUnavailable as exc:
        fail(exc.status, code=2)
    texts = [d.payload.text for d in decoder.decode(read_image(path))]
    found = [t for t in texts if t.upper().startswith(PREFIX)]
    if not found:
        fail(f"{path}: no receipt QR code found ({len(texts)} other code(s))", code=2)
    return found[0]


def _key_file(path: str) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from kiosk.commands._common import fail
    from sync.protocol import b64_bytes
    from sync.signing import public_bytes

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}", code=2)
        raise AssertionError("unreachable") from None
    if b"BEGIN PUBLIC KEY" in data:
        key = load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            fail(f"{path}: not an Ed25519 public key", code=2)
        assert isinstance(key, Ed25519PublicKey)
        return public_bytes(key)
    try:
        return b64_bytes(data.decode("ascii").strip(), size=32)
    except (UnicodeDecodeError, ValueError):
        fail(f"{path}: neither a PEM public key nor 32 bytes of base64", code=2)
        raise AssertionError("unreachable") from None


def _known_key(args: argparse.Namespace, parsed: ParsedReceipt) -> tuple[bytes | None, str]:
    """(the desk's public key, where it came from) without --public-key."""
    from kiosk.commands._common import config_from_args
    from kiosk.reports.workspace import Workspace, WorkspaceError
    from sync.client.errors import PermanentSyncError, TransientSyncError
    from sync.protocol import b64_bytes

    r = parsed.receipt
    config = config_from_args(args)
    workspace = Workspace(config.data_dir / "organizer")
    try:
        creds = workspace.credentials(r.project)
    except WorkspaceError:
        creds = None
    if creds is not None:
        from kiosk.commands.organizer import _client

        try:
            with _client(workspace, r.project) as client:
                for desk in client.desk_keys(r.project):
                    if desk.device_id == r.device_id:
                        return b64_bytes(desk.public_key, size=32), "the platform's desk keys"
        except (TransientSyncError, PermanentSyncError) as exc:
            return None, f"the platform could not be asked ({exc})"
        return None, "the platform knows no such desk"
    db = config.data_dir / "kiosk.sqlite3"
    if db.exists():
        from sync.signing import public_bytes
        from sync.store import Store

        store = Store.open(db)
        try:
            own = store.get_meta("device_id") or f"local-{config.kiosk.desk_name}"
            if own == r.device_id:
                return public_bytes(store.device_verify_key()), "this desk's own key"
        finally:
            store.close()
        return None, "the receipt is another desk's (give --public-key, or verify as organizer)"
    return None, "no key: give --public-key, or verify as the project's organizer"


def verify(args: argparse.Namespace) -> int:
    """Print the verdict and what the receipt says; exit 0 only for a valid receipt."""
    from kiosk.commands._common import fail
    from kiosk.core.codes.receipt import parse_receipt, receipt_signature_valid
    from kiosk.core.codes.wire import WireError
    from kiosk.core.timeutil import format_local

    text = _receipt_text(args.receipt)
    try:
        parsed = parse_receipt(text)
    except WireError as exc:
        fail(f"not a readable receipt: {exc}", code=2)
        raise AssertionError("unreachable") from None
    key: bytes | None
    if args.public_key:
        key, source = _key_file(args.public_key), args.public_key
    else:
        key, source = _known_key(args, parsed)
    r = parsed.receipt
    if key is None:
        print(f"NOT VERIFIED: {source}")
    elif receipt_signature_valid(parsed, key):
        print(f"VALID: signed by desk {r.device_id} ({source})")
    else:
        print(f"INVALID: the signature is not desk {r.device_id}'s ({source}): forged or altered")
    came = format_local(r.check_in, "%Y-%m-%d %H:%M") if r.check_in else "—"
    print(f"project {r.project} · attendee {r.attendee_id} · record {r.record_uuid}")
    print(f"check-in {came} · check-out {format_local(r.check_out, '%Y-%m-%d %H:%M')}"
          " (Asia/Shanghai)")  # fmt: skip
    for s in r.sessions:
        print(f"  {s.session_id:<12} {s.hours:.2f} h")
    print(f"  {'total':<12} {r.total_hours:.2f} h")
    return 0 if key is not None and receipt_signature_valid(parsed, key) else 1
