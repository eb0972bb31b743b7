"""Face test material from ../shared/faces: video frames, photo attacks, landmark tracks.

Liveness fixtures come in two kinds. From real footage: the clip's frames run through the real
detector and landmark model (a talking face with real head turns, but no clear blink). Where
footage lacks the motion (a blink), real landmark geometry taken from a photo has its eyelids
moved along a published blink profile: the lid closes faster than it reopens (Evinger, Manning &
Sibony, IOVS 1991) and a whole blink lasts 100-400 ms (Soukupová & Čech, CVWW 2016).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from drivers.face.engine import FaceEngine, bgr_to_rgb
from drivers.face.geometry import LEFT_EYE, RIGHT_EYE, primary_index
from drivers.face.liveness import Sample

FACES = Path(__file__).resolve().parents[3] / "shared" / "faces"
if not FACES.is_dir():
    FACES = Path("/work/shared/faces")
CLIP = FACES / "short_hamilton_clip.mp4"
ENROLL = FACES / "enroll"
CLIP_FPS = 29.97

BgrFrame = npt.NDArray[np.uint8]


def clip_frames(start: int, stop: int, step: int = 2) -> list[tuple[float, BgrFrame]]:
    """(seconds, BGR frame) for clip frames start <= i < stop, every `step`-th."""
    import cv2

    cap = cv2.VideoCapture(str(CLIP))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    out = []
    for i in range(start, stop):
        ok, frame = cap.read()
        if not ok:
            break
        if (i - start) % step == 0:
            out.append((i / CLIP_FPS, frame))
    cap.release()
    return out


def landmark_track(engine: FaceEngine, frames: Iterable[tuple[float, BgrFrame]]) -> list[Sample]:
    """Samples of the primary face in each frame, through the real detector and landmarks."""
    out: list[Sample] = []
    for t, bgr in frames:
        rgb = bgr_to_rgb(bgr)
        found = engine.detect_live(rgb)
        i = primary_index([b for b, _ in found], width=rgb.shape[1], height=rgb.shape[0])
        if i is not None:
            out.append(Sample(t, engine.backend.landmarks(rgb, found[i][0])))
    return out


# -- photo attacks -------------------------------------------------------------------------------

CANVAS = (640, 480)


def _perspective(w: int, h: int, *, degrees: float, axis: str, distance: float) -> np.ndarray:
    """Homography of a w×h photo rotated about its vertical ('y') or horizontal ('x') axis.

    The photo's centre is `distance` photo widths from a pinhole with a 554 px focal length
    (a 60° webcam at 640 px).
    """
    import cv2

    f = 554.0
    th = math.radians(degrees)
    z0 = distance * w
    dst = []
    for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        if axis == "y":
            px, py, pz = x * math.cos(th), y, z0 + x * math.sin(th)
        else:
            px, py, pz = x, y * math.cos(th), z0 + y * math.sin(th)
        dst.append((CANVAS[0] / 2 + f * px / pz, CANVAS[1] / 2 + f * py / pz))
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    return cv2.getPerspectiveTransform(src, np.array(dst, dtype=np.float32))


def photo_frames(
    photo_rgb: npt.NDArray[np.uint8],
    *,
    n: int,
    fps: float = 15.0,
    motion: Callable[[int], tuple[float, float, str]] | None = None,
    scale: float = 0.4,
) -> list[tuple[float, BgrFrame]]:
    """A printed photo in front of the camera: motion(k) -> (shift_x_px, tilt_degrees, axis)."""
    import cv2

    small = cv2.resize(photo_rgb, (0, 0), fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    bgr = np.ascontiguousarray(small[:, :, ::-1])
    h, w = bgr.shape[:2]
    out = []
    for k in range(n):
        dx, deg, axis = motion(k) if motion else (0.0, 0.0, "y")
        m = np.array([[1, 0, dx], [0, 1, 0], [0, 0, 1]], dtype=np.float64) @ _perspective(
            w, h, degrees=deg, axis=axis, distance=1.6
        )
        frame = cv2.warpPerspective(bgr, m, CANVAS, borderValue=(90, 90, 90))
        out.append((k / fps, np.ascontiguousarray(frame, dtype=np.uint8)))
    return out


def still(k: int) -> tuple[float, float, str]:
    """A photo held still."""
    return 0.0, 0.0, "y"


def slid(k: int) -> tuple[float, float, str]:
    """A photo slid across the view, 12 px per frame, back and forth."""
    return float(-150 + 12 * (k % 25)), 0.0, "y"


def tilted_about_vertical(k: int) -> tuple[float, float, str]:
    """A photo turned from -50° to +50° about its vertical axis (mimics a head turn)."""
    return 0.0, -50.0 + 4.0 * min(k, 25), "y"


def tilted_about_horizontal(k: int) -> tuple[float, float, str]:
    """A photo tipped back and forth about its horizontal axis (flattens the eyes)."""
    return 0.0, 50.0 * math.sin(k / 3.0), "x"


# -- synthetic blink on real landmark geometry -----------------------------------------------


def blink_closure(
    t: float, *, close_s: float = 0.1, shut_s: float = 0.05, open_s: float = 0.2
) -> float:
    """Lid closure in [0, 1] at t seconds after the blink starts (cosine ramps)."""
    if t <= 0 or t >= close_s + shut_s + open_s:
        return 0.0
    if t < close_s:
        return 0.5 - 0.5 * math.cos(math.pi * t / close_s)
    if t < close_s + shut_s:
        return 1.0
    return 0.5 + 0.5 * math.cos(math.pi * (t - close_s - shut_s) / open_s)


# Upper-lid landmark and the lower-lid landmark below it, both eyes (dlib's 68 indices).
_LIDS = ((37, 41), (38, 40), (43, 47), (44, 46))


def blink_track(
    points: npt.NDArray[np.float64],
    *,
    fps: float = 15.0,
    seconds: float = 2.0,
    blink_at: float = 0.8,
    depth: float = 0.85,
    noise_px: float = 0.4,
    iod_px: float = 60.0,
    seed: int = 1,
    phase: float = 0.0,
) -> list[Sample]:
    """Samples of a real face (its 68 landmarks scaled to `iod_px` between the eyes) blinking once.

    `depth` is how far the upper lid travels to the lower one; `noise_px` is landmark jitter of
    the order the real detector shows on a still face at this size.
    """
    rng = np.random.default_rng(seed)
    base = np.asarray(points, dtype=np.float64)
    iod = float(np.linalg.norm(base[LEFT_EYE].mean(0) - base[RIGHT_EYE].mean(0)))
    base = (base - base.mean(0)) * (iod_px / iod) + (320.0, 240.0)
    out: list[Sample] = []
    for k in range(int(seconds * fps)):
        t = k / fps + phase
        c = depth * blink_closure(t - blink_at)
        p = base.copy()
        for up, low in _LIDS:
            p[up] = base[up] + c * (base[low] - base[up])
        sway = (1.5 * math.sin(t * 2.0), 1.0 * math.sin(t * 1.3))  # a person never stands still
        p = p + sway + rng.normal(0.0, noise_px, p.shape)
        out.append(Sample(t, p))
    return out


def enrolled_people() -> dict[str, list[Path]]:
    """person (folder name) -> photos in faces/enroll."""
    return {
        d.name: sorted(f for f in d.iterdir() if f.is_file())
        for d in sorted(ENROLL.iterdir())
        if d.is_dir()
    }
