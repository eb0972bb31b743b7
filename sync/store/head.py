"""The signed checkpoint of the chain's head, kept outside the records table.

After every committed record the desk signs (seq, hash) of the newest record and writes it
durably to `<database>.head.json`: a file of two 512-byte slots, created 0600 with its folder
fsynced, then written in place, record N into slot N mod 2, each write followed by fdatasync. A
write torn by a power cut spoils one slot at most; the other still holds the checkpoint one
record before (never one ahead), and the reader takes the newest slot that parses. Deleting
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


SLOT = 512  # one disk sector: a slot is written whole or not at all on common disks


def _slot(head: SignedHead) -> bytes:
    data = json.dumps({"seq": head.seq, "hash": head.hash, "signature": head.signature}).encode()
    if len(data) >= SLOT:
        raise ValueError("a chain head does not fit its slot")
    return data + b"\n" + b" " * (SLOT - len(data) - 1)


def write_head(path: Path, head: SignedHead) -> None:
    """Write the checkpoint into its slot durably (the file made 0600, its folder fsynced)."""
    fresh = not path.exists()
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        if fresh:
            os.pwrite(fd, b" " * (2 * SLOT), 0)
        os.pwrite(fd, _slot(head), (head.seq % 2) * SLOT)
        os.fdatasync(fd)
    finally:
        os.close(fd)
    if fresh:
        fsync_dir(path.parent)


def _parse(raw: bytes) -> SignedHead | None:
    try:
        data = json.loads(raw)
        seq, digest, signature = data["seq"], data["hash"], data["signature"]
    except (ValueError, TypeError, KeyError):
        return None
    if not (type(seq) is int and seq >= 1 and isinstance(digest, str)
            and isinstance(signature, str)):  # fmt: skip
        return None
    return SignedHead(seq=seq, hash=digest, signature=signature)


def read_head(path: Path) -> SignedHead | None:
    """The newest checkpoint, or None when there is none; HeadFileError when none can be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HeadFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    found = [h for h in (_parse(raw[i : i + SLOT]) for i in (0, SLOT)) if h is not None]
    if not found:
        if not raw.strip():
            return None  # made, never written (a crash right after creating it)
        raise HeadFileError(f"{path}: not a chain-head checkpoint")
    return max(found, key=lambda h: h.seq)
