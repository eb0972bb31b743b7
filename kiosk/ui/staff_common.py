"""Widgets staff mode's pages share: touch buttons, titles, the answer line, the reason picker."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.timeutil import format_local
from kiosk.services.checkin import Outcome, Status
from kiosk.services.staff_search import PersonRow
from kiosk.ui import theme
from kiosk.ui.texts import QT_TRANSLATE_NOOP, outcome_line, translate

ROW_PX = 64  # a list row is a touch target too


def touch_button(text: str = "", *, px: int = 22) -> QPushButton:
    """A button a gloved finger hits: at least 48 px high."""
    button = QPushButton(text)
    button.setFont(theme.font(px, bold=True))
    button.setMinimumHeight(theme.TOUCH_PX + 8)
    button.setMinimumWidth(theme.TOUCH_PX + 8)
    return button


def section_title() -> QLabel:
    """A page's title."""
    label = QLabel()
    label.setFont(theme.font(28, bold=True))
    return label


def text_label(*, px: int = theme.STATUS_PX + 2, bold: bool = False) -> QLabel:
    """A wrapping line of text on a staff page."""
    label = QLabel()
    label.setFont(theme.font(px, bold=bold))
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    return label


def entry(*, px: int = 24) -> QLineEdit:
    """A text field a finger hits (the on-screen keypads and a keyboard type into it)."""
    field = QLineEdit()
    field.setFont(theme.font(px))
    field.setMinimumHeight(theme.TOUCH_PX + 8)
    return field


def touch_list() -> QListWidget:
    """A list whose rows are touch targets; no horizontal scrolling."""
    rows = QListWidget()
    rows.setFont(theme.font(theme.STATUS_PX + 2))
    rows.setWordWrap(True)
    rows.setUniformItemSizes(True)
    rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    rows.setStyleSheet(
        "QListWidget::item { border-bottom: 1px solid #cfd8dc; padding: 4px; }"
        f" QListWidget::item:selected {{ background: #bbdefb; color: {theme.INK}; }}"
    )
    return rows


class AnswerLine(QLabel):
    """What the desk answered a staff action: green, amber or red, with the glyph."""

    def __init__(self) -> None:
        super().__init__()
        self.setFont(theme.font(theme.STATUS_PX + 4, bold=True))
        self.setWordWrap(True)
        self.status: Status | None = None

    def show_outcome(self, outcome: Outcome) -> None:
        """The outcome's line (and the person's name when there is one)."""
        self.status = outcome.status
        name = outcome.attendee.name if outcome.attendee else ""
        text = f"{theme.GLYPHS[outcome.status]} {outcome_line(outcome)}"
        self.setText(f"{text} · {name}" if name and name not in text else text)
        self.setStyleSheet(f"color: {theme.STATUS_COLOURS[outcome.status]};")

    def show_problem(self, text: str) -> None:
        """A refusal the screen found itself (nothing was sent)."""
        self.status = Status.REFUSED
        self.setText(f"{theme.GLYPHS[Status.REFUSED]} {text}")
        self.setStyleSheet(f"color: {theme.RED};")

    def clear_answer(self) -> None:
        """Nothing to say."""
        self.status = None
        self.setText("")


# Reasons staff pick most often; "other" leaves only the free text.
PRESETS: tuple[tuple[str, str], ...] = (
    ("card", QT_TRANSLATE_NOOP("StaffReason", "Card unreadable")),
    ("no_card", QT_TRANSLATE_NOOP("StaffReason", "No card with them")),
    ("device", QT_TRANSLATE_NOOP("StaffReason", "Device fault")),
    ("mistake", QT_TRANSLATE_NOOP("StaffReason", "Mistaken tap")),
)


class ReasonPicker(QWidget):
    """A reason: one of the presets and/or free text; `reason()` is what gets signed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, _source) in enumerate(PRESETS):
            button = touch_button(px=18)
            button.setCheckable(True)
            self.group.addButton(button, i)
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button
        self.label = text_label()
        self.text = entry(px=20)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.label)
        column.addLayout(grid)
        column.addWidget(self.text)
        self.retranslate()

    def reason(self) -> str:
        """The chosen preset's words, then the free text ("" when neither)."""
        parts = []
        checked = self.group.checkedButton()
        if checked is not None:
            parts.append(checked.text())
        if self.text.text().strip():
            parts.append(self.text.text().strip())
        return " — ".join(parts)

    def reset(self) -> None:
        """No preset, no text."""
        self.group.setExclusive(False)
        for button in self.buttons.values():
            button.setChecked(False)
        self.group.setExclusive(True)
        self.text.clear()

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        for key, source in PRESETS:
            self.buttons[key].setText(translate("StaffReason", source))
        self.label.setText(translate("StaffReason", "Reason (required):"))
        self.text.setPlaceholderText(translate("StaffReason", "Or in your own words"))


def clock(at: datetime | None) -> str:
    """A time on the desk clock, or a dash."""
    return format_local(at, "%H:%M") if at is not None else "–"


def person_line(row: PersonRow) -> str:
    """One person in a list: name, unit, masked ID (never the full number)."""
    parts = [row.name, row.unit, row.masked_id]
    if row.provisional:
        parts.append(translate("Staff", "walk-in"))
    return "　".join(p for p in parts if p)


def state_line(row: PersonRow) -> str:
    """A person's state today with the times."""
    states = {
        "not_arrived": translate("Staff", "not yet arrived"),
        "in": translate("Staff", "in"),
        "out": translate("Staff", "out"),
    }
    line = (
        translate("Staff", "%1 · in %2 · out %3")
        .replace("%1", states.get(row.state, row.state))
        .replace("%2", clock(row.first_in))
        .replace("%3", clock(row.last_out))
    )
    if row.flagged:
        line += " · ⚑ " + translate("Staff", "flagged")
    return line


def count_line(shown: int, total: int, *, offset: int = 0) -> str:
    """ "N of M" when a list is limited, else the count."""
    if shown + offset < total or offset:
        return (
            translate("Staff", "%1–%2 of %3")
            .replace("%1", str(offset + 1 if shown else offset))
            .replace("%2", str(offset + shown))
            .replace("%3", str(total))
        )
    return translate("Staff", "%n found", None, total)
