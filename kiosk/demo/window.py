"""The demo with a display: the real desk window while the day plays through the simulators."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from kiosk.demo.scenario import describe, run_step, steps
from kiosk.demo.script import wait_devices, wait_synced
from kiosk.demo.stage import Stage

STEP_PAUSE_S = 2.5  # how long each answer stays on screen before the next person arrives


class _Player(QObject):
    """Plays the steps on a plain thread (a tap blocks until read), reporting to the GUI thread."""

    finished = Signal()
    shown = Signal(int)  # steps answered so far

    def __init__(self, stage: Stage, *, limit: int | None, parent: QObject):
        super().__init__(parent)
        self.stage = stage
        self.limit = limit
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, name="demo-player", daemon=True)

    def start(self) -> None:
        """Begin once the devices are connected."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the step in progress."""
        self._stop.set()
        self._thread.join(30)

    def _play(self) -> None:
        wait_devices(self.stage)
        for n, step in enumerate(steps(), start=1):
            if self._stop.is_set():
                return
            print(describe(step, run_step(self.stage, step)), flush=True)
            self.shown.emit(n)
            if self.limit is not None and n >= self.limit:
                break
            if self._stop.wait(STEP_PAUSE_S):
                return
        if self.limit is None:
            print("sync: " + ("done" if wait_synced(self.stage) else "still pending"), flush=True)
        self.finished.emit()


def run_window(
    stage: Stage,
    app: QApplication,
    *,
    seconds: float = 0,
    steps_limit: int | None = None,
    screenshot: str | None = None,
) -> int:
    """Show the desk window and play the day; quit after `seconds` or `steps_limit` steps if set."""
    from kiosk.app import sync_state
    from kiosk.ui.desk_window import DeskWindow
    from kiosk.ui.i18n import Translations

    translations = Translations(app)
    translations.use("zh")
    window = DeskWindow(stage.service, hold_ms=int(STEP_PAUSE_S * 900), translations=translations)
    window.fill_screen()
    # The devices reported before the window existed: show their current state now.
    for name, (ok, detail) in stage.runtime.statuses().items():
        stage.service.report_device(name, ok=ok, detail=detail)
    stage.service.publish(sync_state(stage.sync.status()))
    stage.service.announce()
    player = _Player(stage, limit=steps_limit, parent=window)

    def finish() -> None:
        if screenshot:
            window.grab().save(screenshot, "PNG")
        app.quit()

    if steps_limit is not None:
        # Let the last answer paint before the picture is taken.
        player.shown.connect(lambda n: n >= steps_limit and QTimer.singleShot(400, finish))
    if seconds > 0:
        QTimer.singleShot(int(seconds * 1000), finish)
    QTimer.singleShot(200, player.start)
    code = app.exec()
    player.stop()
    window.bridge.close()
    translations.remove()
    window.deleteLater()
    return int(code)
