"""`cme-kiosk qr make|decode`: issue tickets and rotating codes, and look at codes in images.

`qr make` signs with the reference server's key (`--server-db`, default: the server's own
database) or, standalone, with `--key-file`/`--key-id` (tickets) or `--secret-hex` (rotating).
`qr decode` prints one JSON line per code. With no keys it judges what it can (format, window,
project) and says what it could not (`unverified_no_key`, `unverified_no_secret`,
`unverified_no_roster`); with `--server-db` and `--project` it verifies like a desk does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.commands._common import fail

if TYPE_CHECKING:
    from kiosk.core.codes import VerifyContext
    from sync.server.admin import ServerAdmin

MAX_QR_VERSION = 10  # tickets and rotating codes are designed to fit version 10 at level M


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the qr command group."""
    qr = sub.add_parser("qr", help="make and decode check-in QR codes")
    qsub = qr.add_subparsers(dest="qr_command", metavar="SUBCOMMAND", required=True)

    p = qsub.add_parser("make", help="a signed ticket, the current rotating code, or a badge code")
    p.add_argument("--project", required=True, help="project number")
    p.add_argument("--attendee", required=True, help="attendee reference (or ID number: server)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--rotating", action="store_true", help="the rotating code for --at/now")
    kind.add_argument("--badge", action="store_true", help="a plain roster code (not signed)")
    p.add_argument("--out", required=True, help="PNG file to write")
    _key_options(p)
    p.add_argument("--key-file", help="PEM Ed25519 private key (standalone ticket signing)")
    p.add_argument("--valid-from", help="ISO time (default: project's first day, or now)")
    p.add_argument("--valid-to", help="ISO time (default: end of the last day, or +30 days)")
    p.add_argument("--at", help="ISO time for --rotating (default: now)")
    p.set_defaults(handler=make)

    p = qsub.add_parser("decode", help="print each code in an image as one JSON line")
    p.add_argument("image")
    p.add_argument("--backend", choices=("zxing", "zbar"), help="decoder (default: config)")
    p.add_argument("--project", help="judge codes for this project (other projects: rejected)")
    _key_options(p)
    p.add_argument("--public-key", help="PEM Ed25519 public (or private) key that signs tickets")
    p.add_argument("--at", help="judge validity at this ISO time (default: now)")
    p.set_defaults(handler=decode)


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server-db", "--db", dest="server_db", help="reference server database URL")
    p.add_argument("--key-id", help="ticket key id (default: derived from the key)")
    p.add_argument("--secret-hex", help="attendee's rotating-code secret, hex (standalone)")


def _when(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{what}: not an ISO date/time: {text!r}", code=2)
    if moment.tzinfo is None:
        from kiosk.core.timeutil import SHANGHAI

        moment = moment.replace(tzinfo=SHANGHAI)  # a local time at a Chinese venue
    return moment


def _admin(url: str | None) -> ServerAdmin:
    from sync.server.admin import ServerAdmin
    from sync.server.run import DB_NAME, server_dir

    if url is None and not (server_dir() / DB_NAME).exists():
        # Do not create an empty platform database as a side effect of a typo'd command.
        fail(
            f"no reference server database at {server_dir() / DB_NAME}: give --server-db URL,"
            " or --key-file (tickets) / --secret-hex (rotating codes) to sign standalone"
        )
    try:
        return ServerAdmin(url)
    except Exception as exc:  # noqa: BLE001 - any database/driver error becomes one line
        fail(f"cannot open the server database: {type(exc).__name__}: {exc}".splitlines()[0])
        raise AssertionError("unreachable") from None


def _pem_key(path: str, *, private: bool) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read key file {path}: {exc.strerror or exc}")
    try:
        key: Any = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None if private else _load_public(data)
    if private and not isinstance(key, Ed25519PrivateKey):
        fail(f"{path} is not an unencrypted PEM Ed25519 private key")
    if not private:
        key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
        if not isinstance(key, Ed25519PublicKey):
            fail(f"{path} is not a PEM Ed25519 key")
    return key


def _load_public(data: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        return None


def _raw_public(key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = key.public_key() if hasattr(key, "public_key") else key
    return bytes(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def key_id_of(public_raw: bytes) -> str:
    """The platform's key id for a raw public key: first 8 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:8]


def _server_errors() -> tuple[type[Exception], ...]:
    """What a server lookup raises: the platform's refusals and database errors."""
    from sqlalchemy.exc import SQLAlchemyError

    from sync.server.platform import PlatformError

    return (PlatformError, SQLAlchemyError)


def _secret(text: str) -> bytes:
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        fail("--secret-hex is not hexadecimal")
    if len(secret) < 16:
        fail("--secret-hex must be at least 16 bytes (32 hex digits)")
    return secret


# ---- make ---------------------------------------------------------------------------------------


def make(args: argparse.Namespace) -> int:
    """Write a ticket, rotating code or badge code for one attendee as a PNG."""
    from kiosk.core.codes import make_roster_code, make_rotating_code

    try:
        if args.badge:
            payload, what = make_roster_code(args.attendee), "badge code"
        elif args.rotating:
            ref, secret = _rotating_secret(args)
            at = _when(args.at, "--at") or datetime.now().astimezone()
            payload = make_rotating_code(
                project=args.project, attendee_id=ref, secret=secret, at=at
            )
            what = f"rotating code for {ref} (30 s slot at {at.isoformat(timespec='seconds')})"
        else:
            payload, what = _ticket(args)
    except ValueError as exc:
        fail(str(exc), code=2)
    version = write_png(payload, Path(args.out))
    print(f"{args.out}: {what}, QR version {version}-M, {len(payload)} characters")
    return 0


def _rotating_secret(args: argparse.Namespace) -> tuple[str, bytes]:
    if args.secret_hex:
        return args.attendee, _secret(args.secret_hex)
    admin = _admin(args.server_db)
    try:
        ref = admin.attendee_ref(args.project, args.attendee)
        return ref, admin.attendee_qr_secret(args.project, ref)
    except _server_errors() as exc:
        fail(getattr(exc, "message", str(exc)))
        raise AssertionError("unreachable") from None
    finally:
        admin.close()


def _ticket(args: argparse.Namespace) -> tuple[str, str]:
    from kiosk.core.codes import Ticket, sign_ticket
    from kiosk.core.timeutil import end_of_local_day, local_midnight

    start = _when(args.valid_from, "--valid-from")
    end = _when(args.valid_to, "--valid-to")
    ref = args.attendee
    if args.key_file:
        private = _pem_key(args.key_file, private=True)
        key_id = args.key_id or key_id_of(_raw_public(private))
        start = start or datetime.now().astimezone()
        end = end or start + timedelta(days=30)
    else:
        admin = _admin(args.server_db)
        try:
            project = admin.project(args.project)
            ref = admin.attendee_ref(args.project, args.attendee)
            key_id, private = admin.ticket_signing_key(args.project)
        except _server_errors() as exc:
            fail(getattr(exc, "message", str(exc)))
        finally:
            admin.close()
        start = start or local_midnight(project.first_day)
        end = end or end_of_local_day(project.last_day)
    ticket = Ticket(args.project, ref, key_id, start, end)
    span = f"{ticket.valid_from.isoformat()} to {ticket.valid_to.isoformat()}"
    return sign_ticket(ticket, private), f"ticket for {ref} (key {key_id}), valid {span}"


def write_png(payload: str, path: Path, *, box_size: int = 8) -> int:
    """Write the payload as a level-M QR code PNG; return its version (error if above 10)."""
    from kiosk.qr_render import qr_symbol

    code = qr_symbol(payload, box_size=box_size)
    version = int(code.version)
    if version > MAX_QR_VERSION:
        fail(f"payload needs QR version {version} (at most {MAX_QR_VERSION})", code=2)
    image = code.make_image(fill_color="black", back_color="white")
    tmp = path.with_name(path.name + ".tmp")
    try:
        image.save(str(tmp), format="PNG")
        tmp.replace(path)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    return version


# ---- decode -------------------------------------------------------------------------------------


def decode(args: argparse.Namespace) -> int:
    """Print one JSON line per code in the image; exit 1 only if the file cannot be read."""
    from drivers.qr.backends import DecoderUnavailable
    from drivers.qr.decode import FrameDecoder
    from kiosk.commands._common import config_from_args
    from kiosk.core.codes import classify_and_verify

    image = read_image(Path(args.image))
    qr = config_from_args(args).qr
    try:
        # The symbologies the desk's camera looks for: all of them would also report what a
        # 1D reader imagines inside a QR code's modules (an "ITF" in about 1 in 750 tickets).
        decoder = FrameDecoder.open(args.backend or qr.backend, formats=qr.formats)
    except DecoderUnavailable as exc:
        fail(exc.status, code=3)
    context, done = _decode_context(args)
    try:
        for found in decoder.decode(image):
            verdict = classify_and_verify(found.payload, context=context)
            line = {
                "text": found.text,
                "format": found.format,
                "box": [list(p) for p in found.box],
                "verdict": verdict.kind.value,
                "reason": verdict.reason.value,
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        done()
    return 0


def read_image(path: Path) -> Any:
    """The image as an 8-bit grayscale array (transparency flattened onto white)."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    from drivers.qr.decode import MAX_PIXELS

    try:
        with Image.open(path) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                fail(f"cannot read {path}: {opened.width}×{opened.height} is too large")
            opened.load()
            img: Image.Image = ImageOps.exif_transpose(opened) or opened
            if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
                white = Image.new("RGBA", img.size, "white")
                img = Image.alpha_composite(white, img.convert("RGBA"))
            return np.asarray(img.convert("L"), dtype=np.uint8).copy()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        fail(f"cannot read {path}: {exc}")
        raise AssertionError("unreachable") from None


def _decode_context(args: argparse.Namespace) -> tuple[VerifyContext, Callable[[], None]]:
    from kiosk.core.codes import inspection_context

    at = _when(args.at, "--at")
    clock = (lambda: at) if at is not None else (lambda: datetime.now().astimezone())
    keys: dict[str, bytes] = {}
    if args.public_key:
        public = _raw_public(_pem_key(args.public_key, private=False))
        keys[args.key_id or key_id_of(public)] = public
    secret = _secret(args.secret_hex) if args.secret_hex else None
    if not args.server_db:
        context = inspection_context(
            clock=clock,
            project_number=args.project,
            ticket_keys=keys,
            attendee_secret=(lambda _ref: secret) if secret else None,
        )
        return context, lambda: None
    if not args.project:
        fail("--server-db needs --project (whose keys and roster to verify with)", code=2)
    admin = _admin(args.server_db)
    return _server_context(admin, args.project, clock=clock, keys=keys), admin.close


def _server_context(
    admin: ServerAdmin, number: str, *, clock: Callable[[], datetime], keys: dict[str, bytes]
) -> VerifyContext:
    """Verify like a desk of `number` would, from the server's keys, secrets and roster."""
    from kiosk.core.codes import inspection_context

    try:
        project = admin.project(number)
        with admin.db.read() as conn:
            keys.update(admin.platform.ticket_public_keys(number, conn))
    except _server_errors() as exc:
        fail(getattr(exc, "message", str(exc)))
    errors = _server_errors()

    def secret(ref: str) -> bytes | None:
        try:
            return admin.attendee_qr_secret(number, ref)
        except errors:  # unknown attendee: no secret
            return None

    def known(ref: str) -> bool:
        try:
            return admin.attendee_ref(number, ref) == ref
        except errors:  # unknown attendee
            return False

    return inspection_context(
        clock=clock,
        project_number=number,
        ticket_keys=keys,
        attendee_secret=secret,
        attendee_known=known,
        allow_plain_roster_codes=project.checkin.allow_plain_roster_codes,
    )
