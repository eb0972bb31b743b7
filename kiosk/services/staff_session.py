"""Who is signed in to staff mode at a desk: named staff by their own PIN, or the shared PIN.

The PIN is matched off the desk thread (argon2 takes a noticeable fraction of a second per
member, and check-ins must not wait behind it): against every named member pulled with the
project, the most recent signer first, under the desk's growing delay after wrong PINs (never a
lockout). A project without named staff opens staff mode with the shared staff PIN (or at once
when it has none); actions that record something then need a named member.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.core.timeutil import Clock, utc_now
from kiosk.services.pins import PinGuard, PinResult, pin_matches
from sync.store import Store

log = logging.getLogger(__name__)

# Reason codes for refused staff actions (the screen's catalogue maps them to text).
NOT_SIGNED_IN = "not_signed_in"
NAMED_STAFF_REQUIRED = "named_staff_required"


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who opened staff mode: a named member (staff_id) or the shared PIN (named=False)."""

    staff_id: str
    name: str
    role: str
    how: str  # signed_in (named member) | shared_pin | no_pin

    @property
    def named(self) -> bool:
        """A named member, whose id can go into records."""
        return bool(self.staff_id)


@dataclass(frozen=True, slots=True)
class PinMatch:
    """A sign-in attempt's answer: the PIN verdict, and who it is when right."""

    result: PinResult
    who: SignedIn | None = None
    asked: bool = False  # a PIN is needed and none was given


class StaffSession:
    """The desk's staff sign-in; `match` on any thread, the rest on the desk thread."""

    def __init__(
        self, store: Store, project: str, *, pins: PinGuard, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._project = project
        self._pins = pins
        self._clock = clock
        self.current: SignedIn | None = None  # desk thread only

    def pin_needed(self) -> bool:
        """Whether opening staff mode needs a PIN (named staff, or a shared PIN set)."""
        return self._store.staff.count(self._project) > 0 or self._pins.is_set

    def match(self, pin: str | None) -> PinMatch:
        """Check a PIN against the named staff, else the shared staff PIN (slow: argon2)."""
        members = self._store.staff.members(self._project)
        if not members and not self._pins.is_set:
            return PinMatch(PinResult(ok=True), SignedIn("", "", "staff", "no_pin"))
        if pin is None:
            return PinMatch(PinResult(ok=False), asked=True)
        if not members:
            result = self._pins.check(pin)
            return PinMatch(result, SignedIn("", "", "staff", "shared_pin") if result.ok else None)
        found: list[SignedIn] = []

        def verify() -> bool:
            for m in members:
                if pin_matches(m.pin_hash, pin):
                    found.append(SignedIn(m.staff_id, m.name, m.role, "signed_in"))
                    return True
            return False

        result = self._pins.attempt(verify)
        if result.ok and found:
            self._store.staff.signed_in(self._project, found[0].staff_id, self._clock())
            return PinMatch(result, found[0])
        return PinMatch(result)

    def refusal(self) -> str:
        """Why a recording action cannot run now ('' when it can): the reason code."""
        if self.current is None:
            return NOT_SIGNED_IN
        if not self.current.named:
            return NAMED_STAFF_REQUIRED
        return ""
