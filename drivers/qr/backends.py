"""Decoder backends, imported lazily: zxing-cpp (default) and pyzbar (needs libzbar0).

Each backend only turns a grayscale frame into (bytes, symbology, corners) tuples; everything
else (frame checks, text, corner order, de-duplication) is shared in drivers.qr.decode.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from drivers.qr.detection import Point

GrayFrame = npt.NDArray[np.uint8]
RawCode = tuple[bytes, str, tuple[Point, Point, Point, Point]]

BACKENDS = ("zxing", "zbar")

# zbar's symbology names → zxing-cpp's, so both backends report the same `format`.
_ZBAR_NAMES = {
    "QRCODE": "QRCode",
    "SQCODE": "SQCode",
    "CODE128": "Code128",
    "CODE39": "Code39",
    "CODE93": "Code93",
    "CODABAR": "Codabar",
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "EAN5": "EAN5",
    "EAN2": "EAN2",
    "ISBN10": "ISBN",
    "ISBN13": "ISBN",
    "UPCA": "UPCA",
    "UPCE": "UPCE",
    "I25": "ITF",
    "PDF417": "PDF417",
    "DATABAR": "DataBar",
    "DATABAR_EXP": "DataBarExp",
}
# Where the symbol's top-left corner lies, as the image direction (x, y) it is furthest along,
# for each of zbar's orientations (the way the symbol's top points).
_ZBAR_TOP_LEFT = {"UP": (-1, -1), "RIGHT": (1, -1), "DOWN": (1, 1), "LEFT": (-1, 1)}


class DecoderUnavailable(Exception):
    """The chosen backend cannot load; `status` is the line for `doctor` and the desk."""

    def __init__(self, backend: str, reason: str):
        super().__init__(f"QR decoder {backend} unavailable: {reason}")
        self.backend = backend
        self.status = str(self)


class Backend(Protocol):
    """Finds codes in a grayscale frame."""

    name: str

    def read(self, gray: GrayFrame) -> list[RawCode]:
        """Every code found: raw bytes, symbology, corners clockwise from the symbol's top-left."""
        ...


class ZxingBackend:
    """zxing-cpp: fast and robust to rotation, blur and small codes."""

    name = "zxing"

    def __init__(self, formats: Sequence[str] = ()):
        try:
            import zxingcpp
        except ImportError as exc:
            raise DecoderUnavailable("zxing", f"zxing-cpp not installed ({exc})") from None
        self._zx: Any = zxingcpp
        self._formats: Any = None
        if formats:
            try:
                self._formats = zxingcpp.barcode_formats_from_str(",".join(formats))
            except ValueError as exc:
                raise DecoderUnavailable(
                    "zxing", f"unknown symbology in {formats}: {exc}"
                ) from None

    def read(self, gray: GrayFrame) -> list[RawCode]:
        """Every valid code zxing-cpp finds."""
        kwargs: dict[str, Any] = {}
        if self._formats is not None:
            kwargs["formats"] = self._formats
        out: list[RawCode] = []
        for code in self._zx.read_barcodes(gray, **kwargs):
            if not code.valid:
                continue
            p = code.position
            corners = tuple(
                (int(q.x), int(q.y))
                for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
            )
            out.append((bytes(code.bytes), str(code.format.name), corners))  # type: ignore[arg-type]
        return out


class ZbarBackend:
    """pyzbar over the system libzbar0."""

    name = "zbar"

    def __init__(self, formats: Sequence[str] = ()):
        try:
            from pyzbar import pyzbar
        except ImportError as exc:  # pyzbar missing, or libzbar0 missing (raised as ImportError)
            raise DecoderUnavailable(
                "zbar", f"pyzbar or libzbar0 missing ({exc}); apt install libzbar0"
            ) from None
        self._pz: Any = pyzbar
        reverse = {v: k for k, v in _ZBAR_NAMES.items()}
        self._symbols: Any = None
        if formats:
            try:
                self._symbols = [pyzbar.ZBarSymbol[reverse.get(f, f.upper())] for f in formats]
            except KeyError as exc:
                raise DecoderUnavailable("zbar", f"zbar cannot read symbology {exc}") from None

    def read(self, gray: GrayFrame) -> list[RawCode]:
        """Every code zbar finds, with corners in the same order as zxing-cpp's."""
        out: list[RawCode] = []
        for code in self._pz.decode(gray, symbols=self._symbols):
            out.append((bytes(code.data), _ZBAR_NAMES.get(code.type, code.type), _zbar_box(code)))
        return out


def _zbar_box(code: Any) -> tuple[Point, Point, Point, Point]:
    points = [(int(p.x), int(p.y)) for p in code.polygon]
    if len(points) != 4:
        # Linear codes come with a scan-line polygon: use the bounding rectangle instead.
        r = code.rect
        left, top, right, bottom = r.left, r.top, r.left + r.width, r.top + r.height
        return (left, top), (right, top), (right, bottom), (left, bottom)
    # zbar's polygon starts at no fixed corner: order the corners clockwise on screen, then start
    # at the one its orientation (where the symbol's top points) makes the symbol's top-left.
    cx = sum(p[0] for p in points) / 4
    cy = sum(p[1] for p in points) / 4
    clockwise = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
    sx, sy = _ZBAR_TOP_LEFT.get(str(code.orientation or "UP"), (-1, -1))
    start = max(range(4), key=lambda i: sx * clockwise[i][0] + sy * clockwise[i][1])
    a, b, c, d = clockwise[start:] + clockwise[:start]
    return a, b, c, d


def open_backend(name: str, *, formats: Sequence[str] = ()) -> Backend:
    """Load a backend by name ("zxing" or "zbar"); DecoderUnavailable says why not."""
    if name == "zxing":
        return ZxingBackend(formats)
    if name == "zbar":
        return ZbarBackend(formats)
    raise DecoderUnavailable(name, f"unknown backend (choose {' or '.join(BACKENDS)})")


def backend_status(name: str) -> tuple[bool, str]:
    """Whether a backend loads, and its status line."""
    try:
        open_backend(name)
    except DecoderUnavailable as exc:
        return False, exc.status
    return True, f"QR decoder {name} ready"
