"""The desk's look in one place: colours a nurse tells apart at a glance, sizes in pixels."""

from __future__ import annotations

from PySide6.QtGui import QFont

from kiosk.core.model import Status  # not kiosk.services.checkin: that loads sync.store

# Colours chosen for contrast with white text at a glance (WCAG AA on large text).
GREEN = "#2e7d32"
AMBER = "#b26a00"
RED = "#c62828"
BLUE = "#1565c0"  # the person must act (blink, turn, look): never a verdict
SLATE = "#37474f"
PURPLE = "#4527a0"  # for staff, not the attendee
PAGE = "#eceff1"
INK = "#263238"

STATUS_COLOURS = {
    Status.ACCEPTED: GREEN,
    Status.ALREADY: AMBER,
    Status.REFUSED: RED,
    Status.ERROR: RED,
    None: SLATE,
}
# Colour is never the only difference: each answer has its own glyph as well.
GLYPHS = {Status.ACCEPTED: "✓", Status.ALREADY: "!", Status.REFUSED: "✗", Status.ERROR: "✗"}

TOUCH_PX = 48  # the smallest touch target (WCAG 2.5.5 asks 44 CSS px; gloves ask more)
NAME_PX = 56  # the answer card's name: ≥ 48 px, read from two metres
REASON_PX = 30  # the answer's reason: ≥ 28 px
STATUS_PX = 18  # status lines: ≥ 16 px
GLYPH_PX = 120


def font(px: int, *, bold: bool = False) -> QFont:
    """A font of `px` pixels (pixel sizes keep the layout the same on every screen's DPI)."""
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f
