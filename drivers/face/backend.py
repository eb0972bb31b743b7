"""The detector/landmark/encoder behind the engine: dlib's models as face_recognition loads them."""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from drivers.face.geometry import Box, Points

Image = npt.NDArray[np.uint8]  # RGB, height × width × 3, C-contiguous
Encoding = npt.NDArray[np.float32]  # (128,)


class FaceBackend(Protocol):
    """Detection, 68 landmarks and the 128-d encoding for one RGB image."""

    def detect(self, rgb: Image, *, upsample: int) -> list[tuple[Box, float]]:
        """Face boxes with the detector's confidence score."""

    def landmarks(self, rgb: Image, box: Box) -> Points:
        """The 68 landmarks inside `box`."""

    def encode(self, rgb: Image, box: Box) -> Encoding:
        """The 128-d descriptor of the face in `box`."""


# face_recognition loads dlib's models once per process, as module globals, and dlib's objects are
# not safe to share between threads: every use of them, by any backend, holds this lock. One
# engine per thread with its own models was measured as well (docs/benchmarks.md, face_models_*):
# it costs ~120 MB per thread and the desk's face work runs on one thread anyway.
MODELS_LOCK = threading.Lock()


class DlibBackend:
    """dlib's HOG detector, 68-point shape predictor and ResNet encoder; thread-safe.

    The encoding uses the 5-point alignment, exactly as face_recognition.face_encodings does, so
    galleries are interchangeable with that library's. Import this module's loader only after
    `drivers.face.availability` has seen the models load in a child process.
    """

    def __init__(self, *, num_jitters: int = 1) -> None:
        import warnings

        with MODELS_LOCK, warnings.catch_warnings():
            # face_recognition_models still imports pkg_resources; its deprecation note is noise.
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
            import dlib
            import face_recognition.api as fra

        self._dlib: Any = dlib
        self._detector: Any = fra.face_detector
        self._shape68: Any = fra.pose_predictor_68_point
        self._shape5: Any = fra.pose_predictor_5_point
        self._encoder: Any = fra.face_encoder
        self._jitters = num_jitters

    def _rect(self, box: Box) -> Any:
        return self._dlib.rectangle(box.left, box.top, box.right, box.bottom)

    def detect(self, rgb: Image, *, upsample: int) -> list[tuple[Box, float]]:
        """Face boxes (clipped to the image) with HOG scores."""
        h, w = rgb.shape[:2]
        with MODELS_LOCK:
            rects, scores, _ = self._detector.run(rgb, upsample, 0.0)
        out = []
        for r, s in zip(rects, scores, strict=True):
            box = Box(r.left(), r.top(), r.right(), r.bottom()).clipped(w, h)
            if box.area > 0:
                out.append((box, float(s)))
        return out

    def landmarks(self, rgb: Image, box: Box) -> Points:
        """68 landmarks as float64 (x, y)."""
        with MODELS_LOCK:
            shape = self._shape68(rgb, self._rect(box))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def encode(self, rgb: Image, box: Box) -> Encoding:
        """The descriptor, float32."""
        with MODELS_LOCK:
            shape = self._shape5(rgb, self._rect(box))
            desc = self._encoder.compute_face_descriptor(rgb, shape, self._jitters)
        return np.asarray(desc, dtype=np.float32)
