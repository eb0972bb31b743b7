"""The kiosk's secrets (field, index and device signing keys): never in the database."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.core.errors import KeysMissing

log = logging.getLogger(__name__)

KEYRING_SERVICE = "cme-kiosk"


def fsync_dir(folder: Path) -> None:
    """Make a file's creation, rename or removal in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_private(path: Path, data: bytes) -> None:
    """Create a file readable by the kiosk user only, durably (its folder fsynced too)."""
    fresh_dir = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if fresh_dir:
        fsync_dir(path.parent.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    fsync_dir(path.parent)  # a power cut after this cannot lose the key the data is sealed with


def _missing(path: Path) -> KeysMissing:
    return KeysMissing(
        f"{path} is missing but {path.parent.parent} holds a kiosk database: its keys/ folder"
        " must come with it (restore them, e.g. `cme-kiosk restore BACKUP --keys DIR`);"
        " no new key was made"
    )


def _from_keyring(name: str, *, create: bool = True) -> bytes | None:
    """A key from the OS keyring, or None without a usable backend (headless kiosks)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "fail" in type(backend).__module__:
        return None
    try:
        stored = keyring.get_password(KEYRING_SERVICE, name)
        if stored is None and not create:
            return None
        if stored is None:
            stored = base64.b64encode(secrets.token_bytes(32)).decode()
            keyring.set_password(KEYRING_SERVICE, name, stored)
    # A locked or broken keyring falls back to the file.
    except Exception as exc:  # noqa: BLE001
        log.warning("OS keyring unusable (%s): using the key file", type(exc).__name__)
        return None
    return base64.b64decode(stored)


def secret_key(
    key_dir: Path, name: str, *, use_keyring: bool = False, create: bool = True
) -> bytes:
    """A 32-byte key: from the OS keyring when asked and available, else a 0600 file in key_dir.

    `create=False` (a database that already exists) raises KeysMissing instead of minting one.
    """
    if use_keyring:
        found = _from_keyring(f"{name}:{key_dir.resolve()}", create=create)
        if found is not None:
            return found
    path = key_dir / f"{name}.key"
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise ValueError(f"{path}: key file must hold 32 bytes, found {len(key)}")
        return key
    if not create:
        raise _missing(path)
    key = secrets.token_bytes(32)
    _write_private(path, key)
    return key


def device_key(key_dir: Path, *, create: bool = True) -> Ed25519PrivateKey:
    """The device's Ed25519 signing key (created on first use, 0600; else KeysMissing)."""
    path = key_dir / "device-ed25519.key"
    if not path.exists():
        if not create:
            raise _missing(path)
        _write_private(path, secrets.token_bytes(32))
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Raw 32-byte public key, base64: how the platform registers and auditors receive it."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(pub.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


class AesGcmFields:
    """Seals personal fields with AES-256-GCM; each value has its own random 96-bit nonce."""

    PREFIX = "g1:"

    def __init__(self, key: bytes):
        self._aead = AESGCM(key)

    def seal(self, text: str) -> str:
        """Encrypt a text field to a tagged base64 string."""
        return self.PREFIX + base64.b64encode(self.seal_bytes(text.encode())).decode()

    def unseal(self, stored: str) -> str:
        """Decrypt a field written by seal (plaintext from before encryption passes through)."""
        if not stored.startswith(self.PREFIX):
            return stored
        return self.unseal_bytes(base64.b64decode(stored[len(self.PREFIX) :])).decode()

    def seal_bytes(self, data: bytes) -> bytes:
        """Encrypt a blob (templates, photos): nonce || ciphertext+tag."""
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, data, None)

    def unseal_bytes(self, blob: bytes) -> bytes:
        """Decrypt a blob written by seal_bytes."""
        return self._aead.decrypt(blob[:12], blob[12:], None)
