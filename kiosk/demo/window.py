"""The demo with a display: the real desk window while the day plays through the simulators.

The steps play on a plain thread (a tap blocks until the reader read it) and report to the GUI
thread through queued signals. A caption under the window carries the step's narration (what
the desk window itself does not show: the outage, the organizer's work). With a screenshots
directory the player waits after each step until the window, answer painted, has been saved.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from kiosk.demo.day import day
from kiosk.demo.scenario import describe, run_step
from kiosk.demo.script import wait_devices, wait_synced
from kiosk.demo.stage import Stage

STEP_PAUSE_S = 2.5  # how long each answer stays on screen before the next person arrives
SHOT_DELAY_MS = 500  # the answer's paint before the picture
_SHOT_WAIT_S = 15.0


class _Player(QObject):
    """Plays the steps on a plain thread (a tap blocks until read), reporting to the GUI thread."""

    finished = Signal()
    shown = Signal(int, str, str)  # steps done so far, the step's key, its narration

    def __init__(self, stage: Stage, *, limit: int | None, shots: bool, parent: QObject):
        super().__init__(parent)
        self.stage = stage
        self.limit = limit
        self.shots = shots
        self.failed = ""
        self.taken = threading.Event()  # the GUI thread saved the step's screenshot
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, name="demo-player", daemon=True)

    def start(self) -> None:
        """Begin once the devices are connected."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the step in progress."""
        self._stop.set()
        self.taken.set()
        if self._thread.is_alive():
            self._thread.join(60)

    def _play(self) -> None:
        try:
            self._steps()
        except Exception as exc:  # noqa: BLE001 - a failing step ends the show, with its reason
            self.failed = f"{type(exc).__name__}: {exc}"
            print(f"demo step failed: {self.failed}", flush=True)
        self.finished.emit()

    def _steps(self) -> None:
        wait_devices(self.stage)
        for n, step in enumerate(day(), start=1):
            if self._stop.is_set():
                return
            text = describe(step, run_step(self.stage, step))
            print(text, flush=True)
            self.taken.clear()
            self.shown.emit(n, step.key, text)
            if self.shots and not self.taken.wait(_SHOT_WAIT_S):
                raise RuntimeError(f"no screenshot of step {n} ({step.key})")
            if self.limit is not None and n >= self.limit:
                return
            if self._stop.wait(STEP_PAUSE_S):
                return
        print("sync: " + ("done" if wait_synced(self.stage) else "still pending"), flush=True)


class Caption(QLabel):
    """The narration of the step on screen, along the window's foot (the demo's own text)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setStyleSheet(
            "QLabel { background: rgba(20, 24, 32, 220); color: #f4f4f4; padding: 8px;"
            " font-size: 15px; }"
        )
        self.hide()

    def narrate(self, text: str) -> None:
        """Show `text` over the bottom of the window."""
        self.setText(text)
        window = self._window
        width = window.width()
        self.setFixedWidth(width)
        self.adjustSize()
        height = min(self.height(), window.height() // 3)
        self.setGeometry(0, window.height() - height, width, height)
        self.raise_()
        self.show()


def run_window(
    stage: Stage,
    app: QApplication,
    *,
    seconds: float = 0,
    steps_limit: int | None = None,
    screenshot: str | None = None,
    screenshots: Path | None = None,
    interactive: bool = False,
) -> int:
    """Show the desk window and play the day; quit after `seconds` or `steps_limit` steps if set.

    `screenshots`: one PNG per step there (NN-key.png). `interactive`: no script; a control
    panel beside the window drives the simulators instead.
    """
    from kiosk.app import sync_state
    from kiosk.ui.desk_window import DeskWindow
    from kiosk.ui.i18n import Translations

    translations = Translations(app)
    translations.use("zh")
    window = DeskWindow(stage.service, hold_ms=int(STEP_PAUSE_S * 900), translations=translations)
    window.fill_screen()
    caption = Caption(window)
    # The devices reported before the window existed: show their current state now.
    for name, (ok, detail) in stage.runtime.statuses().items():
        stage.service.report_device(name, ok=ok, detail=detail)
    stage.service.publish(sync_state(stage.sync.status()))
    stage.service.announce()
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    player = _Player(stage, limit=steps_limit, shots=screenshots is not None, parent=window)
    panel = None
    if interactive:
        from kiosk.demo.panel import ControlPanel

        panel = ControlPanel(stage, parent=window)
        panel.show()

    def finish() -> None:
        if screenshot:
            window.grab().save(screenshot, "PNG")
        app.quit()

    def shoot(n: int, key: str) -> None:
        if screenshots is not None:
            window.grab().save(str(screenshots / f"{n:02d}-{key}.png"), "PNG")
        player.taken.set()

    def shown(n: int, key: str, text: str) -> None:
        caption.narrate(text)
        QTimer.singleShot(SHOT_DELAY_MS, lambda: shoot(n, key))
        if steps_limit is not None and n >= steps_limit:
            QTimer.singleShot(SHOT_DELAY_MS + 200, finish)

    player.shown.connect(shown)
    if seconds > 0:
        QTimer.singleShot(int(seconds * 1000), finish)
    elif screenshots is not None and steps_limit is None:
        player.finished.connect(lambda: QTimer.singleShot(int(STEP_PAUSE_S * 1000), finish))
    if not interactive:
        QTimer.singleShot(200, player.start)
    code = app.exec()
    player.stop()
    if panel is not None:
        panel.close()
    window.bridge.close()
    translations.remove()
    window.deleteLater()
    return 1 if player.failed else int(code)
