"""The archive sheet's page furniture: "第 N 页 / 共 M 页" on every page, under a separator."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

FOOTER_Y = 8 * mm  # the footer's baseline
RULE_Y = 11 * mm  # the separator above it


def footer_canvas(*, font: str, left: str, margin: float) -> type[Canvas]:
    """A Canvas class that holds every page back until it knows how many there are.

    The total is only known once the story has been laid out, so `showPage` keeps each page's
    drawing and `save` replays them with the footer: a separator rule, `left` (the project
    number) and "第 N 页 / 共 M 页" on the right.
    """

    class FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for page in self._held:
                self.__dict__.update(page)
                self._footer(total)
                Canvas.showPage(self)
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setStrokeColor(colors.grey)
            self.setLineWidth(0.5)
            self.line(margin, RULE_Y, width - margin, RULE_Y)
            self.setFont(font, 8)
            self.setFillColor(colors.black)
            self.drawString(margin, FOOTER_Y, left)
            self.drawRightString(
                width - margin, FOOTER_Y, f"第 {self._pageNumber} 页 / 共 {total} 页"
            )
            self.restoreState()

    return FooterCanvas
