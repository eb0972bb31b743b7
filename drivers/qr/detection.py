"""What a decoder found in a frame, and the event a held code produces once."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.charset import Payload

Point = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Detection:
    """One code in one frame: payload, symbology, corners clockwise from the symbol's top-left."""

    payload: Payload  # the symbol's bytes and their text (ECI, UTF-8, GB18030, Shift_JIS…)
    format: str  # symbology, zxing-cpp's names: "QRCode", "EAN13", "Code128", "DataMatrix", …
    box: tuple[Point, Point, Point, Point]  # image pixels

    @property
    def raw(self) -> bytes:
        """The payload's bytes as encoded in the symbol (what signatures are checked over)."""
        return self.payload.raw

    @property
    def text(self) -> str:
        """The payload as its maker wrote it, or `hex:…` for bytes that are no text."""
        return self.payload.text


@dataclass(frozen=True, slots=True)
class QrScanned:
    """A code that came into view (a code held in view is reported once)."""

    detection: Detection
    at: float  # monotonic seconds when the frame that showed it arrived
    backend: str
