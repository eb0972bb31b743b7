"""The demo with a display: the real desk window while the day plays through the simulators.

The day plays on the player's plain thread (kiosk.demo.player: a tap blocks until the reader
read it) and reports here through queued signals. A caption along the window's foot says what
the step shows. With a screenshots directory the player waits after each step until the window,
answer painted, has been saved. With controls (`--interactive`) there is no script: a control
panel beside the window drives the simulators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from kiosk.services.desk import DeskService
from kiosk.services.sound import SoundControls
from kiosk.ui.demo.captions import Caption
from kiosk.ui.demo.panel import ControlPanel, Controls
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.i18n import Translations

SHOT_DELAY_MS = 500  # the answer's paint before the picture
FIRST_STEP_MS = 200  # the window's first paint before the first step


class Player(Protocol):
    """The day's player (kiosk.demo.player.DayPlayer): steps on its own thread."""

    failed: str

    def start(
        self, *, shown: Callable[[int, str, str], None], finished: Callable[[], None]
    ) -> None:
        """Begin; `shown(n, key, at)` after each step, `finished()` at the end (its thread)."""
        ...

    def shot_taken(self) -> None:
        """The step's screenshot is saved."""
        ...

    def stop(self) -> None:
        """Stop after the step in progress and wait for it."""
        ...


@dataclass(frozen=True, slots=True)
class Options:
    """How the show ends and what it saves (from the demo command's arguments)."""

    seconds: float = 0  # quit after this long
    steps_limit: int | None = None  # quit after this many steps
    screenshot: str | None = None  # the window as PNG before quitting
    screenshots: Path | None = None  # one PNG per step there (NN-key.png), then quit
    hold_ms: int = 2250  # how long the desk shows each answer


class DemoShow(QObject):
    """The desk window, its caption, and the player or control panel (GUI thread)."""

    shown = Signal(int, str, str)  # steps done so far, the step's key, its local time
    finished = Signal()

    def __init__(
        self,
        desk: DeskService,
        app: QApplication,
        *,
        player: Player | None = None,
        controls: Controls | None = None,
        options: Options | None = None,
        sounds: SoundControls | None = None,
    ) -> None:
        super().__init__()
        self.app = app
        self.player = player
        self.options = options or Options()
        self.translations = Translations(app)
        self.translations.use("zh")
        # The runtime's sounds, as `run` passes them: staff mode's volume and mute work in the demo.
        self.window = DeskWindow(desk, hold_ms=self.options.hold_ms, translations=self.translations,
                                 sounds=sounds)  # fmt: skip
        self.caption = Caption(self.window)
        self.panel = ControlPanel(controls, parent=self.window) if controls is not None else None
        # Emitted on the player's thread; these objects live on the GUI thread: queued.
        self.shown.connect(self._shown)
        self.finished.connect(self._finished)

    def open(self) -> None:
        """Show the window (and the panel); the player starts once the window has painted."""
        self.window.fill_screen()
        if self.panel is not None:
            self.panel.show()
        if self.options.screenshots is not None:
            self.options.screenshots.mkdir(parents=True, exist_ok=True)
        if self.options.seconds > 0:
            QTimer.singleShot(int(self.options.seconds * 1000), self.finish)
        if self.player is not None:
            QTimer.singleShot(FIRST_STEP_MS, self._start_player)

    def finish(self) -> None:
        """Save the last picture if asked, then leave the event loop."""
        if self.options.screenshot:
            self.window.grab().save(self.options.screenshot, "PNG")
        self.app.quit()

    def close(self) -> None:
        """After the event loop: stop the player, close the panel and the window (GUI thread)."""
        if self.player is not None:
            self.player.stop()
        if self.panel is not None:
            self.panel.close()
        self.window.bridge.close()
        self.window.close()
        self.translations.remove()
        self.window.deleteLater()

    def _start_player(self) -> None:
        assert self.player is not None
        self.player.start(shown=self.shown.emit, finished=self.finished.emit)

    @Slot(int, str, str)
    def _shown(self, n: int, key: str, at: str) -> None:
        self.caption.show_step(key, at)
        QTimer.singleShot(SHOT_DELAY_MS, lambda: self._shoot(n, key))
        limit = self.options.steps_limit
        if limit is not None and n >= limit:
            QTimer.singleShot(SHOT_DELAY_MS + 200, self.finish)

    def _shoot(self, n: int, key: str) -> None:
        shots = self.options.screenshots
        if shots is not None:
            self.window.grab().save(str(shots / f"{n:02d}-{key}.png"), "PNG")
        if self.player is not None:
            self.player.shot_taken()

    @Slot()
    def _finished(self) -> None:
        # Screenshots of the whole day: the last answer stays a moment, then the show ends.
        opts = self.options
        if opts.screenshots is not None and opts.steps_limit is None and opts.seconds <= 0:
            QTimer.singleShot(self.options.hold_ms, self.finish)


def run_window(
    desk: DeskService,
    app: QApplication,
    *,
    player: Player | None = None,
    controls: Controls | None = None,
    options: Options | None = None,
    on_open: Callable[[], None] | None = None,
    sounds: SoundControls | None = None,
) -> int:
    """Show the desk window and play the day (or offer the controls) until the show ends.

    `on_open` runs once the window listens (the devices' current state is said again there);
    `sounds` are the runtime's (staff mode's volume and mute).
    Exit status 1 when a step failed.
    """
    show = DemoShow(desk, app, player=player, controls=controls, options=options, sounds=sounds)
    if on_open is not None:
        on_open()
    show.open()
    code = app.exec()
    show.close()
    failed = player is not None and bool(player.failed)
    show.deleteLater()
    return 1 if failed else int(code)
