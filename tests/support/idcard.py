"""ID-card reader test material: fast SAM timings, an event collector, a simulator rig."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from drivers.idcard.events import CardEvent, ReaderState, ReaderStatus
from drivers.idcard.sam import SamReader, SamTiming
from drivers.sim.sam_reader import SamSimulator

FAST = SamTiming(
    poll_s=0.01,
    command_timeout_s=0.25,
    read_timeout_s=0.5,
    removal_s=0.3,
    retry_s=0.02,
    reconnect_s=0.05,
    max_timeouts=3,
)


class Events:
    """Collects a reader's events (listener side) and lets a test wait for one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.items: list[CardEvent] = []

    def __call__(self, event: CardEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def of(self, kind: type[Any]) -> list[Any]:
        """Every event of one type so far, in order."""
        with self._cond:
            return [e for e in self.items if isinstance(e, kind)]

    def wait(
        self,
        kind: type[Any],
        predicate: Callable[[Any], bool] = lambda e: True,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> Any:
        """The `count`-th event of `kind` matching `predicate`; fails the test on timeout."""

        def matches() -> list[Any]:
            return [e for e in self.items if isinstance(e, kind) and predicate(e)]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matches()) >= count, timeout):
                summary = [type(e).__name__ for e in self.items]
                pytest.fail(f"no {count}× {kind.__name__} within {timeout} s; got {summary}")
            return matches()[count - 1]

    def wait_status(self, status: ReaderStatus, *, count: int = 1, timeout: float = 5.0) -> Any:
        """Wait for a ReaderState with this status."""
        return self.wait(ReaderState, lambda s: s.status is status, count=count, timeout=timeout)

    def settle(self, seconds: float) -> None:
        """Let the reader run a while (to show that nothing more happens)."""
        time.sleep(seconds)


class SamRig:
    """A simulator and a reader on its pty, with the reader's events."""

    def __init__(self, sim: SamSimulator, reader: SamReader, events: Events) -> None:
        self.sim = sim
        self.reader = reader
        self.events = events
