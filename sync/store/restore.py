"""Restoring a kiosk backup: only together with the keys that open it.

A backup (`cme-kiosk backup`) is the database and its signed checkpoint; its personal fields are
sealed and its records signed with keys that never leave `keys/`. Restoring one checks, before
anything is written, that the keys at hand open it: a sealed field decrypts, the keyed index
matches, the records' signatures are the device key's. Without them the restore is refused and
nothing changes (a store opened on it would have minted new keys and failed later).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.core.ids import normalise
from sync import chain
from sync.store.head import head_path
from sync.store.key_files import AesGcmFields, fsync_dir
from sync.store.verify import VerifyError, read_rows

_KEY_FILES = ("fields.key", "index.key", "device-ed25519.key")


class RestoreRefused(Exception):
    """The backup cannot be restored here; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Restored:
    """What was restored."""

    records: int
    last_seq: int
    checkpoint: bool


def _keys(key_dir: Path) -> tuple[bytes, bytes, Ed25519PublicKey]:
    missing = [name for name in _KEY_FILES if not (key_dir / name).is_file()]
    if missing:
        raise RestoreRefused(
            f"the backup's keys are not in {key_dir} (missing {', '.join(missing)}): copy the"
            " kiosk's keys/ folder there, or pass --keys DIR; nothing was restored"
        )
    fields, index, device = ((key_dir / n).read_bytes() for n in _KEY_FILES)
    if not len(fields) == len(index) == len(device) == 32:
        raise RestoreRefused(f"{key_dir} holds damaged key files; nothing was restored")
    return fields, index, Ed25519PrivateKey.from_private_bytes(device).public_key()


def check_keys(backup: Path, key_dir: Path) -> tuple[list[dict[str, object]], bool]:
    """The backup's rows, once its keys are proven; RestoreRefused otherwise."""
    try:
        rows, _ = read_rows(backup)
    except VerifyError as exc:
        raise RestoreRefused(str(exc)) from None
    fields, index, public = _keys(key_dir)
    conn = sqlite3.connect(f"{backup.resolve().as_uri()}?immutable=1", uri=True)
    try:
        sample = conn.execute(
            "SELECT doc_number, doc_index FROM attendees WHERE doc_number LIKE 'g1:%' LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    if sample is not None:
        try:
            number = AesGcmFields(fields).unseal(str(sample[0]))
        except (InvalidTag, ValueError):
            raise RestoreRefused(
                f"the keys in {key_dir} do not open this backup (its sealed fields are another"
                " key's): restore it with the keys of the kiosk that made it"
            ) from None
        digest = hmac.new(index, normalise(number).encode(), hashlib.sha256).digest()
        if digest != bytes(sample[1]):
            raise RestoreRefused(f"the index key in {key_dir} is not this backup's")
    problems = chain.verify(rows, public)
    if any("signature" in p.problem for p in problems):
        raise RestoreRefused(
            f"the device key in {key_dir} did not sign this backup's records: restore it with"
            " the keys of the kiosk that made it"
        )
    return rows, sample is not None


def restore(backup: Path, target: Path, *, key_dir: Path, replace: bool = False) -> Restored:
    """Copy a checked backup (and its checkpoint) over `target`, whose keys are `key_dir`."""
    rows, _ = check_keys(backup, key_dir)
    if target.exists() and not replace:
        raise RestoreRefused(
            f"{target} exists: stop the desk and pass --force to replace it (it is kept as"
            f" {target.name}.before-restore)"
        )
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    wanted = target.parent / "keys"
    if key_dir.resolve() != wanted.resolve():
        wanted.mkdir(mode=0o700, exist_ok=True)
        for name in _KEY_FILES:
            if not (wanted / name).exists():
                shutil.copy2(key_dir / name, wanted / name)
                os.chmod(wanted / name, 0o600)
        fsync_dir(wanted)
    if target.exists():
        os.replace(target, target.with_name(target.name + ".before-restore"))
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    tmp = target.with_name(target.name + ".restoring")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"{backup.resolve().as_uri()}?immutable=1", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    os.replace(tmp, target)
    checkpoint = head_path(backup).exists()
    if checkpoint:
        shutil.copy2(head_path(backup), head_path(target))
        os.chmod(head_path(target), 0o600)
    fsync_dir(target.parent)
    last = int(str(rows[-1]["seq"])) if rows else 0
    return Restored(records=len(rows), last_seq=last, checkpoint=checkpoint)
