"""The answer card: one big answer a nurse reads at a glance, from two metres.

A glyph as well as a colour (✓ / ! / ✗), the name, unit and masked ID, the time on the desk clock,
the face crop when there is one, and a short reason. It stays a few seconds; the next answer
replaces it at once. Liveness and "look at the camera" prompts use the same card, in blue.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.timeutil import format_local
from kiosk.services.checkin import Outcome, Status
from kiosk.services.screen import FacePrompt, Notice
from kiosk.ui import theme
from kiosk.ui.texts import either, outcome_line, prompt_text, reason_text, translate

PHOTO_PX = 160


def _label(px: int, *, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setFont(theme.font(px, bold=bold))
    label.setStyleSheet("color: white; background: transparent;")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(wrap)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


class AnswerCard(QFrame):
    """Idle prompt, an outcome, a notice or a face prompt; `idle` is emitted when it clears."""

    idle = Signal()

    def __init__(self, *, hold_ms: int = 3000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answerCard")
        self.status: Status | None = None
        self.glyph_label = _label(theme.GLYPH_PX, bold=True, wrap=False)
        self.name_label = _label(theme.NAME_PX, bold=True)
        self.line_label = _label(theme.REASON_PX, bold=True)
        self.who_label = _label(theme.STATUS_PX + 4)  # unit · masked ID · time
        self.photo_label = QLabel()
        self.photo_label.setFixedSize(PHOTO_PX, PHOTO_PX)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.hide()
        text = QVBoxLayout()
        for w in (self.name_label, self.line_label, self.who_label):
            text.addWidget(w)
        row = QHBoxLayout(self)
        row.addWidget(self.glyph_label)
        row.addLayout(text, 1)
        row.addWidget(self.photo_label)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(hold_ms)
        self._hold.timeout.connect(self.show_idle)
        self._countdown = QTimer(self)
        self._countdown.setInterval(200)
        self._countdown.timeout.connect(self._tick)
        self._deadline: float | None = None
        self.show_idle()

    def _paint(self, colour: str) -> None:
        self.setStyleSheet(f"QFrame#answerCard {{ background: {colour}; border-radius: 16px; }}")

    def _photo(self, jpeg: bytes | None) -> None:
        pixmap = QPixmap()
        if jpeg and pixmap.loadFromData(jpeg):
            self.photo_label.setPixmap(
                pixmap.scaled(PHOTO_PX, PHOTO_PX, Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
            )  # fmt: skip
            self.photo_label.show()
        else:
            self.photo_label.clear()
            self.photo_label.hide()

    def show_idle(self) -> None:
        """The waiting screen: what to do, in words and the glyph of a card."""
        self._countdown.stop()
        self._deadline = None
        self.status = None
        self._paint(theme.SLATE)
        self.glyph_label.setText("▭")
        self.name_label.setText(translate("Desk", "Welcome"))
        self.line_label.setText(
            translate("Desk", "Tap your ID card, scan your code, or look at the camera")
        )
        self.who_label.setText("")
        self._photo(None)
        self.idle.emit()

    def show_outcome(self, outcome: Outcome) -> None:
        """Paint one answer; it stays `hold_ms`, unless the next one comes first."""
        self._countdown.stop()
        self.status = outcome.status
        self._paint(theme.STATUS_COLOURS[outcome.status])
        self.glyph_label.setText(theme.GLYPHS[outcome.status])
        person = outcome.attendee
        self.name_label.setText(person.name if person else "")
        self.line_label.setText(outcome_line(outcome))
        moment = outcome.event.scanned_at if outcome.event else outcome.at
        parts = [person.unit if person else "", person.document.masked() if person else ""]
        if moment is not None:
            parts.append(format_local(moment, "%H:%M:%S"))
        self.who_label.setText("　".join(p for p in parts if p))
        self._photo(outcome.photo)
        self._hold.start()

    def show_notice(self, notice: Notice) -> None:
        """A message that is not a check-in (a code unreadable, data purged): red, held."""
        self._countdown.stop()
        self.status = Status.REFUSED
        self._paint(theme.RED)
        self.glyph_label.setText(theme.GLYPHS[Status.REFUSED])
        self.name_label.setText("")
        text = either(notice.zh, notice.en)
        self.line_label.setText(reason_text(notice.code, text) if notice.code else text)
        self.who_label.setText("")
        self._photo(None)
        self._hold.start()

    def show_prompt(self, prompt: FacePrompt) -> None:
        """A liveness or look-at-the-camera instruction, big and blue, with the seconds left."""
        self._hold.stop()
        self.status = None
        self._paint(theme.BLUE)
        self.glyph_label.setText("◉")
        self.name_label.setText(prompt_text(prompt.code, either(prompt.zh, prompt.en)))
        self.line_label.setText("")
        self.who_label.setText("")
        self._photo(None)
        self._deadline = prompt.deadline
        self._tick()
        self._countdown.start()

    def _tick(self) -> None:
        if self._deadline is None:
            self._countdown.stop()
            return
        left = self._deadline - time.monotonic()
        if left < -2.0:  # the verdict should have come by now: do not leave a stale prompt
            self.show_idle()
            return
        seconds = max(0, int(left + 0.999))
        self.line_label.setText(translate("Desk", "%n second(s) left", None, seconds))
