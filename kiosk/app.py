"""The composition root of `cme-kiosk run`: the one place that builds a running desk.

It sits above kiosk/ui and kiosk/runtime, which never import each other: the desk service
(Qt-free) is made here, the runtime's devices submit to it, the window subscribes to it through
its bridge, and sync and retention report to it. Shutdown runs in the reverse order.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.config import Config
from kiosk.runtime.heartbeat import Supervision
from kiosk.runtime.runtime import Runtime
from kiosk.services.desk import DeskService
from kiosk.services.opening import Desk
from kiosk.services.retention import RetentionLoop
from kiosk.services.screen import DeviceReason
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.i18n import Translations
from kiosk.ui.kiosk_lock import KioskLock
from kiosk.ui.signals import SignalWatcher
from kiosk.ui.wedge import WEDGE_NAME, WedgeDevice

if TYPE_CHECKING:
    from kiosk.services.platform_sync import SyncHandle

log = logging.getLogger(__name__)

READY = "cme-kiosk: desk ready"  # printed once the event loop runs (systemd logs, tests)
SYNC_NAME = "同步 sync"
PURGED_ZH = "本项目的名单与人脸数据已按保留期限删除"
PURGED_EN = "This project's roster and face data were deleted at the end of their retention"


@dataclass(eq=False)
class RunningDesk:
    """Everything a running desk is made of, in the order it was started."""

    desk: Desk
    service: DeskService
    runtime: Runtime
    retention: RetentionLoop | None = None
    sync: SyncHandle | None = None  # set once sync has started (after READY)
    window: DeskWindow | None = field(default=None)

    def start_sync(self) -> None:
        """Uploads and pulls in the background; a failure is a status line, never a crash."""
        from kiosk.services.platform import start_sync  # httpx and the wire models: after READY
        from kiosk.services.platform_sync import sync_state

        desk, service = self.desk, self.service
        try:
            self.sync = start_sync(
                desk.config,
                desk.store,
                project=desk.service.project.number,
                on_status=lambda status: service.publish(sync_state(status)),
            )
            service.attach_sync(self.sync)  # staff mode's "sync now" and dead-letter retries
        # Sync is optional for the desk: check-ins go on locally and upload once it works.
        except Exception as exc:
            log.exception("sync failed to start")
            why = DeviceReason("start_failed", (type(exc).__name__,))
            service.report_device(SYNC_NAME, ok=False, reason=why, detail=f"sync failed: {exc}")

    def start_behind(self) -> None:
        """Once the desk answers cards: sync and retention start behind it."""
        # Start-up's objects (modules, widgets, the roster) live as long as the desk: keep the
        # cycle collector from scanning them again and again while it answers cards.
        gc.freeze()
        self.start_sync()
        assert self.retention is not None
        self.retention.start()

    def purged(self, number: str) -> None:
        """Retention purged a project (retention thread): face galleries in memory drop it too."""
        for device in self.runtime.devices:
            station = getattr(device, "station", None)
            if station is not None:
                station.project_purged(number)
        if number == self.desk.service.project.number:
            self.service.report_notice(PURGED_ZH, PURGED_EN, code="project_purged")

    def stop(self) -> None:
        """Devices first (no new presentations), the desk thread (commits finish), then sync."""
        if self.retention is not None:
            self.retention.stop()
        self.runtime.stop()
        self.service.stop()
        if self.sync is not None:
            try:
                self.sync.stop()
            except Exception:  # the records are committed; a sync that fails to stop loses nothing
                log.exception("sync failed to stop")


def build_desk(desk: Desk, *, app: QApplication) -> RunningDesk:
    """The desk service, its devices (the wedge filter too) and retention; nothing started."""
    config: Config = desk.config
    service = DeskService(desk.service)
    runtime = Runtime.from_config(config, desk=service)
    if config.scanner.wedge:
        runtime.add(WedgeDevice(config.scanner, app=app, desk=service))
    else:
        log.info("%s: not configured ([scanner] wedge = false)", WEDGE_NAME)
    # Staff's Devices page reconnects through the desk service, on its own thread.
    service.devices.attach(runtime.reconnect, runtime.reconnectable())
    running = RunningDesk(desk=desk, service=service, runtime=runtime)
    running.retention = RetentionLoop(desk.store, config.privacy, on_purged=running.purged)
    return running


def _print_ready(line: str) -> None:
    print(line, flush=True)  # stdout may be a pipe (systemd, tests): do not let it sit buffered


def run_desk(
    desk: Desk,
    *,
    fullscreen: bool = False,
    kiosk: bool = False,
    ready: Callable[[str], None] = _print_ready,
) -> int:
    """Run the desk until its window closes or SIGTERM/SIGINT; return the exit status."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    running = build_desk(desk, app=app)
    translations = Translations(app)
    translations.use(desk.config.kiosk.language)
    lock = KioskLock(app, ask_staff=running.service.sign_in) if kiosk else None
    window = DeskWindow(running.service, camera=desk.config.camera.enabled,
                        translations=translations, lock=lock,
                        sounds=running.runtime.sounds)  # fmt: skip
    if kiosk:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    running.window = window
    stopping: list[int] = []

    def on_signal(signum: int) -> None:
        stopping.append(signum)
        if lock is not None:
            lock.leaving = True  # systemd stopping the desk is not someone at the screen
        window.close()
        app.quit()

    watcher = SignalWatcher(on_signal, parent=window)
    # systemd (Type=notify): READY=1, then WATCHDOG=1 only while both threads answer probes.
    supervision = Supervision(post_gui=window.bridge.post_gui, post_desk=running.service.ping)
    try:
        running.runtime.start()
        running.service.announce()
        if fullscreen or kiosk:
            window.show_full_screen()
        else:
            window.fill_screen()
        project = desk.service.project

        def announce() -> None:
            line = f"{READY}: project {project.number}, desk {desk.service.desk_name}"
            log.info("%s; devices:\n%s", line, running.runtime.board.summary())
            ready(line)
            supervision.ready(line)
            running.start_behind()

        QTimer.singleShot(0, announce)
        if not stopping:  # a SIGTERM during startup: do not enter the loop at all
            app.exec()
    finally:
        supervision.stopping()  # before the desk thread stops: a probe could no longer run
        window.bridge.close()
        running.stop()
        watcher.close()
        if lock is not None:
            lock.release()
        translations.remove()
        window.deleteLater()
        # Deferred deletes run here, on the GUI thread, not whenever a later loop happens to turn.
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return 0
