"""Widget makers the workspace's screens share: sizes from the desk's theme, text that wraps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QWidget,
)

from kiosk.core.timeutil import SHANGHAI
from kiosk.ui import theme

TEXT_PX = 16
TITLE_PX = 22

W = TypeVar("W", bound=QWidget)


def button(text: str = "", *, bold: bool = False) -> QPushButton:
    """A button at least 48 px each way that shows its whole text."""
    b = QPushButton(text)
    b.setFont(theme.font(TEXT_PX, bold=bold))
    b.setMinimumSize(theme.TOUCH_PX * 2, theme.TOUCH_PX)
    b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return b


def field(widget: W) -> W:
    """A form's input (line, date, choice) in the screens' text size, tall enough to touch."""
    widget.setFont(theme.font(TEXT_PX))
    widget.setMinimumHeight(theme.TOUCH_PX)
    return widget


def labelled_form(*inputs: QWidget) -> tuple[QFormLayout, list[QLabel]]:
    """A form of `inputs`, each under a wrapping label (texts set by the screen's retranslate)."""
    form = QFormLayout()
    captions = [label() for _ in inputs]
    for caption, widget in zip(captions, inputs, strict=True):
        form.addRow(caption, widget)
    return form, captions


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


Index = QModelIndex | QPersistentModelIndex


class TextRows(QAbstractTableModel):
    """Read-only rows whose cells are made when the view paints them.

    Five thousand people are one model reset, not 30,000 QTableWidgetItems made on the GUI
    thread (that took seconds and blocked the window).
    """

    def __init__(self, headers: Callable[[], Sequence[str]]) -> None:
        super().__init__()
        self._headers = headers
        self._rows: Sequence[Any] = ()
        self._cells: Callable[[Any], Sequence[str]] = lambda _row: ()

    def set_rows(self, rows: Sequence[Any], cells: Callable[[Any], Sequence[str]]) -> None:
        """Show `rows`, each row's texts from `cells(row)`."""
        self.beginResetModel()
        self._rows, self._cells = rows, cells
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        """One cell's text (what the screen shows)."""
        return self._cells(self._rows[row])[column]

    def retranslate(self) -> None:
        """Headers (and cells made with translated words) again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers()) - 1)
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        """Rows shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        """One per header."""
        return 0 if parent.isValid() else len(self._headers())

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self._headers()[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A cell's text; the tooltip is the same, unabridged."""
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.text(index.row(), index.column())


def text_table(model: TextRows, *, parent: QWidget | None = None) -> QTableView:
    """A read-only table over `model`, rows tall enough to touch, no corner button."""
    view = QTableView(parent)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)  # no corner button: not a touch target
    view.setMinimumHeight(120)
    view.verticalHeader().setDefaultSectionSize(theme.TOUCH_PX - 8)
    view.horizontalHeader().setDefaultSectionSize(170)
    return view
