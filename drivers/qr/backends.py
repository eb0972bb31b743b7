"""Decoder backends, imported lazily: zxing-cpp (default) and pyzbar (needs libzbar0).

Each backend only turns a grayscale frame into (payload, symbology, corners) tuples; everything
else (frame checks, corner order, de-duplication) is shared in drivers.qr.decode. Both hand over
the symbol's own bytes and read the text from them the same way (kiosk.core.charset): an
ECI wins, valid UTF-8 stays UTF-8, otherwise GB18030, Shift_JIS or ISO 8859-1 by plausibility.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from drivers.qr.detection import Point
from kiosk.core.charset import Payload, decode_eci_protocol, decode_payload

GrayFrame = npt.NDArray[np.uint8]
Box = tuple[Point, Point, Point, Point]
RawCode = tuple[Payload, str, Box]

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
_FOURCC_Y800 = int.from_bytes(b"Y800", "little")  # 8-bit gray, one byte per pixel
_ZBAR_CFG_BINARY = 4  # zbar.h ≥ 0.23: hand over byte-mode data as it is (pyzbar calls 4 CFG_NUM)


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
        """Every code found: payload, symbology, corners clockwise from the symbol's top-left."""
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
        # HexECI text is the content in the ECI protocol, so one read gives the bytes and any ECI.
        kwargs: dict[str, Any] = {"text_mode": self._zx.TextMode.HexECI}
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
            payload = zxing_payload(
                bytes(code.bytes), hex_eci=code.text, symbology=code.symbology_identifier
            )
            out.append((payload, str(code.format.name), corners))  # type: ignore[arg-type]
        return out


def zxing_payload(raw: bytes, *, hex_eci: str, symbology: str) -> Payload:
    """A zxing-cpp result's payload from its bytes and its HexECI text (bytesECI in hex).

    bytesECI is the symbology identifier and the bytes when the code has no ECI; with one, every
    block gets its `\\NNNNNN` designator and backslashes are doubled, so it is longer.
    """
    tagged = bytes.fromhex(hex_eci)
    if len(tagged) <= len(symbology) + len(raw):
        return decode_payload(raw)
    return dataclasses.replace(decode_eci_protocol(tagged[len(symbology) :]), raw=raw)


class ZbarBackend:
    """pyzbar over the system libzbar0, in binary mode: the symbol's bytes, not zbar's guess."""

    name = "zbar"

    def __init__(self, formats: Sequence[str] = ()):
        try:
            from pyzbar import locations, wrapper
        except ImportError as exc:  # pyzbar missing, or libzbar0 missing (raised as ImportError)
            raise DecoderUnavailable(
                "zbar", f"pyzbar or libzbar0 missing ({exc}); apt install libzbar0"
            ) from None
        self._w: Any = wrapper
        self._hull: Any = locations.convex_hull
        reverse = {v: k for k, v in _ZBAR_NAMES.items()}
        self._symbols: list[Any] = []
        if formats:
            try:
                self._symbols = [wrapper.ZBarSymbol[reverse.get(f, f.upper())] for f in formats]
            except KeyError as exc:
                raise DecoderUnavailable("zbar", f"zbar cannot read symbology {exc}") from None

    def read(self, gray: GrayFrame) -> list[RawCode]:
        """Every code zbar finds, with corners in the same order as zxing-cpp's."""
        w = self._w
        height, width = gray.shape
        pixels = np.ascontiguousarray(gray)  # zbar reads it in place: alive until the scan ends
        scanner = w.zbar_image_scanner_create()
        if not scanner:
            raise MemoryError("zbar could not create an image scanner")
        try:
            self._configure(scanner)
            image = w.zbar_image_create()
            if not image:
                raise MemoryError("zbar could not create an image")
            try:
                w.zbar_image_set_format(image, _FOURCC_Y800)
                w.zbar_image_set_size(image, width, height)
                w.zbar_image_set_data(image, pixels.ctypes.data, pixels.size, None)
                if w.zbar_scan_image(scanner, image) < 0:
                    raise ValueError("zbar refused the image format")
                return self._results(image)
            finally:
                w.zbar_image_destroy(image)
        finally:
            w.zbar_image_scanner_destroy(scanner)

    def _configure(self, scanner: Any) -> None:
        w = self._w
        if self._symbols:  # as pyzbar does: everything else off (NONE is "all"), these on
            for symbol in set(w.ZBarSymbol).difference(self._symbols):
                w.zbar_image_scanner_set_config(scanner, symbol, w.ZBarConfig.CFG_ENABLE, 0)
            for symbol in self._symbols:
                w.zbar_image_scanner_set_config(scanner, symbol, w.ZBarConfig.CFG_ENABLE, 1)
        # Without binary mode zbar turns byte-mode data into UTF-8 by its own guess (Shift_JIS,
        # Latin-1, Big5, then UTF-8), which reads GBK as Big5. zbar older than 0.23 lacks the
        # option and keeps guessing; its UTF-8 output is then taken as it is.
        w.zbar_image_scanner_set_config(scanner, w.ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1)

    def _results(self, image: Any) -> list[RawCode]:
        w = self._w
        out: list[RawCode] = []
        symbol = w.zbar_image_first_symbol(image)
        while symbol:
            data = ctypes.string_at(
                w.zbar_symbol_get_data(symbol), w.zbar_symbol_get_data_length(symbol)
            )
            name = _zbar_symbol_name(w, int(symbol.contents.type))
            points = [
                (int(w.zbar_symbol_get_loc_x(symbol, i)), int(w.zbar_symbol_get_loc_y(symbol, i)))
                for i in range(w.zbar_symbol_get_loc_size(symbol))
            ]
            orientation = "UP"
            if w.zbar_symbol_get_orientation is not None:
                found = int(w.zbar_symbol_get_orientation(symbol))
                orientation = w.ZBarOrientation(found).name if found in (0, 1, 2, 3) else "UP"
            box = _zbar_box(self._hull(points), orientation)
            out.append((decode_payload(data), _ZBAR_NAMES.get(name, name), box))
            symbol = w.zbar_symbol_next(symbol)
        return out


def _zbar_symbol_name(w: Any, kind: int) -> str:
    try:
        return str(w.ZBarSymbol(kind).name)
    except ValueError:  # a symbology newer than pyzbar's table
        return str(kind)


def _zbar_box(polygon: Sequence[tuple[int, int]], orientation: str) -> Box:
    points = [(int(x), int(y)) for x, y in polygon]
    if len(points) != 4:
        # Linear codes come with a scan-line polygon: use the bounding rectangle instead.
        xs, ys = [p[0] for p in points] or [0], [p[1] for p in points] or [0]
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        return (left, top), (right, top), (right, bottom), (left, bottom)
    # zbar's polygon starts at no fixed corner: order the corners clockwise on screen, then start
    # at the one its orientation (where the symbol's top points) makes the symbol's top-left.
    cx = sum(p[0] for p in points) / 4
    cy = sum(p[1] for p in points) / 4
    clockwise = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
    sx, sy = _ZBAR_TOP_LEFT.get(orientation, (-1, -1))
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
