"""On-screen keypads for a touch desk: digits (PIN), digits and X (ID numbers), letters (search).

Every key is at least 48 px square. Keys type into a QLineEdit the keypad is given, so a hardware
keyboard works on the same field as well.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

from kiosk.ui import theme
from kiosk.ui.texts import translate

BACKSPACE = "⌫"
DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", BACKSPACE]
ID_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", BACKSPACE]
LETTERS = [*"QWERTYUIOPASDFGHJKLZXCVBNM", BACKSPACE]


class Keypad(QWidget):
    """A grid of keys typing into `field`; `entered` when the Enter key is pressed."""

    entered = Signal()

    def __init__(self, field: QLineEdit, *, keys: list[str], columns: int = 3,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.field = field
        grid = QGridLayout(self)
        grid.setSpacing(6)
        self.buttons: list[QPushButton] = []
        for i, key in enumerate(keys):
            if not key:
                continue
            button = QPushButton(key)
            button.setFont(theme.font(26, bold=True))
            button.setMinimumSize(theme.TOUCH_PX + 16, theme.TOUCH_PX + 8)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, i // columns, i % columns)
            self.buttons.append(button)
        self.enter_button = QPushButton()
        self.enter_button.setFont(theme.font(22, bold=True))
        self.enter_button.setMinimumHeight(theme.TOUCH_PX + 8)
        self.enter_button.clicked.connect(self.entered)
        rows = (len(keys) + columns - 1) // columns
        grid.addWidget(self.enter_button, rows, 0, 1, columns)
        self.buttons.append(self.enter_button)
        self.retranslate()

    def _press(self, key: str) -> None:
        if key == BACKSPACE:
            self.field.backspace()
        else:
            self.field.insert(key)

    def retranslate(self) -> None:
        """The Enter key's word in the language now installed."""
        self.enter_button.setText(translate("Keypad", "OK"))
