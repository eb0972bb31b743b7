"""Kiosk mode (`cme-kiosk run --kiosk`): the desk cannot be closed or left without a staff PIN.

Close, Alt+F4, Esc and the compositor's close all come here and only open the staff PIN prompt;
staff mode's "leave kiosk mode" is the one way out. The mouse pointer hides after a few idle
seconds (a touch screen needs none) and comes back when the mouse moves.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from typing import TypeGuard

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

CURSOR_IDLE_MS = 5000


class KioskLock(QObject):
    """Installed on the application: Esc and closing need staff; the idle cursor hides."""

    def __init__(
        self,
        app: QGuiApplication,
        *,
        ask_staff: Callable[[], object],
        cursor_idle_ms: int = CURSOR_IDLE_MS,
    ):
        super().__init__(app)
        self._app = app
        self._ask_staff = ask_staff  # called (GUI thread) when someone tries to leave
        self.leaving = False  # set by staff mode's "leave kiosk mode": closing is allowed now
        self.cursor_hidden = False
        self._shown: tuple[int, int, int, int, bool] | None = None  # the last geometry logged
        self._cursor = QTimer(self)
        self._cursor.setSingleShot(True)
        self._cursor.setInterval(cursor_idle_ms)
        self._cursor.timeout.connect(self._hide_cursor)
        app.installEventFilter(self)
        self._cursor.start()
        keep_screen_on()

    def allows_close(self) -> bool:
        """Whether the window may close now; if not, staff are asked for their PIN."""
        if self.leaving:
            return True
        log.info("kiosk mode: a close was refused; asking for staff")
        self._ask()
        return False

    def _ask(self) -> None:
        self._ask_staff()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Esc asks for staff instead of closing anything; a moving mouse shows the pointer."""
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape and not self.leaving:
                self._ask()
                return True
        elif kind in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress):
            if self.cursor_hidden:
                self._app.restoreOverrideCursor()
                self.cursor_hidden = False
            self._cursor.start()
        elif kind in (QEvent.Type.Resize, QEvent.Type.Show) and _is_desk_window(watched):
            self._log_geometry(watched)
        return False

    def _log_geometry(self, window: QWidget) -> None:
        """Log how the desk's window sits on its screen, once per change."""
        # The field engineer (and the test under cage) checks it fills the output undecorated.
        screen = window.screen().geometry()
        frameless = bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint)
        state = (window.width(), window.height(), screen.width(), screen.height(), frameless)
        if state == self._shown or not window.isVisible():
            return
        self._shown = state
        log.info(
            "kiosk window %dx%d on a %dx%d screen, %s",
            *state[:4],
            "frameless" if frameless else "decorated",
        )

    def _hide_cursor(self) -> None:
        if not self.cursor_hidden:
            self._app.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
            self.cursor_hidden = True

    def release(self) -> None:
        """Stop watching (the desk is closing)."""
        self._app.removeEventFilter(self)
        self._cursor.stop()
        if self.cursor_hidden:
            self._app.restoreOverrideCursor()
            self.cursor_hidden = False


def _is_desk_window(watched: QObject) -> TypeGuard[QWidget]:
    """A top-level widget with no parent: the desk's window, not a dialog over it."""
    return isinstance(watched, QWidget) and watched.isWindow() and watched.parentWidget() is None


def keep_screen_on() -> None:
    """No screen saver or power saving on an X11 display (cage itself never blanks the output)."""
    if QGuiApplication.platformName() != "xcb" or shutil.which("xset") is None:
        return
    for args in (["s", "off"], ["s", "noblank"], ["-dpms"]):
        try:
            # xset from PATH: the X server's own tool, whatever its install prefix.
            subprocess.run(["xset", *args], check=False, capture_output=True, timeout=5)  # noqa: S603, S607
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("could not keep the screen on (xset %s): %s", " ".join(args), exc)
