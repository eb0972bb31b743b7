"""The signed checkpoint of the chain's head, kept outside the records table.

After every committed record the desk signs (seq, hash) of the newest record and replaces
`<database>.head.json` with it atomically and durably (the file and its folder fsynced). Deleting
records from the end of the log, all of them included, then shows: `cme-kiosk verify` finds the
checkpoint ahead of the rows. The checkpoint goes with every status report, so the platform
witnesses it too and can tell a log rolled back together with its checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from sync.chain import SignedHead
from sync.store.key_files import fsync_dir


class HeadFileError(ValueError):
    """The checkpoint file is there but unreadable; the message says what is wrong."""


def head_path(db_path: Path) -> Path:
    """Where the checkpoint of a kiosk database lives: beside it, `<name>.head.json`."""
    return db_path.with_name(db_path.name + ".head.json")


def write_head(path: Path, head: SignedHead) -> None:
    """Replace the checkpoint atomically: a 0600 temporary file, fsync, rename, fsync the folder."""
    data = json.dumps({"seq": head.seq, "hash": head.hash, "signature": head.signature}).encode()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def read_head(path: Path) -> SignedHead | None:
    """The checkpoint, or None when there is none; HeadFileError when it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HeadFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
        seq, digest, signature = data["seq"], data["hash"], data["signature"]
    except (ValueError, TypeError, KeyError):
        raise HeadFileError(f"{path}: not a chain-head checkpoint") from None
    if not (type(seq) is int and seq >= 1 and isinstance(digest, str)
            and isinstance(signature, str)):  # fmt: skip
        raise HeadFileError(f"{path}: not a chain-head checkpoint")
    return SignedHead(seq=seq, hash=digest, signature=signature)
