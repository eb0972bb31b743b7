"""The desk session in-process: devices and sync on the window, window close ends it with 0."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.app import run_desk
from kiosk.config import parse_config
from kiosk.services.opening import Desk
from kiosk.ui.desk_window import DeskWindow
from sync.store import templates_revision_key
from tests.support.desk import DeskRig
from tests.support.notify import NotifyListener

pytestmark = pytest.mark.timeout(60)


def this_desk_window(qapp: QApplication, rig: DeskRig) -> DeskWindow | None:
    """The window run_desk opened for this rig."""
    found = [
        w for w in qapp.topLevelWidgets()
        if isinstance(w, DeskWindow) and w.desk.checkin is rig.service and w.isVisible()
    ]  # fmt: skip
    return found[-1] if found else None


def test_window_close_stops_everything_and_returns_0(
    rig: DeskRig, qapp: QApplication, tmp_path: Path
) -> None:
    scanner = SimSerialScanner(tmp_path / "ttyACM-scanner")
    config = parse_config({"scanner": {"serial_port": str(scanner.path), "reconnect_s": 0.05}})
    desk = Desk(config=config, store=rig.store, service=rig.service)
    seen: dict[str, str] = {}
    ready: list[str] = []

    started = time.monotonic()

    def look_and_close() -> None:
        window = this_desk_window(qapp, rig)
        assert window is not None
        seen["devices"] = window.strip.devices_label.text()
        seen["sync"] = window.strip.sync_label.text()
        window.close()  # what staff do (or the session ending): the loop ends, then shutdown

    def poll() -> None:
        window = this_desk_window(qapp, rig)
        text = window.strip.devices_label.text() if window else ""
        sync = window.strip.sync_label.text() if window else ""
        # Both lines: the scanner connects on its thread, sync starts only after READY.
        both = "✓ 扫码枪 serial" in text and "离线 offline" in sync
        if ready and (both or time.monotonic() - started > 20):
            look_and_close()
        else:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(0, poll)
    try:
        assert run_desk(desk, ready=ready.append) == 0
    finally:
        scanner.close()
    assert ready == ["cme-kiosk: desk ready: project 2026-15-01-001, desk A"]
    assert "✓ 扫码枪 serial" in seen["devices"]
    # Devices and the desk thread are gone when run_desk returns.
    names = {t.name for t in threading.enumerate()}
    assert "scanner-serial" not in names and not any(n.startswith("desk") for n in names)
    # No platform enrollment here: the sync line says so instead of "not configured".
    assert "离线 offline" in seen["sync"] and "not enrolled with the platform" in seen["sync"]


def test_a_project_past_retention_is_purged_when_the_desk_starts(
    rig: DeskRig, qapp: QApplication
) -> None:
    number = rig.service.project.number
    assert rig.store.roster.roster_size(number) > 0
    # The rig's project ended in May 2026 and was never submitted: past the 90-day default.
    desk = Desk(config=parse_config({"scanner": {"wedge": False}}), store=rig.store,
                service=rig.service)  # fmt: skip
    shown: list[str] = []

    started = time.monotonic()

    def poll() -> None:
        window = this_desk_window(qapp, rig)
        text = window.card.line_label.text() if window else ""
        if "按保留期限删除" in text:
            shown.append(text)
        if window is not None and (shown or time.monotonic() - started > 20):
            window.close()  # done, or give up: a failed assertion beats a hung event loop
        else:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(0, poll)
    assert run_desk(desk, ready=lambda line: None) == 0
    assert shown == ["本项目的名单与人脸数据已按保留期限删除"]
    assert rig.store.roster.roster_size(number) == 0
    assert (rig.store.get_meta(templates_revision_key(number)) or "").startswith("purged:")


def test_systemd_hears_ready_then_heartbeats_that_stop_while_the_gui_hangs(
    rig: DeskRig, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = NotifyListener(f"@cme-kiosk-session-test-{os.getpid()}")
    monkeypatch.setenv("NOTIFY_SOCKET", listener.address)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # a beat every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    desk = Desk(config=parse_config({"scanner": {"wedge": False}}), store=rig.store,
                service=rig.service)  # fmt: skip
    hung: list[float] = []
    flags: list[bool] = []
    started = time.monotonic()

    def poll() -> None:
        window = this_desk_window(qapp, rig)
        beats = len(listener.times("WATCHDOG=1"))
        if window is not None and not flags:
            flags.append(bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint))
        if window is not None and not hung and beats >= 3:
            began = time.monotonic()
            time.sleep(1.0)  # the GUI thread stuck (a blocking call): no probe can run
            hung.extend([began, time.monotonic()])
        if window is not None and (
            (hung and len([t for t in listener.times("WATCHDOG=1") if t > hung[1]]) >= 2)
            or time.monotonic() - started > 20
        ):
            window.leave_kiosk()  # what staff do in kiosk mode
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    try:
        assert run_desk(desk, kiosk=True, ready=lambda line: None) == 0
        listener.wait_for("STOPPING=1")
    finally:
        listener.close()
    assert flags == [True]
    lines = listener.lines()
    assert lines[:2] == ["READY=1", "STATUS=cme-kiosk: desk ready: project 2026-15-01-001, desk A"]
    assert lines[-1] == "STOPPING=1"
    assert hung, "the heartbeat never started"
    beats = listener.times("WATCHDOG=1")
    assert len([t for t in beats if hung[0] < t < hung[1]]) <= 1  # one already earned, at most
    assert len([t for t in beats if t > hung[1]]) >= 2  # and it came back
    assert "watchdog" not in {t.name for t in threading.enumerate()}
