"""The desk's watchdog heartbeat: WATCHDOG=1 only after a round trip through both desk threads.

systemd restarts a unit whose heartbeat stops (WatchdogSec=). A heartbeat from a timer thread
alone would go on while the window or the check-in queue is stuck, so each beat is earned: a
probe posted to the GUI event loop and one posted to the desk's check-in executor must both have
run since the previous beat. A hang in either stops the beats, and systemd restarts the desk.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from kiosk.runtime.notify import READY, STOPPING, WATCHDOG, WATCHDOG_TRIGGER, Notifier
from kiosk.runtime.notify import watchdog_interval as env_interval

log = logging.getLogger(__name__)

# Tests only: with this set, SIGUSR1 blocks the desk's executor until SIGUSR2 (a real hang).
TEST_HANG_ENV = "CME_KIOSK_TEST_HANG_SIGNALS"

Post = Callable[[Callable[[], None]], object]


class Round:
    """One pair of probes: done when both the GUI's and the desk's have run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._left = {"gui", "desk"}
        self.done = threading.Event()

    def probe(self, side: str) -> Callable[[], None]:
        """The callable to post to `side`'s thread."""

        def ran() -> None:
            with self._lock:
                self._left.discard(side)
                if not self._left:
                    self.done.set()

        return ran

    def waiting_for(self) -> set[str]:
        """The sides whose probe has not run yet."""
        with self._lock:
            return set(self._left)


class Heartbeat:
    """A thread that sends WATCHDOG=1 every `interval_s` while both probes keep coming back.

    `post_gui(fn)` and `post_desk(fn)` must be callable from this thread and run `fn` later on
    the GUI thread and on the check-in executor. A probe still outstanding is not posted again:
    a stuck thread is not buried under a growing queue of probes.
    """

    def __init__(
        self,
        *,
        notifier: Notifier,
        interval_s: float,
        post_gui: Post,
        post_desk: Post,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("the heartbeat interval must be positive")
        self.notifier = notifier
        self.interval_s = interval_s
        self._post = {"gui": post_gui, "desk": post_desk}
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.beats = 0

    def start(self) -> None:
        """Start beating (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="watchdog", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop beating; returns when the thread is gone."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = self._clock()
            current = Round()
            for side, post in self._post.items():
                try:
                    post(current.probe(side))
                except Exception:  # a closed executor: no beat; systemd decides
                    log.exception("watchdog probe for the %s thread not posted", side)
            warned = False
            while not current.done.wait(self.interval_s):
                if self._stop.is_set():
                    return
                if not warned:  # one line per hang, before systemd restarts the desk
                    late = ", ".join(sorted(current.waiting_for()))
                    log.error("watchdog: no answer from %s", late)
                    warned = True
            if self._stop.is_set():
                return
            if self.notifier.send(WATCHDOG):
                self.beats += 1
            self._stop.wait(max(0.0, self.interval_s - (self._clock() - started)))


class Supervision:
    """The desk's side of its systemd unit: READY=1, the heartbeat, STOPPING=1; inert elsewhere."""

    def __init__(self, *, post_gui: Post, post_desk: Post, notifier: Notifier | None = None,
                 interval_s: float | None = None) -> None:  # fmt: skip
        self.notifier = notifier or Notifier.from_environment()
        interval = env_interval() if interval_s is None else interval_s
        self.heartbeat: Heartbeat | None = None
        if interval and self.notifier.enabled:
            self.heartbeat = Heartbeat(
                notifier=self.notifier, interval_s=interval, post_gui=post_gui, post_desk=post_desk
            )
        self._hang = DeskHangHook(post_desk) if os.environ.get(TEST_HANG_ENV) == "1" else None

    def ready(self, status: str = "") -> None:
        """The window is up: tell the manager, then start the heartbeat."""
        self.notifier.send(READY, f"STATUS={status}" if status else "STATUS=desk ready")
        if self.heartbeat is not None:
            self.heartbeat.start()

    def stopping(self) -> None:
        """Shutdown begins: stop the heartbeat first (no beat from a half-stopped desk)."""
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self.notifier.send(STOPPING)
        self.notifier.close()
        if self._hang is not None:
            self._hang.close()


class DeskHangHook:
    """Test hook: SIGUSR1 posts a job that blocks the desk executor, SIGUSR2 lets it go."""

    def __init__(self, post_desk: Post) -> None:
        self._post = post_desk
        self._release = threading.Event()
        self._old = {
            signal.SIGUSR1: signal.signal(signal.SIGUSR1, self._block),
            signal.SIGUSR2: signal.signal(signal.SIGUSR2, self._unblock),
        }
        log.warning("test hook %s is set: SIGUSR1 blocks the desk thread", TEST_HANG_ENV)

    def _block(self, signum: int, frame: object) -> None:
        self._release.clear()
        self._post(self._hold)

    def _hold(self) -> None:
        log.warning("test hook: desk thread blocked")
        self._release.wait()
        log.warning("test hook: desk thread released")

    def _unblock(self, signum: int, frame: object) -> None:
        self._release.set()

    def close(self) -> None:
        """Release a blocked desk thread and restore the signal handlers."""
        self._release.set()
        for sig, old in self._old.items():
            signal.signal(sig, old)


def report_failure(notifier: Notifier | None = None) -> bool:
    """Ask systemd to treat this run as failed (WATCHDOG=trigger), whatever the exit status.

    cage 0.1.4 (Debian 12) exits 0 whatever its client's status, so Restart=on-failure would
    never see a desk that crashed; this makes the crash a watchdog failure the unit restarts.
    """
    return (notifier or Notifier.from_environment()).send(WATCHDOG_TRIGGER)
