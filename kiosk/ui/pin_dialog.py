"""The staff PIN prompt in front of desk settings: a wrong PIN slows down, never locks the desk."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.screen import PinAnswer


def _seconds(wait_s: float) -> int:
    return max(1, round(wait_s))


class PinDialog(QDialog):
    """Asks the staff PIN (not echoed); the desk thread checks it. Non-modal: Qt keeps going."""

    def __init__(self, *, on_submit: Callable[[str], object], parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("工作人员 PIN / Staff PIN")
        self._on_submit = on_submit
        layout = QVBoxLayout(self)
        prompt = QLabel("请输入工作人员 PIN\nEnter the staff PIN")
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setMaxLength(12)
        font = QFont()
        font.setPointSize(20)
        self.entry.setFont(font)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #c62828;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        for w in (prompt, self.entry, self.message, buttons):
            layout.addWidget(w)

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
        elif answer.wait_s > 0:
            s = _seconds(answer.wait_s)
            self.message.setText(f"PIN 错误次数过多，请 {s} 秒后再试 / Too many tries: wait {s} s")
        else:
            self.message.setText("PIN 错误 / Wrong PIN")
