"""SIGTERM and SIGINT handled on the GUI thread, so systemd's stop closes the desk cleanly."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)


class SignalWatcher:
    """SIGTERM/SIGINT handled on the GUI thread: the wakeup fd wakes Qt's loop from C++ code."""

    def __init__(self, on_signal: Callable[[int], None], *, parent: QObject) -> None:
        self._on_signal = on_signal
        self._read, self._write = socket.socketpair()
        for s in (self._read, self._write):
            s.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._write.fileno())
        self._old = {
            sig: signal.signal(sig, self._handle) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, parent)
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
        self._notifier.deleteLater()
        for sig, old in self._old.items():
            signal.signal(sig, old)
        signal.set_wakeup_fd(self._old_fd)
        self._read.close()
        self._write.close()
