"""`cme-kiosk demo --interactive`: what the control panel's buttons do to the simulators.

No Qt here (kiosk.ui.demo.panel is the panel). A person taps a roster card on the SAM
simulator, holds up a phone code to the MJPEG camera, or steps in front of it (the demo clip's
face). Each action runs on a thread of its own (a tap blocks until the reader has read the
card); the desk window shows the answer as it would for a real device.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.demo.faces import FRONTAL
from kiosk.demo.fixtures import demo_roster
from kiosk.demo.scenario import phone_code, tap
from kiosk.demo.stage import Stage


class DemoControls:
    """The simulators driven by hand: each action returns at once, its work on a thread."""

    def __init__(self, stage: Stage) -> None:
        self.stage = stage
        self.failures: list[str] = []  # what went wrong in an action, for the log and tests
        self._threads: list[threading.Thread] = []

    def people(self) -> list[str]:
        """The roster names a person can act as."""
        return [person.name for person in demo_roster()]

    def tap_card(self, name: str) -> None:
        """`name`'s ID card on the reader, until it has been read."""
        self._background(lambda: tap(name)(self.stage))

    def show_code(self, name: str) -> None:
        """`name`'s current rotating code on a phone held up to the camera."""
        self._background(lambda: phone_code(name)(self.stage))

    def step_in(self) -> None:
        """The clip's face in front of the camera (the frames the enrollment takes, looped)."""
        player = self.stage.player
        if player is not None:
            self._background(lambda: player.play(*FRONTAL, loop=True))

    def step_away(self) -> None:
        """Whoever is at the camera steps away."""
        self._background(self.stage.clear_camera)

    def join(self, timeout: float = 10.0) -> None:
        """Wait for the actions under way (the window is closing)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def _background(self, work: Callable[[], object]) -> None:
        def run() -> None:
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - a failing simulator says so; the desk goes on
                self.failures.append(f"{type(exc).__name__}: {exc}")
                print(f"demo control failed: {type(exc).__name__}: {exc}", flush=True)

        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=run, name="demo-control", daemon=True)
        self._threads.append(thread)
        thread.start()
