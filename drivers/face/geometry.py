"""Pure geometry on boxes and dlib's 68 landmarks: IoU, eye aspect ratio, pose, rigidity."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Points = npt.NDArray[np.float64]  # (68, 2) image coordinates, x right, y down

# dlib / iBUG 300-W indices. "Right" is the subject's right, i.e. the image's left side.
JAW_RIGHT, JAW_LEFT = 0, 16
NOSE_TIP = 30
RIGHT_EYE = slice(36, 42)
LEFT_EYE = slice(42, 48)
MOUTH_RIGHT, MOUTH_LEFT = 48, 54
RIGID = np.r_[17:48]  # brows, nose and eyes: the parts that move least with expression


@dataclass(frozen=True, slots=True)
class Box:
    """A face box in pixels: left, top, right, bottom (as dlib and face_recognition report it)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.bottom - self.top

    @property
    def area(self) -> int:
        """Area in square pixels (0 for a degenerate box)."""
        return max(0, self.width) * max(0, self.height)

    @property
    def center(self) -> tuple[float, float]:
        """The box centre."""
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def as_list(self) -> list[int]:
        """[left, top, right, bottom], the CLI's order."""
        return [self.left, self.top, self.right, self.bottom]

    def scaled(self, factor: float) -> Box:
        """The box in an image `factor` times larger."""
        return Box(
            round(self.left * factor),
            round(self.top * factor),
            round(self.right * factor),
            round(self.bottom * factor),
        )

    def clipped(self, width: int, height: int) -> Box:
        """The box limited to an image of this size."""
        return Box(
            min(max(self.left, 0), width),
            min(max(self.top, 0), height),
            min(max(self.right, 0), width),
            min(max(self.bottom, 0), height),
        )


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / float(a.area + b.area - inter)


def primary_index(boxes: list[Box], *, width: int, height: int) -> int | None:
    """The face to serve: the largest, discounted by distance from the frame centre."""
    if not boxes:
        return None
    half_diag = math.hypot(width, height) / 2 or 1.0

    def score(box: Box) -> float:
        cx, cy = box.center
        off = math.hypot(cx - width / 2, cy - height / 2) / half_diag
        return box.area * (1.0 - 0.5 * min(off, 1.0))

    return max(range(len(boxes)), key=lambda i: score(boxes[i]))


def eye_aspect_ratio(eye: Points) -> float:
    """Soukupová & Čech's EAR for six eye points: lid distances over twice the eye width."""
    width = float(np.linalg.norm(eye[0] - eye[3]))
    if width <= 0:
        return 0.0
    lids = float(np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4]))
    return lids / (2.0 * width)


def eye_ratios(points: Points) -> tuple[float, float]:
    """EAR of the subject's right and left eye."""
    return eye_aspect_ratio(points[RIGHT_EYE]), eye_aspect_ratio(points[LEFT_EYE])


def normalized(points: Points) -> Points:
    """Landmarks with the eyes' midpoint at 0, the eye line horizontal and 1 between the eyes."""
    right = points[RIGHT_EYE].mean(axis=0)
    left = points[LEFT_EYE].mean(axis=0)
    d = left - right
    iod = float(np.hypot(d[0], d[1])) or 1.0
    c, s = d[0] / iod, d[1] / iod
    rot = np.array([[c, s], [-s, c]])
    return np.asarray(((points - (left + right) / 2) @ rot.T) / iod, dtype=np.float64)


def roll_degrees(points: Points) -> float:
    """In-plane rotation of the eye line, degrees (positive: clockwise in the image)."""
    d = points[LEFT_EYE].mean(axis=0) - points[RIGHT_EYE].mean(axis=0)
    return math.degrees(math.atan2(float(d[1]), float(d[0])))


def yaw_ratio(points: Points) -> float:
    """Nose-to-jaw asymmetry in [-1, 1]: 0 frontal, > 0 when the nose moves to the image's right.

    In an unmirrored camera image the image's right is the subject's left, so a turn to the
    subject's own left raises the ratio. A flat photo rotated in front of the camera keeps it
    nearly constant: uniform foreshortening scales both sides alike.
    """
    n = normalized(points)
    to_right_jaw = float(n[NOSE_TIP, 0] - n[JAW_RIGHT, 0])
    to_left_jaw = float(n[JAW_LEFT, 0] - n[NOSE_TIP, 0])
    total = abs(to_right_jaw) + abs(to_left_jaw)
    if total <= 1e-9:
        return 0.0
    return (to_right_jaw - to_left_jaw) / total


def mouth_drop(points: Points) -> float:
    """Vertical eye-to-mouth distance in eye distances: shrinks when the face is foreshortened."""
    n = normalized(points)
    return float((n[MOUTH_RIGHT, 1] + n[MOUTH_LEFT, 1]) / 2)


def nose_height(points: Points) -> float:
    """Where the nose tip sits between the eye line (0) and the mouth corners (1): pitch proxy."""
    n = normalized(points)
    mouth = (n[MOUTH_RIGHT, 1] + n[MOUTH_LEFT, 1]) / 2
    if mouth <= 1e-9:
        return 0.0
    return float(n[NOSE_TIP, 1] / mouth)


def affine_residual(ref: Points, cur: Points, *, idx: npt.NDArray[np.intp] = RIGID) -> float:
    """RMS of `cur` after the best affine map from `ref`, in eye distances of `ref`.

    A flat picture moved, turned or tilted in front of the camera changes its landmarks by (very
    nearly) an affine map, so this stays at detector noise; a live face's expression and 3-D
    rotation do not fit one.
    """
    a = ref[idx]
    b = cur[idx]
    design = np.hstack([a, np.ones((len(a), 1))])
    coef, *_ = np.linalg.lstsq(design, b, rcond=None)
    resid = b - design @ coef
    d = ref[LEFT_EYE].mean(axis=0) - ref[RIGHT_EYE].mean(axis=0)
    iod = float(np.hypot(d[0], d[1])) or 1.0
    return float(np.sqrt((resid**2).sum(axis=1).mean()) / iod)
