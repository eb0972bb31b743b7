"""One code path for every backend: check the frame, make it gray, decode, normalise results."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from drivers.qr.backends import Backend, GrayFrame, open_backend
from drivers.qr.detection import Detection

log = logging.getLogger(__name__)

MAX_PIXELS = 8192 * 8192  # beyond any camera or phone photo; bigger is a corrupt header


class BadFrame(ValueError):
    """A frame no decoder can read (wrong shape, type or size); the message says which."""


def _luma(frame: npt.NDArray[np.generic]) -> GrayFrame:
    """BT.601 luma of a BGR(A) frame: OpenCV when present (40× faster), else numpy."""
    try:
        import cv2
    except ImportError:
        pass
    else:
        code = cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return np.asarray(cv2.cvtColor(np.ascontiguousarray(frame), code), dtype=np.uint8)
    b = frame[:, :, 0].astype(np.uint16)
    g = frame[:, :, 1].astype(np.uint16)
    r = frame[:, :, 2].astype(np.uint16)
    return ((b * 29 + g * 150 + r * 77 + 128) >> 8).astype(np.uint8)


def to_gray(frame: npt.NDArray[np.generic]) -> GrayFrame:
    """A contiguous 8-bit grayscale view of a gray, BGR or BGRA frame (OpenCV's layouts)."""
    if not isinstance(frame, np.ndarray):
        raise BadFrame(f"frame is a {type(frame).__name__}, not an image array")
    if frame.dtype != np.uint8:
        raise BadFrame(f"frame has pixel type {frame.dtype}, expected uint8")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim in (2, 3):
        height, width = frame.shape[:2]
        if height < 8 or width < 8 or height * width > MAX_PIXELS:
            raise BadFrame(f"frame size {width}×{height} is out of range")
    if frame.ndim == 2:
        gray = frame
    elif frame.ndim == 3 and frame.shape[2] in (3, 4):
        gray = _luma(frame)
    else:
        raise BadFrame(f"frame has shape {frame.shape}, expected H×W, H×W×3 or H×W×4")
    return np.ascontiguousarray(gray)


class FrameDecoder:
    """Decodes frames with one backend; safe to use from one thread at a time."""

    def __init__(self, backend: Backend):
        self.backend = backend

    @classmethod
    def open(cls, name: str = "zxing", *, formats: Sequence[str] = ()) -> FrameDecoder:
        """A decoder over the named backend (DecoderUnavailable if it cannot load)."""
        return cls(open_backend(name, formats=formats))

    @property
    def name(self) -> str:
        """The backend's name."""
        return self.backend.name

    def decode(self, frame: npt.NDArray[np.generic]) -> list[Detection]:
        """Every distinct code in reading order; BadFrame if the frame is unreadable."""
        gray = to_gray(frame)
        seen: set[tuple[bytes, str]] = set()
        found: list[Detection] = []
        for payload, symbology, box in self.backend.read(gray):
            # A backend may report one symbol twice (e.g. at two scales): keep the first.
            if (payload.raw, symbology) in seen:
                continue
            seen.add((payload.raw, symbology))
            found.append(Detection(payload=payload, format=symbology, box=box))
        return reading_order(found)


def reading_order(found: list[Detection]) -> list[Detection]:
    """Rows top to bottom (centres closer than half a symbol share a row), each left to right."""

    def centre(d: Detection) -> tuple[float, float]:
        return sum(p[0] for p in d.box) / 4, sum(p[1] for p in d.box) / 4

    def height(d: Detection) -> float:
        return max(p[1] for p in d.box) - min(p[1] for p in d.box)

    rows: list[list[Detection]] = []
    for d in sorted(found, key=lambda d: centre(d)[1]):
        if rows and centre(d)[1] - centre(rows[-1][0])[1] < max(height(d), height(rows[-1][0])) / 2:
            rows[-1].append(d)
        else:
            rows.append([d])
    return [d for row in rows for d in sorted(row, key=lambda d: centre(d)[0])]
