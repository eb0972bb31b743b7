"""The pull loop of a running desk: pulls on an interval or a kick, backs off while away."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sync.client.errors import PermanentSyncError, TransientSyncError
from sync.client.worker import Backoff

log = logging.getLogger(__name__)
R = TypeVar("R")


class PullLoop(threading.Thread, Generic[R]):
    """Runs `pull` every interval (or when kicked); backs off while the platform is away.

    `pull` does one whole pull and returns its result (kept in `last`); `describe` turns any other
    failure (a bad page, a full disk) into the sentence kept in `error`; `on_change` is called
    after every attempt, from this thread; `asked_s`: the interval the platform last asked for.
    """

    def __init__(
        self,
        pull: Callable[[], R],
        *,
        interval_s: float,
        on_change: Callable[[], None],
        describe: Callable[[Exception], str],
        asked_s: Callable[[], float] = lambda: 0.0,
    ):
        super().__init__(name="sync-pull", daemon=True)
        self._pull = pull
        self.interval_s = interval_s
        self._on_change = on_change
        self._describe = describe
        self._asked_s = asked_s
        self._stopping = threading.Event()
        self._kick = threading.Event()
        self.backoff = Backoff(cap_s=max(interval_s, 1.0))
        self.last: R | None = None
        self.error = ""
        self.attention = ""  # a permanent reason from the last pull, if any

    def paced_interval(self) -> float:
        """The wait between pulls: this desk's interval, or longer when the platform asks."""
        return max(self.interval_s, self._asked_s())

    def step(self) -> float:
        """One pull; return the wait before the next."""
        try:
            self.last = self._pull()
        except TransientSyncError as exc:
            self.error, self.attention = str(exc), ""
            delay = self.backoff.next_delay(exc.retry_after)
            log.info("pull deferred %.1f s: %s", delay, exc)
        except PermanentSyncError as exc:
            self.error, self.attention = str(exc), exc.reason
            delay = self.backoff.cap_s
            log.error("pull stopped until staff act: %s", exc)
        except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad page or a full disk
            self.error, self.attention = self._describe(exc), ""
            delay = self.backoff.next_delay()
            log.error("pull failed: %s", self.error)
        else:
            self.error, self.attention = "", ""
            self.backoff.reset()
            delay = self.paced_interval()
        self._on_change()
        return delay

    def kick(self) -> None:
        """Pull now instead of at the next interval."""
        self._kick.set()

    def stop(self, timeout: float = 10.0) -> None:
        """End the loop after the request in flight."""
        self._stopping.set()
        self._kick.set()
        self.join(timeout)

    def run(self) -> None:
        """Loop until stopped."""
        while not self._stopping.is_set():
            delay = self.step()
            self._kick.wait(delay)
            self._kick.clear()
