"""Staff mode under load, as a real window: a search with 10,000 results, a PIN keypad mashed
100 times, 50 taps in 10 s while staff mode is open. The desk keeps answering, staff see why,
nothing is lost, and a watchdog timer on the GUI thread (tests/support/desk.py GuiWatchdog)
finds no stretch of GUI-thread work over 50 ms and no screen waiting on the desk thread.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from kiosk.services.checkin import Credential, Status
from kiosk.ui.desk_window import DeskWindow
from tests.support.desk import DeskRig, GuiWatchdog, desk_rig
from tests.support.roster import make_roster
from tests.support.staff import PINS, give_staff

STALL_MS = 50.0
BIG = 10_000


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    give_staff(r.store, r.project.number)
    yield r
    r.close()


def staff_window(qtbot: QtBot, rig: DeskRig) -> DeskWindow:
    window = rig.window(hold_ms=300, camera=False)
    window.show()
    rig.desk.sign_in(PINS["S1"]).result(10)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=5000)
    return window


def test_a_search_with_ten_thousand_results_never_blocks_the_gui(
    qtbot: QtBot, rig: DeskRig
) -> None:
    rig.store.roster.save_roster(rig.project.number, make_roster(BIG))
    window = staff_window(qtbot, rig)
    window.staff.open_section("search")
    page = window.staff.search
    with GuiWatchdog() as watchdog:
        page.field.setFocus()
        page.field.insert("内蒙古自治区")  # every unit matches: the index is built first
        qtbot.waitUntil(lambda: page.result is not None and page.result.total == BIG,
                        timeout=30_000)  # fmt: skip
        assert page.results.count() == 50 and page.count_label.text() == "第 1–50 人，共 10000 人"
        page.field.clear()
        for key in "ZW":  # keys as fast as a finger: only the last text's answer is shown
            qtbot.mouseClick(next(b for b in page.keypad.buttons if b.text() == key),
                             Qt.MouseButton.LeftButton)  # fmt: skip
        qtbot.waitUntil(lambda: page.result is not None and page.result.query == "ZW",
                        timeout=10_000)  # fmt: skip
        # 张伟 and every 张伟<n> of the 10,000: the first 50, and how many in all.
        assert page.result.total == BIG // 8 and page.results.count() == 50
        assert page.results.item(0).text().startswith("张伟　")
        assert page.count_label.text() == f"第 1–50 人，共 {BIG // 8} 人"
    assert watchdog.ticks > 20
    assert watchdog.busy_ms() < STALL_MS and not watchdog.waits, watchdog.report()


def test_a_pin_keypad_mashed_a_hundred_times_keeps_the_desk_answering(
    qtbot: QtBot, rig: DeskRig
) -> None:
    window = rig.window(hold_ms=300, camera=False)
    window.show()
    qtbot.mouseClick(window.header.staff_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=5000)
    dialog = window.pin_dialog
    assert dialog is not None
    keys = dialog.keypad.buttons  # the digits, ⌫ and OK
    mash = random.Random(15)
    tapped = threading.Thread(
        target=lambda: [rig.desk.submit(Credential.id_card(document=p.document)).result(10)
                        for p in make_roster(3)]
    )  # fmt: skip
    with GuiWatchdog() as watchdog:
        for i in range(100):
            qtbot.mouseClick(mash.choice(keys), Qt.MouseButton.LeftButton)
            assert len(dialog.entry.text()) <= dialog.entry.maxLength()
            if i == 50:
                tapped.start()  # cards tapped meanwhile are answered
            qtbot.wait(2)
        rig.desk.settled().result(10)
        tapped.join(10)
        rig.outcomes.wait(3)
    assert watchdog.busy_ms() < STALL_MS and not watchdog.waits, watchdog.report()
    assert [o.status for o in rig.outcomes.items] == [Status.ACCEPTED] * 3
    assert len(rig.store.records.events()) == 3
    # Still the PIN prompt, saying why; never signed in by a mashed PIN, never locked.
    assert window.pin_dialog is dialog and dialog.isVisible()
    assert window.pages.currentIndex() == 0
    assert dialog.message.text() in ("PIN 错误",) or "PIN 错误次数过多" in dialog.message.text()
    rig.clock.advance(hours=24)  # any delay earned has passed
    dialog.entry.clear()
    qtbot.keyClicks(dialog.entry, PINS["S3"])
    qtbot.keyClick(dialog.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.staff, timeout=5000)
    assert window.staff.staff_label.text() == "已登录：赵敏"


def test_fifty_taps_in_ten_seconds_while_staff_mode_is_open(qtbot: QtBot, rig: DeskRig) -> None:
    window = staff_window(qtbot, rig)
    window.staff.open_section("search")
    people = make_roster(3)
    done = threading.Event()

    def taps() -> None:
        for i in range(50):
            rig.desk.submit(Credential.id_card(document=people[i % 3].document))
            time.sleep(0.2)
        done.set()

    worker = threading.Thread(target=taps)
    page = window.staff.search
    with GuiWatchdog() as watchdog:
        worker.start()
        # Staff go on working while the cards come: a search, then a manual check-out.
        qtbot.wait(1000)
        for key in "LN":
            qtbot.mouseClick(next(b for b in page.keypad.buttons if b.text() == key),
                             Qt.MouseButton.LeftButton)  # fmt: skip
        qtbot.waitUntil(lambda: page.result is not None and page.result.query == "LN",
                        timeout=5000)  # fmt: skip
        assert page.results.item(0).text().startswith("李娜")
        qtbot.waitUntil(done.is_set, timeout=20_000)
        worker.join(5)
        rig.outcomes.wait(50, timeout=10)
    assert watchdog.busy_ms() < STALL_MS and not watchdog.waits, watchdog.report()
    assert window.pages.currentWidget() is window.staff  # the taps did not close staff mode
    taps_seen = [o for o in rig.outcomes.items if not o.action]
    assert len(taps_seen) == 50
    recorded = sorted(o.event.uuid for o in taps_seen if o.event is not None)
    assert recorded == sorted(e.event.uuid for e in rig.store.records.events())  # each once
    assert {o.status for o in taps_seen} <= {Status.ACCEPTED, Status.ALREADY}


def test_the_watchdog_sees_a_busy_gui_thread_and_a_screen_waiting_on_the_desk(
    qtbot: QtBot, rig: DeskRig
) -> None:
    """The two ways the tests above could miss a blocked GUI thread are each caught."""
    with GuiWatchdog() as watchdog:
        qtbot.wait(30)
        QTimer.singleShot(0, lambda: busy(0.08))
        qtbot.wait(150)
        screen = {"__name__": "kiosk.ui.example", "desk": rig.desk}
        exec("desk.settled().result(10)", screen)  # code as if in a screen module
    assert watchdog.busy_ms() >= 70, watchdog.report()
    assert watchdog.waits == ["kiosk.ui.example"]


def busy(seconds: float) -> None:
    """Work on the GUI thread without returning to the event loop."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
