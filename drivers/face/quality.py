"""Quality gates before a live face is encoded: size, sharpness, frontal pose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from drivers.face.geometry import Box, Points, nose_height, roll_degrees, yaw_ratio
from drivers.face.settings import FaceSettings


@dataclass(frozen=True, slots=True)
class Quality:
    """The measured values and the first gate that failed ("" when all passed)."""

    size_px: int
    sharpness: float
    yaw: float
    roll_deg: float
    pitch: float
    problem: str = ""  # too_small | blurry | not_frontal

    @property
    def ok(self) -> bool:
        """Whether the face may be encoded."""
        return not self.problem


def sharpness(gray: npt.NDArray[np.uint8], box: Box) -> float:
    """Variance of the Laplacian over the face, resized to 128 px wide (scale-independent)."""
    import cv2

    h, w = gray.shape[:2]
    b = box.clipped(w, h)
    if b.width < 8 or b.height < 8:
        return 0.0
    size = (128, max(8, round(128 * b.height / b.width)))
    crop = cv2.resize(gray[b.top : b.bottom, b.left : b.right], size, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(crop, cv2.CV_64F).var())


# A frontal face puts the nose tip about halfway between the eye line and the mouth corners;
# looking far up or down moves it out of this band (the test photos and clip: 0.28-0.63).
_PITCH_BAND = (0.2, 0.85)


def assess(
    gray: npt.NDArray[np.uint8], box: Box, points: Points, settings: FaceSettings
) -> Quality:
    """Measure one face and name the first gate it fails."""
    size = min(box.width, box.height)
    sharp = sharpness(gray, box)
    yaw = yaw_ratio(points)
    roll = roll_degrees(points)
    pitch = nose_height(points)
    problem = ""
    if size < settings.min_face_px:
        problem = "too_small"
    elif sharp < settings.blur_min:
        problem = "blurry"
    elif (
        abs(yaw) > settings.max_yaw
        or abs(roll) > settings.max_roll_deg
        or not _PITCH_BAND[0] <= pitch <= _PITCH_BAND[1]
    ):
        problem = "not_frontal"
    return Quality(size, sharp, yaw, roll, pitch, problem)
