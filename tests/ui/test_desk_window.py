"""The desk window through the real Qt event loop: outcomes arrive from the desk thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.core.model import DeskMode
from kiosk.core.timeutil import SHANGHAI
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from kiosk.services.desk import DeskService
from kiosk.services.pins import FREE_ATTEMPTS, PinGuard
from kiosk.services.screen import DeviceReason
from kiosk.ui import theme
from kiosk.ui.desk_window import DeskWindow
from sync.store import Store
from tests.support.desk import flush_deletes
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

IDLE_ZH = "请刷身份证、扫描二维码或看向摄像头"


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
    win = DeskWindow(desk, hold_ms=300, camera=False)
    win.show()
    desk.announce()
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


def test_accepted_outcome_paints_green_with_glyph_and_masked_id(
    qtbot: QtBot, window: DeskWindow
) -> None:
    person = make_roster()[0]
    with qtbot.waitSignal(window.bridge.outcome, timeout=5000) as signal:
        present_from_worker(window.desk, Credential.id_card(document=person.document))
    outcome: Outcome = signal.args[0]
    assert outcome.status is Status.ACCEPTED
    card = window.card
    assert theme.GREEN in card.styleSheet() and card.glyph_label.text() == "✓"
    assert card.name_label.text() == person.name
    assert card.line_label.text() == "签到成功"
    assert person.document.masked() in card.who_label.text()
    assert person.document.number not in card.who_label.text()
    assert "08:05:00" in card.who_label.text()  # the desk clock, not this PC's
    qtbot.waitUntil(lambda: "已到 1" in window.strip.counts_label.text(), timeout=3000)
    assert "应到 3" in window.strip.counts_label.text()
    # The answer clears itself so the next person sees the prompt.
    qtbot.waitUntil(lambda: card.line_label.text() == IDLE_ZH, timeout=3000)


def test_repeat_is_amber_and_unknown_card_red(qtbot: QtBot, window: DeskWindow) -> None:
    person = make_roster()[1]
    for _ in range(2):
        with qtbot.waitSignal(window.bridge.outcome, timeout=5000):
            present_from_worker(window.desk, Credential.id_card(document=person.document))
    card = window.card
    assert theme.AMBER in card.styleSheet() and card.glyph_label.text() == "!"
    assert card.line_label.text() == "已于 08:05 在 A 台签到"
    with qtbot.waitSignal(window.bridge.outcome, timeout=5000):
        present_from_worker(window.desk, Credential.card_uid("DEADBEEF"))
    assert theme.RED in card.styleSheet() and card.glyph_label.text() == "✗"
    assert card.line_label.text() == "卡片未登记，请联系工作人员"


def test_header_shows_the_project_the_session_and_the_mode(
    qtbot: QtBot, window: DeskWindow
) -> None:
    header = window.header
    assert header.project_label.text() == make_project().name
    qtbot.waitUntil(lambda: header.mode_label.text() == "签到", timeout=3000)
    # 08:05 on the first day: registration; the morning session is next.
    qtbot.waitUntil(lambda: "下一场" in header.next_label.text(), timeout=3000)
    assert header.now_label.text() == "当前没有进行中的课程"
    session = make_project().sessions[0]
    start = session.start.astimezone(SHANGHAI).strftime("%H:%M")
    assert session.title in header.next_label.text() and start in header.next_label.text()
    assert header.staff_button.text() == "工作人员"


def test_staff_mode_without_a_pin_opens_at_once_and_sets_the_mode(
    qtbot: QtBot, window: DeskWindow
) -> None:
    qtbot.mouseClick(window.header.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=3000)
    assert window.pin_dialog is None
    qtbot.mouseClick(window.staff.mode_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.mode is DeskMode.OUT, timeout=3000)
    assert window.desk.checkin.mode is DeskMode.OUT and window.header.mode_label.text() == "签退"
    with qtbot.waitSignal(window.bridge.outcome, timeout=5000) as signal:
        present_from_worker(window.desk, Credential.id_card(document=make_roster()[2].document))
    assert signal.args[0].event.direction.value == "out"
    qtbot.mouseClick(window.staff.back_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentIndex() == 0


def test_device_status_and_notices(qtbot: QtBot, window: DeskWindow) -> None:
    with qtbot.waitSignal(window.bridge.device, timeout=2000):
        threading.Thread(
            target=window.desk.report_device,
            args=("身份证读卡器",),
            kwargs={"ok": False, "reason": DeviceReason("reader_absent", ("/dev/ttyUSB0",)),
                    "detail": "/dev/ttyUSB0: not present"},
        ).start()  # fmt: skip
    assert "✗ 身份证读卡器" in window.strip.devices_label.text()
    assert "/dev/ttyUSB0 未找到读卡器" in window.strip.devices_label.toolTip()
    row = window.staff.devices_page.rows.item(0).text()
    assert "/dev/ttyUSB0 未找到读卡器，正在重试" in row and "not present" not in row
    with qtbot.waitSignal(window.bridge.notice, timeout=2000):
        window.desk.report_notice("二维码无效", "Invalid QR code")
    assert window.card.line_label.text() == "二维码无效"


def test_with_a_staff_pin_staff_mode_waits_for_the_right_pin(
    qtbot: QtBot, window: DeskWindow
) -> None:
    PinGuard(window.desk.checkin.store, "staff").set_pin("284619")
    qtbot.mouseClick(window.header.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)
    dialog = window.pin_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.pages.currentIndex() == 0  # nothing opened yet
    for key in "111111":  # the on-screen keypad types into the field
        qtbot.mouseClick(next(b for b in dialog.keypad.buttons if b.text() == key),
                         Qt.MouseButton.LeftButton)  # fmt: skip
    assert dialog.entry.text() == "111111"
    qtbot.mouseClick(dialog.keypad.enter_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() == "PIN 错误", timeout=3000)
    assert dialog.isVisible() and window.pages.currentIndex() == 0
    qtbot.keyClicks(dialog.entry, "284619")  # a hardware keyboard works as well
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=3000)
    assert window.pin_dialog is None
    assert window.staff.staff_label.text() == "已登录：工作人员"
    # Signed in: the mode changes without asking again; signing out returns to the desk.
    qtbot.mouseClick(window.staff.mode_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.mode is DeskMode.AUTO, timeout=3000)
    qtbot.mouseClick(window.staff.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentIndex() == 0, timeout=3000)
    window.desk.change_mode(DeskMode.IN).result(5)  # signed out: refused, the PIN is asked
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)
    assert window.desk.checkin.mode is DeskMode.AUTO


def test_wrong_pins_slow_down_instead_of_locking(qtbot: QtBot, window: DeskWindow) -> None:
    PinGuard(window.desk.checkin.store, "staff").set_pin("284619")
    qtbot.mouseClick(window.header.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)
    dialog = window.pin_dialog
    assert dialog is not None
    for _ in range(FREE_ATTEMPTS + 1):
        qtbot.keyClicks(dialog.entry, "999999")
        dialog.submit()
        window.desk.settled().result(10)  # each PIN is judged before the next is typed
    qtbot.waitUntil(lambda: "2 秒后再试" in dialog.message.text(), timeout=3000)
    qtbot.keyClicks(dialog.entry, "284619")  # right, but inside the delay: refused for now
    dialog.submit()
    qtbot.waitUntil(lambda: "PIN 错误次数过多" in dialog.message.text(), timeout=3000)
    assert window.pages.currentIndex() == 0


def test_staff_are_signed_out_when_idle(qtbot: QtBot, window: DeskWindow) -> None:
    window.staff._idle.setInterval(300)  # two minutes at the desk; shortened here
    qtbot.mouseClick(window.header.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=3000)
    qtbot.waitUntil(lambda: window.pages.currentIndex() == 0, timeout=3000)


def test_switching_to_english_retranslates_every_screen(
    qtbot: QtBot, window: DeskWindow, zh: object
) -> None:
    window.translations = zh  # type: ignore[assignment]
    qtbot.mouseClick(window.header.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=3000)
    qtbot.mouseClick(window.staff.english_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.staff.back_button.text() == "Back to check-in",
                    timeout=3000)  # fmt: skip
    assert window.header.staff_button.text() == "Staff"
    qtbot.mouseClick(window.staff.chinese_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.header.staff_button.text() == "工作人员", timeout=3000)
