"""The outbox's thread: drains on an interval or a kick, backs off, tells online from offline."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sync.client.errors import PermanentSyncError, TransientSyncError
from sync.client.outbox import Outbox
from sync.client.status import SyncStatus

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with jitter; honours the server's Retry-After when it is longer."""

    base_s: float = 1.0
    cap_s: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """The wait before the next attempt after a failure."""
        ceiling = min(self.cap_s, self.base_s * 2.0**self.attempt)
        self.attempt += 1
        delay = ceiling / 2 + float(self.rng.uniform(0, ceiling / 2))  # "equal jitter": never 0
        return max(delay, retry_after or 0.0)

    def reset(self) -> None:
        """After a success the next failure starts small again."""
        self.attempt = 0


@dataclass(slots=True)
class Hysteresis:
    """Offline after repeated failures or slow answers; online again only when stable."""

    fail_threshold: int = 2
    recover_threshold: int = 2
    slow_s: float = 5.0
    online: bool = False
    _bad: int = 0
    _good: int = 0

    def observe(self, *, ok: bool, latency_s: float = 0.0) -> bool:
        """Feed one attempt's result; return the (possibly changed) online state."""
        good = ok and latency_s < self.slow_s
        if good:
            self._good += 1
            self._bad = 0
            if not self.online and self._good >= self.recover_threshold:
                self.online = True
        else:
            self._bad += 1
            self._good = 0
            if self.online and self._bad >= self.fail_threshold:
                self.online = False
        return self.online


class SyncWorker(threading.Thread):
    """Runs the outbox on its own thread; publishes SyncStatus; never blocks the UI."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        on_status: Callable[[SyncStatus], None] = lambda s: None,
        interval_s: float = 5.0,
        backoff: Backoff | None = None,
        hysteresis: Hysteresis | None = None,
    ):
        super().__init__(name="sync", daemon=True)
        self.outbox = outbox
        self._on_status = on_status
        self.interval_s = interval_s
        self.backoff = backoff or Backoff()
        self.hysteresis = hysteresis or Hysteresis()
        self._stopping = threading.Event()
        self._kick = threading.Event()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to end and wait for the request in flight."""
        self._stopping.set()
        self._kick.set()
        self.join(timeout)

    def kick(self) -> None:
        """A new record is waiting: drain now instead of at the next interval."""
        self._kick.set()

    def asked_s(self) -> int:
        """The interval between uploads the platform asks for, when longer than ours (else 0)."""
        pace = getattr(self.outbox.endpoint, "pace", None)  # a test double may not say
        asked = int(pace.push_s) if pace is not None else 0
        return asked if asked > self.interval_s else 0

    def paced_interval(self) -> float:
        """The wait between drains: this desk's interval, or longer when the platform asks."""
        # Only once online: coming online takes two good drains, and staff would see a desk
        # that uploads fine shown offline for two paced intervals.
        if not self.hysteresis.online:
            return self.interval_s
        return max(self.interval_s, float(self.asked_s()))

    def step(self) -> float:
        """One drain attempt; return how long to wait before the next one."""
        outbox = self.outbox
        try:
            # Until the platform is known to be up, every drain asks it (a report at least).
            latency = outbox.drain(probe=not self.hysteresis.online)
        except TransientSyncError as exc:
            online = self.hysteresis.observe(ok=False)
            delay = self.backoff.next_delay(exc.retry_after)
            outbox.status = replace(outbox.status, online=online, last_error=str(exc))
            log.info("sync deferred %.1f s: %s", delay, exc)
        except PermanentSyncError as exc:
            self.hysteresis.observe(ok=False)
            delay = self.backoff.cap_s
            outbox.status = replace(
                outbox.status, online=False, last_error=str(exc), needs_attention=exc.reason
            )
            log.error("sync stopped until staff act: %s", exc)
        else:
            if latency is None:  # no request this drain: no news, the state stays as it was
                self.backoff.reset()
                outbox.status = replace(
                    outbox.status, pending=outbox.queue.pending_count(), paced_s=self.asked_s()
                )
                self._on_status(outbox.status)
                return self.paced_interval()
            online = self.hysteresis.observe(ok=True, latency_s=latency)
            self.backoff.reset()
            delay = self.paced_interval()
            outbox.status = replace(
                outbox.status, online=online, last_success=outbox.now(), last_error="",
                needs_attention="",
            )  # fmt: skip
        outbox.status = replace(
            outbox.status, pending=outbox.queue.pending_count(), paced_s=self.asked_s()
        )
        self._on_status(outbox.status)
        return delay

    def run(self) -> None:
        """Loop until stopped; a kick shortens the wait."""
        while not self._stopping.is_set():
            delay = self.step()
            self._kick.wait(delay)
            self._kick.clear()
