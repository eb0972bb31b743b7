"""The desk window through the real Qt event loop: outcomes arrive from the desk thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.model import DeskMode
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from kiosk.services.desk import DeskService
from kiosk.ui.desk_window import COLOURS, IDLE_ZH, DeskWindow
from sync.store import Store
from tests.support.desk import flush_deletes
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[DeskWindow]:
    store = Store.open(tmp_path / "k.sqlite3")
    store.roster.save_project(make_project())
    store.roster.save_roster("2026-15-01-001", make_roster(3))
    service = CheckInService(
        store=store,
        project=make_project(),
        device_id="d",
        desk_name="A",
        mode=DeskMode.IN,
        clock=FakeClock(at(DAY1, 8, 5)),
    )
    desk = DeskService(service)
    win = DeskWindow(desk, reset_ms=200)
    win.show()
    yield win
    win.close()  # the bridge unsubscribes
    desk.stop()
    win.deleteLater()
    flush_deletes()
    store.close()


def present_from_worker(desk: DeskService, cred: Credential) -> None:
    """Drivers call submit() from their own threads, never from the GUI thread."""
    t = threading.Thread(target=desk.submit, args=(cred,))
    t.start()
    t.join()


def test_accepted_outcome_paints_green_with_masked_id(qtbot: QtBot, window: DeskWindow) -> None:
    person = make_roster()[0]
    with qtbot.waitSignal(window.bridge.outcome, timeout=5000) as signal:
        present_from_worker(window.desk, Credential.id_card(document=person.document))
    outcome: Outcome = signal.args[0]
    assert outcome.status is Status.ACCEPTED
    assert COLOURS[Status.ACCEPTED] in window.card.styleSheet()
    assert window.name_label.text() == person.name
    assert window.message_label.text() == f"{person.name} 签到成功"
    assert person.document.masked() in window.detail_label.text()
    assert person.document.number not in window.detail_label.text()
    assert "签到 1" in window.counts_label.text()
    # The answer clears itself so the next person sees the prompt.
    qtbot.waitUntil(lambda: window.message_label.text() == IDLE_ZH, timeout=3000)


def test_repeat_is_amber_and_unknown_card_red(qtbot: QtBot, window: DeskWindow) -> None:
    person = make_roster()[1]
    for _ in range(2):
        with qtbot.waitSignal(window.bridge.outcome, timeout=5000):
            present_from_worker(window.desk, Credential.id_card(document=person.document))
    assert COLOURS[Status.ALREADY] in window.card.styleSheet()
    assert "已于 08:05" in window.message_label.text()
    with qtbot.waitSignal(window.bridge.outcome, timeout=5000):
        present_from_worker(window.desk, Credential.card_uid("DEADBEEF"))
    assert COLOURS[Status.REFUSED] in window.card.styleSheet()
    assert "卡片未登记" in window.message_label.text()
    assert "Card not registered" in window.detail_label.text()


def test_mode_buttons_set_the_desk_mode(qtbot: QtBot, window: DeskWindow) -> None:
    buttons = window.mode_buttons.buttons()
    qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.mode is DeskMode.OUT, timeout=3000)
    assert window.desk.checkin.mode is DeskMode.OUT
    with qtbot.waitSignal(window.bridge.outcome, timeout=5000) as signal:
        present_from_worker(window.desk, Credential.id_card(document=make_roster()[2].document))
    assert signal.args[0].event.direction.value == "out"


def test_device_status_and_notices(qtbot: QtBot, window: DeskWindow) -> None:
    with qtbot.waitSignal(window.bridge.device, timeout=2000):
        threading.Thread(
            target=window.desk.report_device,
            args=("身份证读卡器",),
            kwargs={"ok": False, "detail": "/dev/ttyUSB0 not present"},
        ).start()
    assert "✗ 身份证读卡器" in window.devices_label.text()
    assert "/dev/ttyUSB0" in window.devices_label.toolTip()
    with qtbot.waitSignal(window.bridge.notice, timeout=2000):
        window.desk.report_notice("二维码无效", "Invalid QR code")
    assert window.message_label.text() == "二维码无效"


def test_without_a_staff_pin_the_mode_buttons_switch_at_once(
    qtbot: QtBot, window: DeskWindow
) -> None:
    qtbot.mouseClick(window.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.mode is DeskMode.OUT, timeout=3000)
    assert window.pin_dialog is None and window.mode_buttons.checkedId() == 1


def test_with_a_staff_pin_a_mode_change_waits_for_the_right_pin(
    qtbot: QtBot, window: DeskWindow
) -> None:
    from kiosk.services.pins import PinGuard

    PinGuard(window.desk.checkin.store, "staff").set_pin("284619")
    qtbot.mouseClick(window.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)
    dialog = window.pin_dialog
    assert dialog is not None and dialog.isVisible()
    # Nothing changed yet, and the buttons still show the mode in force.
    assert window.desk.checkin.mode is DeskMode.IN
    assert window.mode_buttons.checkedId() == 0
    qtbot.keyClicks(dialog.entry, "111111")
    dialog.submit()
    qtbot.waitUntil(lambda: "Wrong PIN" in dialog.message.text(), timeout=3000)
    assert dialog.isVisible() and window.desk.checkin.mode is DeskMode.IN
    qtbot.keyClicks(dialog.entry, "284619")
    dialog.submit()
    qtbot.waitUntil(lambda: window.mode is DeskMode.OUT, timeout=3000)
    assert window.pin_dialog is None and window.mode_buttons.checkedId() == 1
    assert window.desk.checkin.mode is DeskMode.OUT


def test_wrong_pins_slow_down_instead_of_locking(qtbot: QtBot, window: DeskWindow) -> None:
    from kiosk.services.pins import FREE_ATTEMPTS, PinGuard

    PinGuard(window.desk.checkin.store, "staff").set_pin("284619")
    qtbot.mouseClick(window.mode_buttons.button(2), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)
    dialog = window.pin_dialog
    assert dialog is not None
    for _ in range(FREE_ATTEMPTS + 1):
        qtbot.keyClicks(dialog.entry, "999999")
        dialog.submit()
        window.desk.run(lambda: None).result(5)  # each PIN is judged before the next is typed
    qtbot.waitUntil(lambda: "wait 2 s" in dialog.message.text(), timeout=3000)
    qtbot.keyClicks(dialog.entry, "284619")  # right, but inside the delay: refused for now
    dialog.submit()
    qtbot.waitUntil(lambda: "Too many tries" in dialog.message.text(), timeout=3000)
    assert window.desk.checkin.mode is DeskMode.IN
