"""The Overview's charts, painted with QPainter from series worked out off the GUI thread."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui import theme


class BarChart(QWidget):
    """Bars (or a line) of values with a title and the largest value; empty shows a dash."""

    def __init__(self, *, line: bool = False, colour: str = theme.BLUE) -> None:
        super().__init__()
        self._title = ""
        self._values: tuple[float, ...] = ()
        self._second: tuple[float, ...] = ()  # a paler series behind (e.g. session lengths)
        self._line = line
        self._colour = QColor(colour)
        self.setMinimumSize(220, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(
        self, title: str, values: Sequence[float], *, behind: Sequence[float] = ()
    ) -> None:
        """Show `values` (and `behind`, paler) under `title`."""
        self._title = title
        self._values = tuple(values)
        self._second = tuple(behind)
        self.setAccessibleName(title)
        self.update()

    @property
    def values(self) -> tuple[float, ...]:
        """The values drawn (for tests and screen readers)."""
        return self._values

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """Title on top, the series below, scaled to the largest value."""
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.fillRect(self.rect(), QColor("white"))
            p.setPen(QColor(theme.INK))
            p.setFont(theme.font(14, bold=True))
            head = 24
            p.drawText(QRectF(6, 2, self.width() - 12, head), self._title)
            area = QRectF(8, head + 4, self.width() - 16, self.height() - head - 12)
            top = max([*self._values, *self._second, 1.0])
            p.setFont(theme.font(12))
            p.drawText(QRectF(area.right() - 80, head - 4, 80, 16),
                       Qt.AlignmentFlag.AlignRight, f"{top:g}")  # fmt: skip
            self._draw(p, area, self._second, top, QColor(theme.PAGE).darker(115), bars=True)
            self._draw(p, area, self._values, top, self._colour, bars=not self._line)
        finally:
            p.end()

    @staticmethod
    def _draw(
        p: QPainter, area: QRectF, values: Sequence[float], top: float, colour: QColor,
        *, bars: bool,
    ) -> None:  # fmt: skip
        if not values:
            return
        width = area.width() / len(values)
        if bars:
            for i, v in enumerate(values):
                h = area.height() * v / top
                p.fillRect(QRectF(area.left() + i * width + 1, area.bottom() - h,
                                  max(1.0, width - 2), h), colour)  # fmt: skip
            return
        p.setPen(QPen(colour, 2))
        points = [(area.left() + (i + 0.5) * width, area.bottom() - area.height() * v / top)
                  for i, v in enumerate(values)]  # fmt: skip
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            p.drawLine(int(x1), int(y1), int(x2), int(y2))
