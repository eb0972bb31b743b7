"""Staff mode's devices page over a real SAM reader (the simulator on a pty): the device's state,
its last error, and a reconnect that runs through the desk service, never on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.sim.sam_reader import SamSimulator, start_sam_simulator
from kiosk.runtime.cards import SAM_NAME, ReaderDevice
from kiosk.services.screen import DeviceReason, DeviceStatus
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.staff_devices import DevicesPage
from tests.support.desk import DeskRig, GuiWatchdog, desk_rig

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    yield r
    r.close()


@pytest.fixture
def sam(tmp_path: Path) -> Iterator[SamSimulator]:
    """A SAM reader simulator behind a stable link, as udev names a real one."""
    _, sim = start_sam_simulator(tmp_path / "ttySAM")
    yield sim
    sim.stop()


@pytest.fixture
def page(qtbot: QtBot, rig: DeskRig) -> DevicesPage:
    """The desk window in staff mode (no staff PIN set: it opens at once), on the devices page."""
    window: DeskWindow = rig.window(hold_ms=300, camera=False)
    window.show()
    rig.desk.sign_in().result(10)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=5000)
    window.staff.open_section("devices")
    assert window.staff.sections.currentWidget() is window.staff.devices_page
    return window.staff.devices_page


def row(page: DevicesPage, name: str) -> str:
    """The text staff read in a device's row ('' while it has none)."""
    if name not in page.names:
        return ""
    return page.rows.item(page.names.index(name)).text()


def shown(rig: DeskRig) -> DeviceStatus | None:
    """The reader's latest state as the desk service holds it."""
    return next((st for st in rig.desk.devices.states() if st.name == SAM_NAME), None)


def sam_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sam:")]


def wait_row(qtbot: QtBot, page: DevicesPage, rig: DeskRig, glyph: str) -> None:
    """Wait until the reader's row starts with glyph; on timeout, say what the page and desk held."""
    try:
        qtbot.waitUntil(lambda: row(page, SAM_NAME).startswith(glyph), timeout=10_000)
    except qtbot.TimeoutError:
        threads = sorted(t.name for t in threading.enumerate())
        raise AssertionError(
            f"row {row(page, SAM_NAME)!r}; desk {shown(rig)!r}; threads {threads}"
        ) from None


def test_last_error_stays_and_reconnect_runs_off_the_gui_thread(
    qtbot: QtBot, rig: DeskRig, sam: SamSimulator, page: DevicesPage
) -> None:
    runtime = rig.runtime({"sam": {"enabled": True, "port": sam.port}})
    rig.desk.devices.attach(runtime.reconnect, runtime.reconnectable())
    wait_row(qtbot, page, rig, "✓")
    assert "\n" not in row(page, SAM_NAME)  # no error yet: one line

    sam.unplug()
    wait_row(qtbot, page, rig, "✗")
    sam.replug()
    wait_row(qtbot, page, rig, "✓")
    # Working again, and the error it had is still there for staff, on the desk clock (08:20).
    status = page.statuses[SAM_NAME]
    assert status.ok and status.reconnectable and status.last_error is not None
    assert status.last_error.code in {"reader_reconnecting", "reader_absent"}
    assert status.last_error.params == (sam.port,)
    last = row(page, SAM_NAME).split("\n")[1]  # worded through Qt's translator, in Chinese
    assert sam.port in last and ("连接断开" in last or "未找到读卡器" in last)
    assert "08:20:00" in row(page, SAM_NAME).split("\n")[1]

    [before] = sam_threads()
    page.rows.setCurrentRow(page.names.index(SAM_NAME))
    assert page.reconnect_button.isEnabled()
    with GuiWatchdog() as watchdog:
        qtbot.mouseClick(page.reconnect_button, Qt.MouseButton.LeftButton)
        assert SAM_NAME in page.pending and not page.reconnect_button.isEnabled()
        # The reader was closed and opened again: a new worker, and working.
        qtbot.waitUntil(lambda: [t is before for t in sam_threads()] == [False], timeout=10_000)
        # Its states came back as events: opening (a new state clears "reconnecting"), then ready.
        qtbot.waitUntil(lambda: not page.pending and page.statuses[SAM_NAME].ok, timeout=10_000)
        qtbot.waitUntil(lambda: rig.desk.devices.can_reconnect(SAM_NAME), timeout=10_000)
    assert watchdog.waits == [], watchdog.report()  # the screen never waited on a Future
    assert watchdog.busy_ms() < 50, watchdog.report()
    assert len(sam_threads()) == 1  # the old worker is gone, not left beside the new one
    assert not page.pending and page.reconnect_button.isEnabled()
    assert row(page, SAM_NAME).startswith("✓")


def test_a_device_without_reconnect_shows_its_state_and_no_button(
    qtbot: QtBot, rig: DeskRig, page: DevicesPage
) -> None:
    threading.Thread(
        target=rig.desk.report_device,
        args=("同步 sync",),
        kwargs={"ok": False, "reason": DeviceReason("start_failed", ("ConnectError",)),
                "detail": "sync failed: platform unreachable"},
    ).start()  # fmt: skip
    qtbot.waitUntil(lambda: row(page, "同步 sync").startswith("✗"), timeout=5000)
    assert "启动失败（ConnectError）" in row(page, "同步 sync")
    assert "unreachable" not in row(page, "同步 sync")  # the driver's words stay in the log
    page.rows.setCurrentRow(page.names.index("同步 sync"))
    assert not page.reconnect_button.isEnabled()
    page.reconnect()  # even if asked: refused on the screen, nothing queued
    assert not page.pending and page.answer.text().startswith("✗")


def test_a_reconnect_never_starts_a_worker_beside_one_that_has_not_ended(
    qtbot: QtBot, rig: DeskRig, sam: SamSimulator, page: DevicesPage
) -> None:
    """The reader's worker hangs in a listener past the join timeout: reconnect is refused."""
    runtime = rig.runtime({"sam": {"enabled": True, "port": sam.port}})
    rig.desk.devices.attach(runtime.reconnect, runtime.reconnectable())
    wait_row(qtbot, page, rig, "✓")
    device = next(d for d in runtime.devices if isinstance(d, ReaderDevice))
    device.stop_timeout = 0.2
    armed, held, release = threading.Event(), threading.Event(), threading.Event()

    def hangs(event: object) -> None:  # a listener that keeps the reader's thread (any event)
        if armed.is_set():
            held.set()
            release.wait(30)

    device.reader.add_listener(hangs)
    try:
        armed.set()
        sam.unplug()  # the worker says "reconnecting", then hangs in the listener
        assert held.wait(10)
        # Its last state reaches the page first (a queued signal): else that late state, not the
        # refusal, could be the one that ends the reconnect's wait below (ci4 saw it so).
        qtbot.waitUntil(lambda: page.statuses.get(SAM_NAME) == shown(rig), timeout=10_000)
        [before] = sam_threads()
        page.rows.setCurrentRow(page.names.index(SAM_NAME))
        qtbot.mouseClick(page.reconnect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.pending, timeout=10_000)
        qtbot.waitUntil(lambda: rig.desk.devices.can_reconnect(SAM_NAME), timeout=10_000)
        assert sam_threads() == [before]  # refused: no second worker on the reader
        status = page.statuses[SAM_NAME]
        assert not status.ok and status.reason.code == "worker_still_running"
        assert status.last_error == status.reason
        assert "上一个工作线程尚未结束" in row(page, SAM_NAME).split("\n")[0]
    finally:
        armed.clear()
        release.set()
    qtbot.waitUntil(lambda: not before.is_alive(), timeout=10_000)  # it ends once let go
    sam.replug()
    qtbot.mouseClick(page.reconnect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.statuses[SAM_NAME].ok and not page.pending, timeout=10_000)
    [after] = sam_threads()
    assert after is not before and page.statuses[SAM_NAME].reason.code == "reader_ready"
