"""The card-reader Protocol the desk codes against, and the listener plumbing readers share."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from drivers.idcard.events import CardEvent, ReaderState, ReaderStatus

log = logging.getLogger(__name__)

Listener = Callable[[CardEvent], None]


class CardReader(Protocol):
    """A card reader with its own worker thread; events go to listeners on that thread."""

    def start(self) -> None:
        """Start the worker (idempotent); status changes follow as ReaderState events."""

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the worker and join it."""

    @property
    def state(self) -> ReaderState:
        """The current status."""

    def add_listener(self, listener: Listener) -> None:
        """Call `listener` on the worker thread for every event (keep it short; never block)."""


class Listeners:
    """Thread-safe listener list; a listener that raises is logged, never kills the worker."""

    def __init__(self, reader: str) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self.reader = reader

    def add(self, listener: Listener) -> None:
        """Register a listener."""
        with self._lock:
            self._listeners.append(listener)

    def emit(self, event: CardEvent) -> None:
        """Deliver one event to every listener, in registration order."""
        with self._lock:
            targets = list(self._listeners)
        for listener in targets:
            try:
                listener(event)
            # A desk-side bug must not stop the reader: log it and keep polling.
            except Exception:
                log.exception("card listener failed on %s", type(event).__name__)


class StateHolder:
    """The reader's current state; emits a ReaderState only when status or detail changes."""

    def __init__(self, listeners: Listeners, *, clock: Callable[[], float]) -> None:
        self._listeners = listeners
        self._clock = clock
        self._lock = threading.Lock()
        self._state = ReaderState(listeners.reader, ReaderStatus.STOPPED, "not started", clock())

    @property
    def state(self) -> ReaderState:
        """The current state."""
        with self._lock:
            return self._state

    def set(self, status: ReaderStatus, detail: str) -> None:
        """Change state; listeners hear about real changes only."""
        with self._lock:
            if self._state.status is status and self._state.detail == detail:
                return
            self._state = ReaderState(self._listeners.reader, status, detail, self._clock())
            new = self._state
        log.info("%s: %s (%s)", new.reader, new.status.value, new.detail)
        self._listeners.emit(new)
