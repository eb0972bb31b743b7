"""Backups come back only with their keys; keys are never minted for an existing database;
key folders are fsynced (issue 14, break 7)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.errors import KeysMissing
from sync.store import Store, key_files
from sync.store.head import head_path
from tests.privacy.test_at_rest import ROOT, seeded


def cli(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *argv], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False, env={**os.environ, "CME_KIOSK_DATA_DIR": str(data_dir)},
    )  # fmt: skip


def test_a_database_without_its_keys_is_refused_not_given_new_keys(tmp_path: Path) -> None:
    store, _ = seeded(tmp_path)
    store.close()
    shutil.rmtree(tmp_path / "keys")
    with pytest.raises(KeysMissing, match="keys/ folder must come with it"):
        Store.open(tmp_path / "kiosk.sqlite3")
    assert not (tmp_path / "keys").exists()  # nothing minted
    out = cli(tmp_path, "status")
    assert out.returncode == 1 and "Traceback" not in out.stderr and "InvalidTag" not in out.stderr
    assert "no new key was made" in out.stderr
    assert not (tmp_path / "keys").exists()


def test_backup_and_restore_with_its_keys(tmp_path: Path) -> None:
    kiosk = tmp_path / "kiosk"
    store, _ = seeded(kiosk)
    store.close()
    backup = tmp_path / "backups" / "monday.sqlite3"
    out = cli(kiosk, "backup", str(backup))
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE(head_path(backup).stat().st_mode) == 0o600

    # A new laptop: the backup without the kiosk's keys is refused, nothing is written.
    fresh = tmp_path / "new-laptop"
    out = cli(fresh, "restore", str(backup))
    assert out.returncode == 1 and "the backup's keys are not in" in out.stderr
    assert not (fresh / "kiosk.sqlite3").exists() and not (fresh / "keys").exists()
    # Another kiosk's keys do not open it either.
    other = tmp_path / "other"
    seeded(other)[0].close()
    out = cli(fresh, "restore", str(backup), "--keys", str(other / "keys"))
    assert out.returncode == 1 and "do not open this backup" in out.stderr
    assert not (fresh / "kiosk.sqlite3").exists()
    # With its own keys it comes back whole, checkpoint included, and verifies.
    out = cli(fresh, "restore", str(backup), "--keys", str(kiosk / "keys"))
    assert out.returncode == 0, out.stderr
    assert "restored 20 check-in records (last seq 20)" in out.stdout
    restored = Store.open(fresh / "kiosk.sqlite3")
    assert len(restored.roster.attendees("2026-15-01-001")) == 21  # 20 and a walk-in
    restored.close()
    out = cli(fresh, "verify", str(fresh / "kiosk.sqlite3"))
    assert out.returncode == 0 and "signed end 20" in out.stdout and "INTACT" in out.stdout
    for f in (fresh / "kiosk.sqlite3", head_path(fresh / "kiosk.sqlite3"),
              *(fresh / "keys").iterdir()):  # fmt: skip
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    # A database already there is replaced only with --force (and kept aside).
    out = cli(fresh, "restore", str(backup))
    assert out.returncode == 1 and "--force" in out.stderr
    out = cli(fresh, "restore", str(backup), "--force")
    assert out.returncode == 0 and (fresh / "kiosk.sqlite3.before-restore").exists()


def test_key_folders_are_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A power cut right after a key is made must not lose it: its folder entry is synced."""
    synced: list[str] = []
    real = os.fsync

    def recording(fd: int) -> None:
        real(fd)
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")

    monkeypatch.setattr(os, "fsync", recording)
    key_files.secret_key(tmp_path / "keys", "fields")
    assert synced[-2:] == ["file", "dir"]
    synced.clear()
    key_files.device_key(tmp_path / "keys")
    assert synced[-2:] == ["file", "dir"]
