"""Staff and organizer PINs: argon2 hashes; wrong entries grow a delay, never a lockout."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.core.timeutil import Clock, utc_now

log = logging.getLogger(__name__)

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
FREE_ATTEMPTS = 3  # typos are normal: the first few wrong PINs cost nothing
MAX_DELAY = timedelta(minutes=5)  # the desk is never locked for good: a manager can always retry


class PinError(ValueError):
    """A PIN that may not be set (too short, not digits, a trivial sequence)."""


@dataclass(frozen=True, slots=True)
class PinResult:
    """Whether the PIN was right, and how long to wait before the next try."""

    ok: bool
    wait: timedelta = timedelta(0)
    not_set: bool = False


def delay_after(failures: int) -> timedelta:
    """No delay for the first few failures, then 2, 4, 8 … seconds, capped at five minutes."""
    if failures <= FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_ATTEMPTS, 20)), MAX_DELAY)


def validate_new_pin(pin: str) -> None:
    """Six to twelve digits, not all the same, not a straight run."""
    if not re.fullmatch(r"\d{6,12}", pin):
        raise PinError("PIN must be 6 to 12 digits")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise PinError("PIN is too easy to guess")


def hash_pin(pin: str) -> str:
    """A validated PIN as an argon2id hash (what the platform's administration issues)."""
    validate_new_pin(pin)
    return _HASHER.hash(pin)


def pin_matches(pin_hash: str, pin: str) -> bool:
    """Whether `pin` is the PIN behind an argon2 hash (False for a hash that is not one)."""
    try:
        return bool(_HASHER.verify(pin_hash, pin))
    except (VerificationError, InvalidHashError):
        return False


class PinStore(Protocol):
    """Where a PinGuard keeps the hash and the failure count (sync.store.Store's meta)."""

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A stored value, or `default`."""

    def set_meta(self, key: str, value: str) -> None:
        """Store a value durably."""


class PinGuard:
    """Checks one role's PIN ('staff' or 'organizer'); its state survives restarts."""

    def __init__(self, store: PinStore, role: str, *, clock: Clock = utc_now):
        self._store = store
        self._role = role
        self._clock = clock

    def _state(self) -> dict[str, object]:
        raw = self._store.get_meta(f"pin_state:{self._role}")
        return json.loads(raw) if raw else {"failures": 0, "not_before": None}

    def _save_state(self, failures: int, not_before: datetime | None) -> None:
        state = {"failures": failures, "not_before": not_before.isoformat() if not_before else None}
        self._store.set_meta(f"pin_state:{self._role}", json.dumps(state))

    def set_pin(self, pin: str) -> None:
        """Set a new PIN locally (validated), clearing the failure count."""
        self.set_hash(hash_pin(pin))

    def set_hash(self, pin_hash: str) -> None:
        """Install a PIN hash issued by the platform's administration (the recovery path)."""
        if not pin_hash.startswith("$argon2"):
            raise PinError("not an argon2 PIN hash")
        self._store.set_meta(f"pin_hash:{self._role}", pin_hash)
        self._save_state(0, None)
        log.info("%s PIN changed", self._role)

    @property
    def is_set(self) -> bool:
        """Whether this role has a PIN on this kiosk."""
        return self._store.get_meta(f"pin_hash:{self._role}") is not None

    def install(self, pin_hash: str) -> bool:
        """set_hash unless this hash is already installed (a pull repeats it); True if changed."""
        if self._store.get_meta(f"pin_hash:{self._role}") == pin_hash:
            return False
        self.set_hash(pin_hash)
        return True

    def check(self, pin: str) -> PinResult:
        """Verify a PIN unless the delay after earlier failures is still running."""
        pin_hash = self._store.get_meta(f"pin_hash:{self._role}")
        if pin_hash is None:
            return PinResult(ok=False, not_set=True)
        return self.attempt(lambda: pin_matches(pin_hash, pin))

    def attempt(self, verify: Callable[[], bool]) -> PinResult:
        """Run `verify` (is the PIN right?) under this role's delay; count a failure, or reset."""
        now = self._clock()
        state = self._state()
        not_before = state["not_before"]
        if isinstance(not_before, str) and now < datetime.fromisoformat(not_before):
            return PinResult(ok=False, wait=datetime.fromisoformat(not_before) - now)
        if not verify():
            failures = int(str(state["failures"])) + 1
            wait = delay_after(failures)
            self._save_state(failures, now + wait if wait else None)
            log.warning("wrong %s PIN (%d in a row)", self._role, failures)
            return PinResult(ok=False, wait=wait)
        self._save_state(0, None)
        return PinResult(ok=True)
