"""Stateless face operations on one image: detect (downscaled), landmarks, quality, encode, crop."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from drivers.face.backend import Encoding, FaceBackend, Image
from drivers.face.geometry import Box, Points
from drivers.face.quality import Quality, assess
from drivers.face.settings import FaceSettings


class BadImage(ValueError):
    """The bytes or file are not an image we can read."""


@dataclass(frozen=True, slots=True, eq=False)
class SeenFace:
    """A detected face with its landmarks and quality verdict (not yet encoded)."""

    box: Box
    score: float
    points: Points
    quality: Quality


@dataclass(frozen=True, slots=True, eq=False)
class PhotoFace:
    """A face found in a still photo, encoded."""

    box: Box
    points: Points
    encoding: Encoding


def bgr_to_rgb(bgr: npt.NDArray[np.uint8]) -> Image:
    """A contiguous RGB copy of an OpenCV BGR frame (dlib needs contiguous memory)."""
    return np.ascontiguousarray(bgr[:, :, ::-1])


def gray_of(rgb: Image) -> npt.NDArray[np.uint8]:
    """Luminance of an RGB image."""
    import cv2

    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def load_rgb(source: str | Path | bytes) -> Image:
    """Read a photo (any Pillow format, EXIF rotation applied, alpha dropped) as RGB."""
    from PIL import Image as PilImage
    from PIL import ImageOps, UnidentifiedImageError

    try:
        if isinstance(source, bytes):
            pil = PilImage.open(io.BytesIO(source))
        else:
            pil = PilImage.open(source)
        with pil:
            upright = ImageOps.exif_transpose(pil) or pil
            arr = np.asarray(upright.convert("RGB"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        # Pillow raises OSError for truncated data and SyntaxError for some corrupt headers.
        raise BadImage(f"not a readable image: {exc}") from None
    if arr.ndim != 3 or arr.shape[0] < 8 or arr.shape[1] < 8:
        raise BadImage("image too small")
    return np.ascontiguousarray(arr)


def face_crop_jpeg(
    bgr: npt.NDArray[np.uint8], box: Box, *, margin: float = 0.3, max_side: int = 240
) -> bytes:
    """The face with a margin around it, at most `max_side` pixels, as JPEG (dispute evidence)."""
    import cv2

    h, w = bgr.shape[:2]
    mx, my = round(box.width * margin), round(box.height * margin)
    b = Box(box.left - mx, box.top - my, box.right + mx, box.bottom + my).clipped(w, h)
    crop = bgr[b.top : b.bottom, b.left : b.right]
    if crop.size == 0:
        raise ValueError("face box is outside the frame")
    scale = max_side / max(crop.shape[:2])
    if scale < 1:
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf)


class FaceEngine:
    """Face operations with the configured gates; thread-safe (the backend guards its models)."""

    def __init__(self, backend: FaceBackend, settings: FaceSettings | None = None) -> None:
        self.backend = backend
        self.settings = settings or FaceSettings()

    def _detect_scaled(self, rgb: Image, *, max_w: int, upsample: int) -> list[tuple[Box, float]]:
        import cv2

        h, w = rgb.shape[:2]
        scale = min(1.0, max_w / max(w, 1))
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            small = np.ascontiguousarray(
                cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
        else:
            small = rgb
        found = self.backend.detect(small, upsample=upsample)
        return [(b.scaled(1 / scale).clipped(w, h), s) for b, s in found]

    def detect_live(self, rgb: Image) -> list[tuple[Box, float]]:
        """Faces in a camera frame, detected at `detect_width`; boxes in frame pixels."""
        s = self.settings
        return self._detect_scaled(rgb, max_w=s.detect_width, upsample=s.detect_upsample)

    def detect_photo(self, rgb: Image) -> list[tuple[Box, float]]:
        """Faces in a still photo (smaller faces than live: upsampled once)."""
        s = self.settings
        h, w = rgb.shape[:2]
        max_w = round(w * min(1.0, s.photo_max_side / max(w, h)))
        return self._detect_scaled(rgb, max_w=max_w, upsample=s.photo_upsample)

    def inspect(self, rgb: Image, gray: npt.NDArray[np.uint8], box: Box, score: float) -> SeenFace:
        """Landmarks and quality gates for one detected face."""
        points = self.backend.landmarks(rgb, box)
        return SeenFace(box, score, points, assess(gray, box, points, self.settings))

    def encode(self, rgb: Image, box: Box) -> Encoding:
        """The 128-d encoding of one face."""
        return self.backend.encode(rgb, box)

    def photo_faces(self, rgb: Image, *, min_px: int = 20) -> list[PhotoFace]:
        """Every face of at least `min_px` in a photo, encoded, largest first."""
        found = [b for b, _ in self.detect_photo(rgb) if min(b.width, b.height) >= min_px]
        found.sort(key=lambda b: b.area, reverse=True)
        return [PhotoFace(b, self.backend.landmarks(rgb, b), self.encode(rgb, b)) for b in found]
