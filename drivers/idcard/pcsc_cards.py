"""Which card lies on which PC/SC reader: one event per placement, retries, service restarts.

Owned by the PC/SC worker thread (not thread-safe). The worker reports reader states here and
passes a `transmit(reader)` that returns the raw UID, raises CardBusy when the card did not
answer this time, or CardRefused when it never will (it does not support reading its UID).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from drivers.idcard.base import Listeners
from drivers.idcard.events import CardError, CardRemoved, CardUid
from drivers.idcard.uid import UnusableUid, check_uid, format_uid

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # a card that never answers is given up after this many tries


class CardBusy(Exception):
    """The card did not answer this time (still sliding in, or just left): try again."""

    def __init__(self, detail: str, *, gone: bool) -> None:
        super().__init__(detail)
        self.gone = gone  # the reader says the card left: its removal event follows


class CardRefused(Exception):
    """The card answered but cannot give a UID: reported once, not retried."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(slots=True)
class _Slot:
    """The card on one reader, from insertion to removal."""

    count: int  # pcsc-lite's insertion/removal counter when it was seen
    atr: bytes
    uid: bytes | None = None
    done: bool = False  # read, or failed for good: nothing more to do until it leaves
    reported: bool = False  # an event was emitted, so its removal is reported too
    attempts: int = 0
    failures: int = 0  # attempts the card did not answer while the reader said it was there
    next_try: float = 0.0


class CardTracker:
    """Turns reader states into CardUid / CardError / CardRemoved events."""

    def __init__(
        self,
        listeners: Listeners,
        *,
        uid_format: str,
        clock: Callable[[], float],
        retry_s: float,
        settle_s: float,
    ) -> None:
        self._listeners = listeners
        self._uid_format = uid_format
        self._clock = clock
        self._retry_s = retry_s
        self._settle_s = settle_s
        self._slots: dict[str, _Slot] = {}
        # UIDs on readers when the service went away: the same UID on the same reader after
        # recovery is the card that stayed, not a new tap.
        self._stale: dict[str, bytes] = {}
        self._stale_until: float | None = None

    def on_state(
        self,
        reader: str,
        *,
        present: bool,
        count: int,
        atr: bytes,
        transmit: Callable[[str], bytes],
    ) -> None:
        """A reader's new state from SCardGetStatusChange."""
        slot = self._slots.get(reader)
        if slot is not None and (not present or count != slot.count):
            self._remove(reader)
            slot = None
        if present and slot is None:
            slot = self._slots[reader] = _Slot(count, atr)
            self._attempt(reader, slot, transmit)

    def retry_due(self, transmit: Callable[[str], bytes]) -> None:
        """Read again every card whose last attempt failed and whose retry time has come."""
        now = self._clock()
        for reader, slot in list(self._slots.items()):
            if not slot.done and now >= slot.next_try:
                self._attempt(reader, slot, transmit)

    def next_retry_in(self) -> float | None:
        """Seconds until the next pending retry (or stale expiry), None if nothing is pending."""
        times = [s.next_try for s in self._slots.values() if not s.done]
        if self._stale and self._stale_until is not None:
            times.append(self._stale_until)
        return max(0.0, min(times) - self._clock()) if times else None

    def reader_gone(self, reader: str) -> None:
        """A reader disappeared from the list: its card went with it."""
        if reader in self._slots:
            self._remove(reader)
        if self._stale.pop(reader, None) is not None:
            self._listeners.emit(CardRemoved(reader, self._clock()))

    def service_lost(self) -> None:
        """The PC/SC service went away: remember what was read, to recognise it afterwards."""
        for reader, slot in self._slots.items():
            if slot.uid is not None and slot.reported:
                self._stale[reader] = slot.uid
        self._slots.clear()
        self._stale_until = None  # the settle time starts when the service is back

    def service_back(self) -> None:
        """The service answers again: cards that stayed must reappear within the settle time."""
        if self._stale and self._stale_until is None:
            self._stale_until = self._clock() + self._settle_s

    def expire_stale(self) -> None:
        """Cards that did not come back within the settle time were removed meanwhile."""
        if not self._stale or self._stale_until is None or self._clock() < self._stale_until:
            return
        for reader in list(self._stale):
            del self._stale[reader]
            self._listeners.emit(CardRemoved(reader, self._clock()))

    def drop_all(self) -> None:
        """Start over: every card known so far is reported removed."""
        reported = {r for r, s in self._slots.items() if s.reported} | set(self._stale)
        self._slots.clear()
        self._stale.clear()
        for reader in sorted(reported):
            self._listeners.emit(CardRemoved(reader, self._clock()))

    # -- internals -----------------------------------------------------------------------

    def _remove(self, reader: str) -> None:
        slot = self._slots.pop(reader)
        if slot.reported:
            self._listeners.emit(CardRemoved(reader, self._clock()))

    def _attempt(self, reader: str, slot: _Slot, transmit: Callable[[str], bytes]) -> None:
        slot.attempts += 1
        try:
            raw = transmit(reader)
        except CardBusy as exc:
            slot.next_try = self._clock() + self._retry_s
            slot.failures += 0 if exc.gone else 1
            # The first failure is often a card still moving: tell the desk from the second.
            if slot.failures == 2 and not slot.reported:
                slot.reported = True
                self._error(reader, "card_not_readable", str(exc))
            if slot.attempts >= MAX_ATTEMPTS:
                slot.done = True
            return
        except CardRefused as exc:
            slot.done = slot.reported = True
            self._error(reader, exc.code, str(exc))
            return
        slot.done = True
        slot.uid = raw
        slot.reported = True
        before = self._stale.pop(reader, None)
        if before == raw:
            log.info("%s: the same card is still there after the service came back", reader)
            return
        if before is not None:
            self._listeners.emit(CardRemoved(reader, self._clock()))
        try:
            uid = format_uid(check_uid(raw), self._uid_format)
        except UnusableUid as exc:
            self._error(reader, exc.code, exc.detail)
            return
        except ValueError as exc:
            self._error(reader, "uid_format", str(exc))
            return
        log.info("%s: card UID read (%d bytes)", reader, len(raw))
        self._listeners.emit(CardUid(reader, uid, raw, slot.atr, self._clock()))

    def _error(self, reader: str, code: str, detail: str) -> None:
        log.warning("%s: %s", reader, detail)
        self._listeners.emit(CardError(reader, code, detail, self._clock()))
