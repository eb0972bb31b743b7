"""The demo with a display: the real desk window, the scripted day replayed on a timer."""

from __future__ import annotations

import sys
from concurrent.futures import Future

from kiosk.demo.scenario import DemoDesk, demo_window_step_delay, describe, steps
from kiosk.services.checkin import Outcome


def run_window(desk: DemoDesk, *, seconds: float = 0, screenshot: str | None = None) -> int:
    """Show the desk window and replay the steps through the bridge; quit after `seconds` if set."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.bridge import DeskBridge
    from kiosk.ui.desk_window import DeskWindow

    app = QApplication.instance() or QApplication(sys.argv)
    bridge = DeskBridge(desk.service)
    window = DeskWindow(bridge, reset_ms=int(demo_window_step_delay().total_seconds() * 900))
    window.resize(1024, 640)
    window.show()
    bridge.report_device("身份证读卡器 (simulated)", ok=True, detail="demo")
    bridge.report_device("扫码枪 (simulated)", ok=True, detail="demo")
    bridge.report_device("摄像头 (simulated)", ok=True, detail="demo")
    pending = list(steps())
    timer = QTimer()
    timer.setInterval(int(demo_window_step_delay().total_seconds() * 1000))

    def next_step() -> None:
        if not pending:
            timer.stop()
            return
        step = pending.pop(0)
        desk.clock.set(step.hh, step.mm)
        future = bridge.submit(step.credential())

        def report(done: Future[Outcome]) -> None:
            print(describe(step, done.result()), flush=True)

        future.add_done_callback(report)

    timer.timeout.connect(next_step)
    timer.start()
    QTimer.singleShot(300, next_step)

    def finish() -> None:
        if screenshot:
            window.grab().save(screenshot, "PNG")
        app.quit()

    if seconds > 0:
        QTimer.singleShot(int(seconds * 1000), finish)
    code = app.exec()
    bridge.shutdown()
    return int(code)
