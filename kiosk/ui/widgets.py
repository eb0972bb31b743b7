"""Small widget makers the desk's screens share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def big_label(size: int, *, bold: bool = False, colour: str | None = None) -> QLabel:
    """Centred, wrapping text at `size` points (white on the coloured answer cards)."""
    label = QLabel()
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    if colour is not None:
        label.setStyleSheet(f"color: {colour};")
    return label


def white_label(size: int, *, bold: bool = False) -> QLabel:
    """White text for the coloured cards (answer, consent)."""
    return big_label(size, bold=bold, colour="white")
