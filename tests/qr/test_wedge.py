"""The wedge filter in a real Qt event loop: key events queued like the window system queues them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from drivers.scanner.burst import BurstConfig
from kiosk.config import ScannerSection
from kiosk.ui.wedge import WedgeFilter

pytestmark = pytest.mark.timeout(60)

HUMAN_MS = 120  # a quick typist: 8 keys a second
LIMIT_MS = 50  # inter-key limit in these tests: scanners send a key every 1-10 ms


class Form(QWidget):
    """A registration form: a name field, a notes box and a button."""

    def __init__(self) -> None:
        super().__init__()
        self.name = QLineEdit()
        self.notes = QTextEdit()
        self.button = QPushButton("OK")
        layout = QVBoxLayout(self)
        for w in (self.name, self.notes, self.button):
            layout.addWidget(w)


@pytest.fixture
def form(qtbot: QtBot) -> Form:
    f = Form()
    qtbot.addWidget(f)
    f.show()
    qtbot.waitExposed(f)
    f.activateWindow()
    f.name.setFocus()
    qtbot.waitUntil(f.name.hasFocus)
    return f


@pytest.fixture
def wedge(qapp: QApplication) -> Iterator[WedgeFilter]:
    w = WedgeFilter(BurstConfig(max_interkey_ms=LIMIT_MS))
    w.install(qapp)
    yield w
    w.uninstall(qapp)


def key_for(ch: str) -> tuple[int, Qt.KeyboardModifier]:
    if ch == "\n":
        return int(Qt.Key.Key_Return), Qt.KeyboardModifier.NoModifier
    if ch == "\t":
        return int(Qt.Key.Key_Tab), Qt.KeyboardModifier.NoModifier
    shift = Qt.KeyboardModifier.ShiftModifier if ch.isupper() else Qt.KeyboardModifier.NoModifier
    return (ord(ch.upper()) if ch.isascii() else 0), shift


def post(target: QObject, ch: str, *, autorepeat: bool = False) -> None:
    """Queue a press and release on the event loop, as the window system delivers them."""
    key, mods = key_for(ch)
    text = "\r" if ch == "\n" else ch
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QCoreApplication.postEvent(target, QKeyEvent(kind, key, mods, text, autorepeat))


def scanner(qtbot: QtBot, target: QObject, text: str) -> None:
    """A scanner burst: every key queued at once (USB delivers them within milliseconds)."""
    for ch in text:
        post(target, ch)
    qtbot.wait(LIMIT_MS * 4)


def person(qtbot: QtBot, target: QObject, text: str) -> None:
    """Human typing: one key at a time with HUMAN_MS between them."""
    for ch in text:
        post(target, ch)
        qtbot.wait(HUMAN_MS)
    qtbot.wait(LIMIT_MS * 2)


def test_scan_with_focus_in_a_line_edit_never_reaches_it(
    qtbot: QtBot, form: Form, wedge: WedgeFilter
) -> None:
    form.name.setText("张伟")
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
        scanner(qtbot, form.name, "CME-NUM1:A17\n")
    assert signal.args == ["CME-NUM1:A17"]
    assert form.name.text() == "张伟"
    assert wedge.pending == 0


def test_human_typing_reaches_the_field_intact_and_in_order(
    qtbot: QtBot, form: Form, wedge: WedgeFilter
) -> None:
    returns: list[str] = []
    form.name.returnPressed.connect(lambda: returns.append(form.name.text()))
    with qtbot.assertNotEmitted(wedge.scanned, wait=0):
        person(qtbot, form.name, "Wei Zhang 1987\n")
    assert form.name.text() == "Wei Zhang 1987"
    assert returns == ["Wei Zhang 1987"]


def test_chinese_characters_typed_by_a_person_pass_through(
    qtbot: QtBot, form: Form, wedge: WedgeFilter
) -> None:
    with qtbot.assertNotEmitted(wedge.scanned, wait=0):
        person(qtbot, form.name, "张伟")
    assert form.name.text() == "张伟"


def test_typing_a_scan_and_typing_again(qtbot: QtBot, form: Form, wedge: WedgeFilter) -> None:
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    person(qtbot, form.name, "ab")
    scanner(qtbot, form.name, "CME-TKT1:ABCDEFGH\n")
    person(qtbot, form.name, "cd")
    assert scans == ["CME-TKT1:ABCDEFGH"]
    assert form.name.text() == "abcd"


def test_fast_short_burst_without_terminator_is_typing(
    qtbot: QtBot, form: Form, wedge: WedgeFilter
) -> None:
    with qtbot.assertNotEmitted(wedge.scanned, wait=0):
        scanner(qtbot, form.name, "ok")
    assert form.name.text() == "ok"


@pytest.mark.parametrize("where", ["notes", "button", "none"])
def test_scans_are_caught_whatever_has_focus(
    qtbot: QtBot, form: Form, wedge: WedgeFilter, where: str
) -> None:
    target: QWidget = form
    if where == "notes":
        form.notes.setFocus()
        target = form.notes
    elif where == "button":
        form.button.setFocus()
        target = form.button
    clicks: list[bool] = []
    form.button.clicked.connect(lambda: clicks.append(True))
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
        scanner(qtbot, target, "CME-NUM1:A2 \n")
    assert signal.args == ["CME-NUM1:A2 "]
    assert form.notes.toPlainText() == "" and clicks == []  # the space did not press the button


def test_editing_keys_pass_at_once(qtbot: QtBot, form: Form, wedge: WedgeFilter) -> None:
    person(qtbot, form.name, "abc")
    for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Left):
        QCoreApplication.postEvent(
            form.name, QKeyEvent(QEvent.Type.KeyPress, int(key), Qt.KeyboardModifier.NoModifier)
        )
    qtbot.wait(20)
    person(qtbot, form.name, "X")
    assert form.name.text() == "aXb"


def test_a_held_key_is_a_person(qtbot: QtBot, form: Form, wedge: WedgeFilter) -> None:
    with qtbot.assertNotEmitted(wedge.scanned, wait=0):
        post(form.name, "a")
        for _ in range(10):
            post(form.name, "a", autorepeat=True)
        post(form.name, "\n")
        qtbot.wait(LIMIT_MS * 4)
    assert form.name.text() == "a" * 11


def test_prefix_and_suffix_from_configuration(qtbot: QtBot, form: Form, qapp: QApplication) -> None:
    section = ScannerSection(wedge_prefix="]Q", wedge_suffix="#", wedge_max_interkey_ms=LIMIT_MS)
    wedge = WedgeFilter.from_config(section)
    wedge.install(qapp)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    try:
        scanner(qtbot, form.name, "]QCME-NUM1:A3#\n")
        scanner(qtbot, form.name, "CME-NUM1:A4\n")  # no prefix: another keyboard, not the scanner
    finally:
        wedge.uninstall(qapp)
    assert scans == ["CME-NUM1:A3"]
    assert form.name.text() == "CME-NUM1:A4"


def test_tab_terminated_scanner(qtbot: QtBot, form: Form, qapp: QApplication) -> None:
    wedge = WedgeFilter.from_config(
        ScannerSection(wedge_terminator="tab", wedge_max_interkey_ms=LIMIT_MS)
    )
    wedge.install(qapp)
    try:
        with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
            scanner(qtbot, form.name, "CME-NUM1:A5\t")
    finally:
        wedge.uninstall(qapp)
    assert signal.args == ["CME-NUM1:A5"] and form.name.hasFocus() and form.name.text() == ""


def test_field_closed_while_keys_are_held(qtbot: QtBot, form: Form, wedge: WedgeFilter) -> None:
    other = QLineEdit()
    qtbot.addWidget(other)
    post(form.name, "q")
    qtbot.wait(5)
    assert wedge.pending == 1
    form.name.deleteLater()
    other.show()
    other.activateWindow()
    other.setFocus()
    qtbot.wait(LIMIT_MS * 3)
    assert wedge.pending == 0  # delivered where the focus went, or dropped: no crash


def test_events_that_arrive_at_the_window_like_a_real_platform_sends_them(
    qtbot: QtBot, form: Form, wedge: WedgeFilter
) -> None:
    """xcb/wayland deliver keys to the QWindow first, which forwards them to the focus widget."""
    window = form.windowHandle()
    assert window is not None
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    person(qtbot, window, "ab")
    scanner(qtbot, window, "CME-NUM1:A6\n")
    person(qtbot, window, "c\n")
    assert scans == ["CME-NUM1:A6"]
    assert form.name.text() == "abc"
