"""Check-in codes as level-M QR symbols: for `qr make`, the demo's phone screens and the tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def qr_symbol(payload: str, *, box_size: int = 8, border: int = 4) -> Any:
    """The payload as a fitted level-M `qrcode.QRCode` (its `version` tells the size)."""
    import qrcode  # lazily: only the commands and the demo draw codes
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_image(payload: str, *, box_size: int = 6, border: int = 4) -> npt.NDArray[np.uint8]:
    """The symbol as a grayscale image: black modules on white, `box_size` pixels per module."""
    symbol = qr_symbol(payload, box_size=box_size, border=border)
    image = symbol.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return np.asarray(image, dtype=np.uint8).copy()
