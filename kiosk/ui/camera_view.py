"""The live camera on the attendee's screen: where to look, the face box, and what to do now."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.services.screen import (
    CAMERA_NAME,
    FACE_NAME,
    DeviceStatus,
    FacePrompt,
    PreviewFrame,
)
from kiosk.ui import theme
from kiosk.ui.texts import device_reason_line, either, prompt_text, translate


class CameraView(QWidget):
    """Paints the newest preview frame scaled to fit, the face box on it, and a prompt band."""

    def __init__(self, *, hint_ms: int = 3000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._pixmap: QPixmap | None = None
        self._box: tuple[float, float, float, float] | None = None
        self._prompt = ""
        self._prompt_colour = theme.BLUE
        self._status = ""  # why face check-in is off
        self._ok = True
        self._camera = ""  # the camera's state while it is off (dropped, reconnecting)
        self.frames_shown = 0
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(hint_ms)
        self._hint_timer.timeout.connect(self.clear_prompt)

    @property
    def prompt(self) -> str:
        """The prompt band's text now (empty when none)."""
        return self._prompt

    @property
    def status_text(self) -> str:
        """Why there is no live picture: the camera's state first, then face check-in's."""
        return self._camera or self._status

    @property
    def has_frame(self) -> bool:
        """Whether a preview frame is on screen."""
        return self._pixmap is not None and not self._pixmap.isNull()

    @property
    def face_box(self) -> tuple[float, float, float, float] | None:
        """The face box drawn on the frame now (fractions of the frame)."""
        return self._box

    def show_preview(self, frame: PreviewFrame) -> None:
        """Keep one preview frame (copied), then let the station send the next."""
        try:
            if self._camera:
                return  # a frame in flight as the camera dropped: not a live picture
            h, w = frame.rgb.shape[:2]
            image = QImage(frame.rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
            self._pixmap = QPixmap.fromImage(image)  # copies: the array may go once this returns
            self._box = frame.box
            self.frames_shown += 1
            self.update()
        finally:
            frame.shown()

    def show_status(self, status: DeviceStatus) -> None:
        """The camera's or the face station's state: while off, no stale picture, and why."""
        if status.name == CAMERA_NAME:
            # A dropped stream: the last frame would look live; its state is shown instead.
            self._camera = (
                "" if status.ok else f"{status.name}: {device_reason_line(status.reason)}"
            )
        elif status.name == FACE_NAME:
            self._ok = status.ok
            self._status = "" if status.ok else device_reason_line(status.reason)
        else:
            return
        if not status.ok:
            self._pixmap = None
            self._box = None
        self.update()

    def show_prompt(self, prompt: FacePrompt, *, held: bool = False) -> None:
        """A hint (come closer, hold still) over the picture; it clears itself unless held."""
        self._prompt = prompt_text(prompt.code, either(prompt.zh, prompt.en))
        self._prompt_colour = theme.BLUE if prompt.kind != "unknown" else theme.SLATE
        if held:
            self._hint_timer.stop()
        else:
            self._hint_timer.start()
        self.update()

    def clear_prompt(self) -> None:
        """Remove the prompt band."""
        self._prompt = ""
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """The frame letterboxed, the box in green, the prompt on a band at the bottom."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.INK))
        area = QRectF(self.rect())
        if self._pixmap is not None and not self._pixmap.isNull():
            size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(
                (self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                size.width(), size.height(),
            )  # fmt: skip
            painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
            if self._box is not None:
                left, top, right, bottom = self._box
                painter.setPen(QPen(QColor(theme.GREEN), 4))
                painter.drawRect(QRectF(
                    target.x() + left * target.width(), target.y() + top * target.height(),
                    (right - left) * target.width(), (bottom - top) * target.height(),
                ))  # fmt: skip
            area = target
        else:
            painter.setPen(QColor("#b0bec5"))
            painter.setFont(theme.font(theme.STATUS_PX + 2))
            text = self.status_text or translate("Desk", "Camera")
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        if self._prompt:
            band = QRectF(area.x(), area.bottom() - 72, area.width(), 72)
            painter.fillRect(band, QColor(self._prompt_colour))
            painter.setPen(QColor("white"))
            painter.setFont(theme.font(theme.REASON_PX, bold=True))
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._prompt)  # fmt: skip
        painter.end()
