"""The day played for a window: the steps on a plain thread, each reported through callbacks.

No Qt here (kiosk.ui.demo shows what this reports): a tap blocks until the reader read it, so
the steps run on a thread of their own, and the window's callbacks must hand over to the GUI
thread themselves (queued signals). With screenshots the player waits after each step until the
window says the picture is saved (`shot_taken`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.demo.day import day
from kiosk.demo.scenario import describe, run_step
from kiosk.demo.script import wait_devices, wait_synced
from kiosk.demo.stage import Stage
from kiosk.services.platform_sync import sync_state

STEP_PAUSE_S = 2.5  # how long each answer stays on screen before the next person arrives
SHOT_WAIT_S = 15.0  # how long a step waits for its screenshot before the show fails

Shown = Callable[[int, str, str], None]  # steps done so far, the step's key, its time "hh:mm"
Finished = Callable[[], None]


def show_devices(stage: Stage) -> None:
    """Say the devices' and sync's current state again (they reported before a window existed)."""
    for status in stage.service.devices.states():
        stage.service.publish(status)
    stage.service.publish(sync_state(stage.sync.status()))
    stage.service.announce()


class DayPlayer:
    """Plays the day's steps on a thread; `limit` stops after that many, `shots` waits for each."""

    def __init__(self, stage: Stage, *, limit: int | None = None, shots: bool = False) -> None:
        self.stage = stage
        self.limit = limit
        self.shots = shots
        self.failed = ""  # why a step failed, if one did
        self._taken = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, *, shown: Shown, finished: Finished) -> None:
        """Begin once the devices are ready; `shown` after each step, `finished` at the end."""
        self._thread = threading.Thread(
            target=self._play, args=(shown, finished), name="demo-player", daemon=True
        )
        self._thread.start()

    def shot_taken(self) -> None:
        """The window saved the step's screenshot (any thread)."""
        self._taken.set()

    def stop(self) -> None:
        """Stop after the step in progress and wait for it."""
        self._stop.set()
        self._taken.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(60)

    def _play(self, shown: Shown, finished: Finished) -> None:
        try:
            self._steps(shown)
        except Exception as exc:  # noqa: BLE001 - a failing step ends the show, with its reason
            self.failed = f"{type(exc).__name__}: {exc}"
            print(f"demo step failed: {self.failed}", flush=True)
        finished()

    def _steps(self, shown: Shown) -> None:
        wait_devices(self.stage)
        for n, step in enumerate(day(), start=1):
            if self._stop.is_set():
                return
            print(describe(step, run_step(self.stage, step)), flush=True)
            self._taken.clear()
            shown(n, step.key, step.at[:5])
            if self.shots and not self._taken.wait(SHOT_WAIT_S):
                raise RuntimeError(f"no screenshot of step {n} ({step.key})")
            if self.limit is not None and n >= self.limit:
                return
            if self._stop.wait(STEP_PAUSE_S):
                return
        print("sync: " + ("done" if wait_synced(self.stage) else "still pending"), flush=True)
