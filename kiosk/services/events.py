"""Listeners of a service's events: called in the order they subscribed, a failing one logged.

The desk (screen events) and the organizer's workspace (views and answers) publish through one
`Listeners` each; the Qt bridges subscribe and re-emit on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


class Subscription(Generic[E]):
    """A listener's place in the list; `close()` returns once no call to it is running."""

    def __init__(self, owner: Listeners[E], listener: Callable[[E], None]) -> None:
        self._owner = owner
        self.listener = listener
        # Held while the listener runs, so close() waits for a call in flight. Re-entrant: a
        # listener may publish (an outcome leads to an enrollment offer) on the same thread.
        self.lock = threading.RLock()
        self.closed = False

    def close(self) -> None:
        """Stop receiving events (idempotent; never call it from inside the listener)."""
        with self.lock:
            self.closed = True
        self._owner.drop(self)


class Listeners(Generic[E]):
    """The subscribers to one kind of event (`what` names them in the log)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._lock = threading.Lock()
        self._subscriptions: list[Subscription[E]] = []

    def subscribe(self, listener: Callable[[E], None]) -> Subscription[E]:
        """Receive every event from now on, on the thread that publishes it."""
        subscription = Subscription(self, listener)
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def drop(self, subscription: Subscription[E]) -> None:
        """Forget `subscription` (its `close()` calls this)."""
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def publish(self, event: E) -> None:
        """Hand `event` to each listener in order (any thread); a failing one is logged, skipped."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            with subscription.lock:
                if subscription.closed:
                    continue
                try:
                    subscription.listener(event)
                # A screen that fails to show an answer must not stop the service behind it.
                except Exception:
                    log.exception("%s listener failed on %s", self._what, type(event).__name__)
