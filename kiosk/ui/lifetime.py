"""Qt object lifetime checks: a desk QObject destroyed off the GUI thread is a bug, recorded.

PySide6 crashes when Python's cycle collector frees a QObject on a worker thread. The desk's
objects are parented and deleted on the GUI thread; `watch` proves it at run time, and the test
suite fails on any entry in `violations`.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt

log = logging.getLogger(__name__)

violations: list[str] = []  # "<name> destroyed on thread <thread>", appended from any thread
_lock = threading.Lock()


def watch(obj: QObject, name: str) -> None:
    """Record `obj`'s destruction if it happens on any thread but the main (GUI) one."""

    def destroyed(*_: object) -> None:
        thread = threading.current_thread()
        if thread is not threading.main_thread():
            entry = f"{name} destroyed on thread {thread.name}"
            log.error("Qt lifetime: %s", entry)
            with _lock:
                violations.append(entry)

    # Direct: the check must run on the destroying thread itself, not be queued to the GUI one.
    obj.destroyed.connect(destroyed, Qt.ConnectionType.DirectConnection)


def take_violations() -> list[str]:
    """The violations recorded so far, cleared."""
    with _lock:
        found = list(violations)
        violations.clear()
    return found
