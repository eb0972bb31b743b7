"""The Qt binding itself: what the desk relies on from PySide6, checked on the installed version."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication


class _Emitter(QObject):
    value = Signal(object)
    nothing = Signal()


def test_emitting_signals_keeps_the_reference_counts_of_true_and_false(
    qapp: QApplication,
) -> None:
    """PySide6 6.12.0's emit() returned True without a reference: a running desk, emitting a
    preview frame five times a second, would abort the interpreter within the hour."""
    emitter = _Emitter()
    received: list[object] = []
    emitter.value.connect(received.append)
    emitter.nothing.connect(lambda: received.append(None))
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(2000):
        emitter.value.emit(i)
        emitter.nothing.emit()
    assert len(received) == 4000
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
    emitter.deleteLater()


def test_a_qobject_destroyed_off_the_gui_thread_is_recorded(qapp: QApplication) -> None:
    """The lifetime check every test relies on (tests/conftest.py) can fail: shown here."""
    import threading

    import shiboken6

    from kiosk.ui.lifetime import take_violations, watch

    take_violations()
    on_gui = QObject()
    watch(on_gui, "kept on the GUI thread")
    shiboken6.delete(on_gui)
    assert take_violations() == []
    stray = QObject()
    watch(stray, "freed by a worker")
    worker = threading.Thread(target=shiboken6.delete, args=(stray,), name="some-worker")
    worker.start()
    worker.join()
    assert take_violations() == ["freed by a worker destroyed on thread some-worker"]
