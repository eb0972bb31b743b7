"""`cme-kiosk run`: the desk window, its devices and sync, until the window closes or SIGTERM."""

from __future__ import annotations

import contextlib
import importlib
import logging
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.app import Desk
from kiosk.config import Config
from kiosk.runtime.heartbeat import Supervision
from kiosk.runtime.runtime import Runtime
from kiosk.services.retention import RetentionLoop
from kiosk.ui.bridge import DeskBridge
from kiosk.ui.desk_window import DeskWindow

log = logging.getLogger(__name__)

READY = "cme-kiosk: desk ready"  # printed once the event loop runs (systemd logs, tests)
SYNC_NAME = "同步 sync"


class SignalWatcher:
    """SIGTERM/SIGINT handled on the GUI thread: the wakeup fd wakes Qt's loop from C++ code."""

    def __init__(self, on_signal: Callable[[int], None]) -> None:
        self._on_signal = on_signal
        self._read, self._write = socket.socketpair()
        for s in (self._read, self._write):
            s.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno())
        self._old = {
            sig: signal.signal(sig, self._handle) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read)
        # Python runs the handler when the notifier's slot gives it control; draining is all.
        self._notifier.activated.connect(self._drain)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            while self._read.recv(64):
                pass

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        log.info("received %s: shutting down", signal.Signals(signum).name)
        self._on_signal(signum)

    def close(self) -> None:
        """Restore the previous handlers."""
        self._notifier.setEnabled(False)
        for sig, old in self._old.items():
            signal.signal(sig, old)
        signal.set_wakeup_fd(self._old_fd)
        self._read.close()
        self._write.close()


def start_sync(desk: Desk, bridge: DeskBridge) -> Any:
    """Sync through kiosk.services.platform when this build has it; None with a status line."""
    try:
        platform = importlib.import_module("kiosk.services.platform")
    except ImportError as exc:
        log.warning("sync not importable: %s", exc)
        bridge.report_device(SYNC_NAME, ok=False, detail="sync: not available")
        return None
    try:
        return platform.start_sync(
            desk.config,
            desk.store,
            project=desk.service.project.number,
            on_status=bridge.sync.emit,
        )
    # Sync is optional for the desk: check-ins go on locally and upload once it works.
    except Exception as exc:
        log.exception("sync failed to start")
        bridge.report_device(SYNC_NAME, ok=False, detail=f"sync failed to start: {exc}")
        return None


def show_sync(window: DeskWindow, status: Any) -> None:
    """Paint a sync status snapshot (sync.outbox.SyncStatus) in the window's sync line."""
    window.show_sync(status.line(), ok=bool(status.online and not status.needs_attention))


def _print_ready(line: str) -> None:
    print(line, flush=True)  # stdout may be a pipe (systemd, tests): do not let it sit buffered


def run_desk(
    desk: Desk,
    *,
    fullscreen: bool = False,
    frameless: bool = False,
    ready: Callable[[str], None] = _print_ready,
) -> int:
    """Run the desk until its window closes or SIGTERM/SIGINT; return the exit status."""
    config: Config = desk.config
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    bridge = DeskBridge(desk.service)
    window = DeskWindow(bridge, lang=config.kiosk.language)
    bridge.sync.connect(lambda status: show_sync(window, status))
    stopping: list[int] = []

    def on_signal(signum: int) -> None:
        stopping.append(signum)
        window.close()
        app.quit()

    watcher = SignalWatcher(on_signal)
    # systemd (Type=notify): READY=1, then WATCHDOG=1 only while both threads answer probes.
    supervision = Supervision(post_gui=bridge.post_gui, post_desk=bridge.ping)
    runtime = Runtime.from_config(config, desk=bridge, app=app)
    sync = None
    retention = RetentionLoop(
        desk.store, config.privacy, on_purged=lambda number: purged(runtime, bridge, number)
    )
    try:
        runtime.start()
        sync = start_sync(desk, bridge)
        retention.start()
        if frameless:
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        if fullscreen:
            window.showFullScreen()
        else:
            window.resize(1024, 640)
            window.show()
        project = desk.service.project

        def announce() -> None:
            line = f"{READY}: project {project.number}, desk {desk.service.desk_name}"
            log.info("%s; devices:\n%s", line, runtime.board.summary())
            ready(line)
            supervision.ready(line)

        QTimer.singleShot(0, announce)
        if not stopping:  # a SIGTERM during startup: do not enter the loop at all
            app.exec()
    finally:
        supervision.stopping()  # before the desk thread stops: a probe could no longer run
        retention.stop()
        shutdown(runtime, bridge, sync)
        watcher.close()
    return 0


def purged(runtime: Runtime, bridge: DeskBridge, number: str) -> None:
    """Retention purged a project (retention thread): face galleries in memory drop it too."""
    for device in runtime.devices:
        station = getattr(device, "station", None)
        if station is not None:
            station.project_purged(number)
    if number == bridge.service.project.number:
        bridge.report_notice(
            "本项目的名单与人脸数据已按保留期限删除",
            "This project's roster and face data were deleted at the end of their retention",
        )


def shutdown(runtime: Runtime, bridge: DeskBridge, sync: Any) -> None:
    """Devices first (no new presentations), then the desk thread (commits finish), then sync."""
    runtime.stop()
    bridge.shutdown()
    if sync is not None:
        try:
            sync.stop()
        except Exception:  # the records are committed; a sync that fails to stop loses nothing
            log.exception("sync failed to stop")
