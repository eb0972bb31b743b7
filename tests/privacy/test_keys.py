"""Key storage: 0600 files by default, the OS keyring when asked and usable, never the database."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from sync.store import key_files as keys


class MemoryKeyring(KeyringBackend):
    """Stands in for the desktop keyring (Secret Service needs a D-Bus session CI does not have)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_file_keys_are_private_and_stable(tmp_path: Path) -> None:
    first = keys.secret_key(tmp_path / "keys", "fields")
    assert len(first) == 32 and keys.secret_key(tmp_path / "keys", "fields") == first
    assert stat.S_IMODE(os.stat(tmp_path / "keys" / "fields.key").st_mode) == 0o600
    (tmp_path / "keys" / "bad.key").write_bytes(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        keys.secret_key(tmp_path / "keys", "bad")


def test_keyring_holds_the_key_when_asked(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    key = keys.secret_key(tmp_path / "keys", "fields", use_keyring=True)
    assert keys.secret_key(tmp_path / "keys", "fields", use_keyring=True) == key
    assert not (tmp_path / "keys" / "fields.key").exists()  # nothing on disk
    assert len(memory_keyring.items) == 1


def test_no_usable_keyring_falls_back_to_the_file(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        keys.secret_key(tmp_path / "keys", "fields", use_keyring=True)
    finally:
        keyring.set_keyring(previous)
    assert (tmp_path / "keys" / "fields.key").exists()


def test_sealed_fields_round_trip_and_detect_tampering() -> None:
    cipher = keys.AesGcmFields(b"k" * 32)
    sealed = cipher.seal("张伟 150102198503150041")
    assert sealed.startswith("g1:") and "张伟" not in sealed
    assert cipher.unseal(sealed) == "张伟 150102198503150041"
    assert cipher.seal("x") != cipher.seal("x")  # a fresh nonce each time
    blob = bytearray(cipher.seal_bytes(b"template"))
    blob[-1] ^= 1
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        cipher.unseal_bytes(bytes(blob))
