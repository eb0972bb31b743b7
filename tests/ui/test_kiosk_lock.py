"""Kiosk mode in the window: closing and Esc need staff; leaving is staff mode's; the cursor hides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.services.pins import PinGuard
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.kiosk_lock import KioskLock
from tests.support.desk import DeskRig, desk_rig


@pytest.fixture
def rig(tmp_path: Path, qapp: QApplication) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    yield r
    r.close()


@pytest.fixture
def locked(rig: DeskRig, qapp: QApplication) -> Iterator[tuple[DeskWindow, KioskLock]]:
    lock = KioskLock(qapp, ask_staff=rig.desk.sign_in, cursor_idle_ms=200)
    window = rig.window(camera=False, lock=lock)
    window.show()
    yield window, lock
    lock.leaving = True
    lock.release()
    lock.deleteLater()


def test_closing_asks_for_the_staff_pin_and_the_desk_stays(
    qtbot: QtBot, rig: DeskRig, locked: tuple[DeskWindow, KioskLock]
) -> None:
    window, _ = locked
    PinGuard(rig.store, "staff").set_pin("284619")
    window.close()  # Alt+F4 or the compositor's close arrive as this
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)
    assert window.pin_dialog is not None
    window.pin_dialog.reject()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=3000)


def test_staff_leave_kiosk_mode_closes_the_desk(
    qtbot: QtBot, locked: tuple[DeskWindow, KioskLock]
) -> None:
    window, lock = locked
    window.close()  # no PIN set: staff mode opens at once
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=3000)
    assert not window.staff.leave_button.isHidden()
    window.staff.leave_button.click()
    assert lock.leaving and not window.isVisible()


def test_the_cursor_hides_when_idle_and_returns_on_a_move(
    qtbot: QtBot, qapp: QApplication, locked: tuple[DeskWindow, KioskLock]
) -> None:
    window, lock = locked
    qtbot.waitUntil(lambda: lock.cursor_hidden, timeout=3000)
    assert qapp.overrideCursor() is not None
    assert qapp.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    qtbot.mouseMove(window, QPoint(40, 40))
    qtbot.mouseMove(window, QPoint(60, 60))
    qtbot.waitUntil(lambda: not lock.cursor_hidden, timeout=3000)
    assert qapp.overrideCursor() is None


def test_the_leave_button_is_hidden_outside_kiosk_mode(rig: DeskRig) -> None:
    window = rig.window(camera=False)
    assert window.staff.leave_button.isHidden()
