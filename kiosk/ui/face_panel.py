"""The face column of the desk: a small live preview, the face status line, and short hints."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from kiosk.services.screen import FACE_NAME, DeviceStatus, FacePrompt, PreviewFrame
from kiosk.ui.widgets import big_label

PREVIEW_W, PREVIEW_H = 240, 180
HINT_COLOUR = "#1565c0"  # blue: something for the person to do; never a verdict


class FacePanel(QFrame):
    """Hidden until the face station reports; hints clear themselves after `hint_ms`."""

    def __init__(self, *, hint_ms: int = 3000) -> None:
        super().__init__()
        self.setFixedWidth(PREVIEW_W + 24)
        layout = QVBoxLayout(self)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #263238; color: #b0bec5; border-radius: 8px;")
        self.preview.setText("摄像头 camera")
        self.status_label = big_label(12)
        self.hint_label = big_label(18, bold=True)
        self.hint_label.setStyleSheet(f"color: {HINT_COLOUR};")
        layout.addWidget(self.preview)
        layout.addWidget(self.status_label)
        layout.addWidget(self.hint_label, 1)
        self.frames_shown = 0
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(hint_ms)
        self._hint_timer.timeout.connect(self.clear_hint)
        self.hide()

    def show_preview(self, frame: PreviewFrame) -> None:
        """Paint one preview frame (already small), then let the station send the next."""
        try:
            h, w = frame.rgb.shape[:2]
            image = QImage(frame.rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
            pixmap = QPixmap.fromImage(image)  # copies: the array may go once this returns
            self.preview.setPixmap(
                pixmap.scaled(PREVIEW_W, PREVIEW_H, Qt.AspectRatioMode.KeepAspectRatio)
            )
            self.frames_shown += 1
        finally:
            frame.shown()

    def show_status(self, status: DeviceStatus) -> None:
        """The face station's line (loading, ready, or why face check-in is off)."""
        if status.name != FACE_NAME:
            return
        self.show()
        self.status_label.setText(status.detail)
        self.status_label.setStyleSheet("" if status.ok else "color: #c62828; font-weight: bold;")
        if not status.ok:
            self.preview.clear()
            self.preview.setText("人脸签到未启用\nface check-in off")

    def show_hint(self, prompt: FacePrompt) -> None:
        """A short instruction (come closer, not recognised); it fades after a few seconds."""
        self.show()
        self.hint_label.setText(f"{prompt.zh}\n{prompt.en}")
        self._hint_timer.start()

    def clear_hint(self) -> None:
        """Remove the hint."""
        self.hint_label.setText("")
