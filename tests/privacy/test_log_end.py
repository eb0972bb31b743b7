"""A log whose end is witnessed (issue 14, break 4): cutting records from the end shows."""

from __future__ import annotations

import base64
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sync.store import Store
from sync.store.head import head_path
from tests.privacy.test_at_rest import ROOT, seeded

IDENTITY = bytes.fromhex("01" + "00" * 31)  # the small-order key every (identity ‖ 0) verifies


def verify(db: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "verify", str(db), *more],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def copy_of(tmp_path: Path, name: str, *, keys: bool = True, head: bool = True) -> Path:
    """The kiosk database, its checkpoint and its keys copied to a folder of their own."""
    target = tmp_path / name
    target.mkdir()
    src = sqlite3.connect(tmp_path / "kiosk.sqlite3")
    dst = sqlite3.connect(target / "kiosk.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    if head:
        shutil.copy(head_path(tmp_path / "kiosk.sqlite3"), head_path(target / "kiosk.sqlite3"))
    if keys:
        shutil.copytree(tmp_path / "keys", target / "keys")
    return target / "kiosk.sqlite3"


def run_sql(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("cut", "expected"),
    [
        ("DELETE FROM events WHERE seq = 20", "record 20: record 20 missing after the last row"),
        ("DELETE FROM events WHERE seq >= 19", "record 19: records 19–20 missing after the last"),
        ("DELETE FROM events", "record 1: records 1–20 missing after the last row"),
    ],
    ids=["last", "last-two", "all"],
)
def test_a_tail_cut_is_named_by_its_missing_range(tmp_path: Path, cut: str, expected: str) -> None:
    store, _ = seeded(tmp_path)
    store.close()
    assert "20 records, signed end 20" in verify(tmp_path / "kiosk.sqlite3").stdout
    db = copy_of(tmp_path, "cut")
    run_sql(db, cut)
    out = verify(db)
    assert out.returncode == 1, out.stdout
    assert expected in out.stdout
    assert "(the signed checkpoint says the log reached 20)" in out.stdout


def test_the_checkpoint_is_signed_and_must_match_the_rows(tmp_path: Path) -> None:
    store, _ = seeded(tmp_path)
    store.close()
    # A checkpoint copied from another kiosk (or made up) is not this device's.
    other = tmp_path / "other"
    other_store, _ = seeded(other)
    other_store.close()
    db = copy_of(tmp_path, "foreign")
    shutil.copy(head_path(other / "kiosk.sqlite3"), head_path(db))
    out = verify(db)
    assert out.returncode == 1 and "the checkpoint is not signed by this device key" in out.stdout
    # Without a checkpoint the end of the log cannot be vouched for: said, and non-zero.
    db = copy_of(tmp_path, "headless", head=False)
    out = verify(db)
    assert out.returncode == 1 and "no signed checkpoint at" in out.stdout


def test_verify_never_writes_and_says_what_is_missing(tmp_path: Path) -> None:
    """Break 7: a copy without keys/ got a fresh key minted, then every row called forged."""
    store, _ = seeded(tmp_path)
    store.close()
    db = copy_of(tmp_path, "no-keys", keys=False)
    before = sorted(p.name for p in db.parent.iterdir())
    out = verify(db)
    assert out.returncode == 1 and out.stdout == ""
    assert "no device key at" in out.stderr and "--public-key" in out.stderr
    assert "Traceback" not in out.stderr
    assert sorted(p.name for p in db.parent.iterdir()) == before  # nothing created
    folder = verify(db.parent)
    assert folder.returncode == 1 and "is a folder" in folder.stderr
    assert "Traceback" not in folder.stderr
    # With the platform's copy of the key it verifies, still without writing anything.
    public = Store.open(tmp_path / "kiosk.sqlite3").device_public_key()
    out = verify(db, "--public-key", public)
    assert out.returncode == 0 and "INTACT" in out.stdout, out.stdout + out.stderr
    assert sorted(p.name for p in db.parent.iterdir()) == before


def test_a_small_order_public_key_does_not_fool_verify(tmp_path: Path) -> None:
    """Break 3: with the identity point as the key, (identity ‖ 0) verified every forged row."""
    store, _ = seeded(tmp_path)
    store.close()
    db = copy_of(tmp_path, "forged", head=False)
    forged = base64.b64encode(IDENTITY + bytes(32)).decode()
    run_sql(db, f"UPDATE events SET attendee_id = 'A1', signature = '{forged}'")
    out = verify(db, "--public-key", base64.b64encode(IDENTITY).decode())
    assert out.returncode == 1 and "INTACT" not in out.stdout
    assert "bad public key: a small-order point" in out.stderr


def test_a_torn_checkpoint_write_leaves_the_one_before_never_one_ahead(tmp_path: Path) -> None:
    from sync import chain
    from sync.store.head import SLOT, read_head, write_head

    key = chain.Ed25519PrivateKey.generate()
    path = tmp_path / "k.sqlite3.head.json"
    for seq in (1, 2, 3):
        write_head(path, chain.sign_head(key, seq, f"{seq:064x}"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = read_head(path)
    assert found is not None and found.seq == 3
    raw = bytearray(path.read_bytes())
    raw[SLOT : SLOT + 40] = b"\x00" * 40  # record 3's slot torn by a power cut
    path.write_bytes(bytes(raw))
    found = read_head(path)
    assert found is not None and found.seq == 2 and chain.verify_head(key.public_key(), found)
