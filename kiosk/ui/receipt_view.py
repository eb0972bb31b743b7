"""The attendee's receipt on the answer card: hours per session and the signed QR to photograph."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from kiosk.core.codes.receipt import Receipt
from kiosk.ui.texts import translate

QR_PX = 220


def qr_pixmap(text: str, *, px: int = QR_PX) -> QPixmap:
    """`text` as a level-M QR code, black on white, scaled to `px` (a few ms on the GUI thread)."""
    import qrcode  # lazily: a desk that never checks anyone out never loads it
    from qrcode.constants import ERROR_CORRECT_M

    # A fixed mask skips scoring all eight (three times faster, still a valid symbol).
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, mask_pattern=2)
    code.add_data(text)
    code.make(fit=True)
    modules = np.array(code.get_matrix(), dtype=bool)
    grey = np.where(modules, 0, 255).astype(np.uint8)
    height, width = grey.shape
    image = QImage(grey.tobytes(), width, height, width, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(
        px, px, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


def hours_text(receipt: Receipt, titles: dict[str, str]) -> str:
    """One line per session of the day with its hours, then the total."""
    lines = [
        translate("Desk", "%1: %2 h")
        .replace("%1", titles.get(s.session_id, s.session_id))
        .replace("%2", f"{s.hours:.2f}")
        for s in receipt.sessions
    ]
    total = translate("Desk", "Today counted: %1 h")
    lines.append(total.replace("%1", f"{receipt.total_hours:.2f}"))
    return "\n".join(lines)
