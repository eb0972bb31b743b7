"""Widget makers the workspace's screens share: sizes from the desk's theme, text that wraps."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.core.timeutil import SHANGHAI
from kiosk.ui import theme

TEXT_PX = 16
TITLE_PX = 22


def button(text: str = "", *, bold: bool = False) -> QPushButton:
    """A button at least 48 px each way that shows its whole text."""
    b = QPushButton(text)
    b.setFont(theme.font(TEXT_PX, bold=bold))
    b.setMinimumSize(theme.TOUCH_PX * 2, theme.TOUCH_PX)
    b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return b


def check(text: str = "") -> QCheckBox:
    """A check box with a 48 px target."""
    c = QCheckBox(text)
    c.setFont(theme.font(TEXT_PX))
    c.setMinimumHeight(theme.TOUCH_PX)
    return c


def label(*, px: int = TEXT_PX, bold: bool = False, parent: QWidget | None = None) -> QLabel:
    """Text that wraps instead of being cut."""
    w = QLabel(parent)
    w.setFont(theme.font(px, bold=bold))
    w.setWordWrap(True)
    w.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return w


def title() -> QLabel:
    """A screen's heading."""
    return label(px=TITLE_PX, bold=True)


def clock(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant on the desks' clock (Asia/Shanghai)."""
    return "—" if moment is None else moment.astimezone(SHANGHAI).strftime(fmt)
