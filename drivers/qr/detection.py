"""What a decoder found in a frame, and the event a held code produces once."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Detection:
    """One code in one frame: payload, symbology, corners clockwise from the symbol's top-left."""

    raw: bytes  # the payload's bytes as encoded in the symbol
    format: str  # symbology, zxing-cpp's names: "QRCode", "EAN13", "Code128", "DataMatrix", …
    box: tuple[Point, Point, Point, Point]  # image pixels

    @property
    def text(self) -> str:
        """The payload as text: UTF-8, or with undecodable bytes escaped as \\xNN."""
        return self.raw.decode("utf-8", errors="backslashreplace")


@dataclass(frozen=True, slots=True)
class QrScanned:
    """A code that came into view (a code held in view is reported once)."""

    detection: Detection
    at: float  # monotonic seconds when the frame that showed it arrived
    backend: str
