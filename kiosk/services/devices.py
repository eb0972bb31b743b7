"""Devices as staff see them: each one's state and last error, and a reconnect that never blocks.

The runtime owns the devices; the composition root hands this board a `reconnect(name)` that
stops and starts one of them. That joins a worker thread (seconds, for a reader that hangs), so
it runs on a thread of its own: neither the GUI thread nor the desk's check-in thread waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime

from kiosk.services.screen import DeviceReason, DeviceStatus, ScreenEvent

log = logging.getLogger(__name__)

Reconnect = Callable[[str], None]


class DeviceBoard:
    """The latest DeviceStatus of every device, with its last error; reconnects one on request."""

    def __init__(
        self, publish: Callable[[ScreenEvent], None], *, clock: Callable[[], datetime]
    ) -> None:
        self._publish = publish
        self._clock = clock
        self._lock = threading.Lock()
        # Held from a state's change to its publication, so listeners see states in the order the
        # board took them: else a reader's "opening" (the GUI thread) could be published after its
        # "ready" (its worker) and the screen would keep showing "opening". Re-entrant: a listener
        # may report in turn.
        self._order = threading.RLock()
        self._states: dict[str, DeviceStatus] = {}
        self._reconnect: Reconnect | None = None
        self._reconnectable: frozenset[str] = frozenset()
        self._busy: set[str] = set()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="device-reconnect")

    def report(
        self, name: str, *, ok: bool, reason: DeviceReason, detail: str = "", starting: bool = False
    ) -> None:
        """Record and publish one device's state (any thread); off, not starting, is an error."""
        with self._order:
            with self._lock:
                before = self._states.get(name)
                last, at = (before.last_error, before.last_error_at) if before else (None, None)
                if not ok and not starting:
                    last, at = reason, self._clock()
                status = DeviceStatus(name, ok, reason, detail, last_error=last, last_error_at=at,
                                      reconnectable=name in self._reconnectable)  # fmt: skip
                self._states[name] = status
            self._publish(status)

    def states(self) -> list[DeviceStatus]:
        """Every device reported so far, in the order they first reported."""
        with self._lock:
            return list(self._states.values())

    def attach(self, reconnect: Reconnect, names: Iterable[str]) -> None:
        """Let staff reconnect the devices `names` through `reconnect(name)` (the runtime's)."""
        with self._order:
            with self._lock:
                self._reconnect = reconnect
                self._reconnectable = frozenset(names)
                states = [replace(s, reconnectable=s.name in self._reconnectable)
                          for s in self._states.values()]  # fmt: skip
                self._states = {s.name: s for s in states}
            for status in states:
                self._publish(status)

    def can_reconnect(self, name: str) -> bool:
        """Whether staff can reconnect `name` now (registered, and no reconnect of it running)."""
        with self._lock:
            return (
                self._reconnect is not None
                and name in self._reconnectable
                and (name not in self._busy)
            )

    def reconnect(self, name: str) -> Future[bool]:
        """Reconnect `name` on the reconnect thread: False if it cannot be (or already is)."""
        done: Future[bool] = Future()
        with self._lock:
            reconnect = self._reconnect
            if reconnect is None or name not in self._reconnectable or name in self._busy:
                log.warning("device %s: reconnect refused (unknown, or already running)", name)
                done.set_result(False)
                return done
            self._busy.add(name)

        def run() -> bool:
            log.info("device %s: reconnect asked by staff", name)
            try:
                reconnect(name)
            # A driver that fails to restart is a state for staff to see, not a dead thread.
            except Exception as exc:
                log.exception("device %s: reconnect failed", name)
                why = DeviceReason("reconnect_failed", (type(exc).__name__,))
                self.report(name, ok=False, reason=why, detail=f"reconnect failed: {exc}")
                return False
            finally:
                with self._lock:
                    self._busy.discard(name)
            return True

        try:
            return self._executor.submit(run)
        except RuntimeError:  # the desk is closing
            with self._lock:
                self._busy.discard(name)
            done.set_result(False)
            return done

    def stop(self) -> None:
        """Finish a reconnect in progress and end the reconnect thread."""
        self._executor.shutdown(wait=True)
