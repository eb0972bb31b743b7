"""Where the kiosk keeps its enrollment: ids in store meta, the token in a 0600 file or keyring.

The token is a credential: it is never logged, never put in the database, and its file is created
0600 inside the store's key directory (0700) and replaced atomically on re-enrollment.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

KEYRING_SERVICE = "cme-kiosk"
TOKEN_FILE = "platform-token"  # noqa: S105 - a file name, not a secret
# Store meta keys of the enrollment (the device id key is the one kiosk.app reads).
META_DEVICE = "device_id"
META_SERVER = "platform_url"
META_PROJECT = "platform_project"
META_CA = "platform_ca_bundle"
META_ROLE = "platform_role"
META_DESK = "platform_desk_name"


class StateStore(Protocol):
    """What the enrollment needs of the kiosk store: its meta values and where it lives."""

    @property
    def path(self) -> Path:
        """The database file (the key directory is beside it)."""

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A stored value, or `default`."""

    def set_meta(self, key: str, value: str) -> None:
        """Store a value durably."""


@dataclass(frozen=True, slots=True)
class EnrollmentState:
    """What this kiosk knows about its enrollment (the token is not part of it)."""

    device_id: str | None
    server_url: str | None
    project: str | None
    ca_bundle: Path | None
    role: str | None
    desk_name: str | None

    @property
    def enrolled(self) -> bool:
        """Whether an enrollment was completed on this store."""
        return bool(self.device_id and self.project)


def key_dir(store: StateStore) -> Path:
    """The store's key directory (Store.open's default: `keys/` beside the database)."""
    return store.path.parent / "keys"


def read_state(store: StateStore) -> EnrollmentState:
    """The enrollment recorded in the store (all None on a fresh kiosk)."""
    ca = store.get_meta(META_CA)
    return EnrollmentState(
        device_id=store.get_meta(META_DEVICE),
        server_url=store.get_meta(META_SERVER),
        project=store.get_meta(META_PROJECT),
        ca_bundle=Path(ca) if ca else None,
        role=store.get_meta(META_ROLE),
        desk_name=store.get_meta(META_DESK),
    )


def write_state(store: StateStore, state: EnrollmentState) -> None:
    """Record the enrollment in store meta (each value durably)."""
    values = {
        META_DEVICE: state.device_id, META_SERVER: state.server_url, META_PROJECT: state.project,
        META_CA: str(state.ca_bundle) if state.ca_bundle else "", META_ROLE: state.role,
        META_DESK: state.desk_name,
    }  # fmt: skip
    for key, value in values.items():
        store.set_meta(key, value or "")


def _keyring_name(store: StateStore) -> str:
    return f"platform-token:{key_dir(store).resolve()}"


def _keyring() -> object | None:
    """The keyring module when a usable backend exists (headless kiosks have none)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "fail" in type(backend).__module__:
        return None
    return keyring


def save_token(store: StateStore, token: str, *, use_keyring: bool) -> str:
    """Keep the bearer token; return where ("keyring" or the file path), never the token."""
    if use_keyring:
        ring = _keyring()
        if ring is not None:
            try:
                ring.set_password(KEYRING_SERVICE, _keyring_name(store), token)  # type: ignore[attr-defined]
                _remove_file(store)  # one place only: an old file must not outlive a re-enrollment
                return "keyring"
            except Exception as exc:  # noqa: BLE001 - a locked keyring falls back to the file
                log.warning(
                    "OS keyring unusable (%s): keeping the token in a file", type(exc).__name__
                )
    path = key_dir(store) / TOKEN_FILE
    _write_private_atomic(path, token.encode("ascii"))
    return str(path)


def load_token(store: StateStore, *, use_keyring: bool) -> str | None:
    """The bearer token, or None when this kiosk has none."""
    if use_keyring:
        ring = _keyring()
        if ring is not None:
            try:
                found = ring.get_password(KEYRING_SERVICE, _keyring_name(store))  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001
                log.warning("OS keyring unusable (%s): trying the token file", type(exc).__name__)
            else:
                if found:
                    return str(found)
    path = key_dir(store) / TOKEN_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.error("cannot read the platform token file %s: %s", path, type(exc).__name__)
        return None
    return text or None


def _remove_file(store: StateStore) -> None:
    (key_dir(store) / TOKEN_FILE).unlink(missing_ok=True)


def _write_private_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, readable by the kiosk user only, surviving a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
