"""The staff PIN prompt: a touch keypad, the PIN checked on the desk thread, never locking."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.services.screen import PinAnswer
from kiosk.ui import theme
from kiosk.ui.keypad import DIGITS, Keypad
from kiosk.ui.texts import translate

CONTEXT = "Pin"


class PinDialog(QDialog):
    """Asks the staff PIN (not echoed); the desk thread checks it. Non-modal: Qt keeps going."""

    def __init__(self, *, on_submit: Callable[[str], object], parent: QWidget):
        super().__init__(parent)
        self._on_submit = on_submit
        layout = QVBoxLayout(self)
        self.prompt = QLabel()
        self.prompt.setFont(theme.font(24, bold=True))
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setMaxLength(12)
        self.entry.setFont(theme.font(32))
        self.entry.setMinimumHeight(theme.TOUCH_PX + 8)
        self.entry.returnPressed.connect(self.submit)
        self.message = QLabel("")
        self.message.setFont(theme.font(theme.STATUS_PX, bold=True))
        self.message.setStyleSheet(f"color: {theme.RED};")
        self.message.setWordWrap(True)
        self.keypad = Keypad(self.entry, keys=DIGITS)
        self.keypad.entered.connect(self.submit)
        self.cancel_button = QPushButton()
        self.cancel_button.setFont(theme.font(22))
        self.cancel_button.setMinimumHeight(theme.TOUCH_PX)
        self.cancel_button.clicked.connect(self.reject)
        for w in (self.prompt, self.entry, self.message, self.keypad, self.cancel_button):
            layout.addWidget(w)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        self.setWindowTitle(translate("Pin", "Staff PIN"))
        self.prompt.setText(translate("Pin", "Enter your staff PIN"))
        self.cancel_button.setText(translate("Pin", "Cancel"))
        self.keypad.retranslate()

    def submit(self) -> None:
        """Hand the PIN typed so far to the desk thread (argon2 never runs on the GUI thread)."""
        pin = self.entry.text()
        self.entry.clear()
        self.message.setText("")
        self._on_submit(pin)

    def show_answer(self, answer: PinAnswer) -> None:
        """The desk thread's verdict on the PIN: close when right, else say why."""
        if answer.ok:
            self.accept()
        elif answer.asked:
            return
        elif answer.wait_s > 0:
            seconds = max(1, round(answer.wait_s))
            self.message.setText(
                translate("Pin", "Too many wrong PINs: wait %n second(s)", None, seconds)
            )
        else:
            self.message.setText(translate("Pin", "Wrong PIN"))
