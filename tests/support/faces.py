"""Face test material: one real engine per session, photo encodings cached, scenes and videos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drivers.face.engine import FaceEngine, PhotoFace, load_rgb
from drivers.face.gallery import Gallery
from drivers.face.geometry import Box
from tests.support import face_tracks as ft
from tests.support.env import need
from tests.support.face_tracks import FACES, enrolled_people


@pytest.fixture(scope="session")
def engine() -> FaceEngine:
    """The real dlib engine, after the child-process model probe (skip/fail if unavailable)."""
    from drivers.face.availability import load_engine

    need(FACES.is_dir(), f"test faces not found at {FACES}")
    eng, status = load_engine()
    need(eng is not None, f"face models unavailable: {status.detail}")
    assert eng is not None
    return eng


class PhotoCache:
    """Faces (with encodings) per photo path, computed on first use."""

    def __init__(self, engine: FaceEngine) -> None:
        self.engine = engine
        self._faces: dict[Path, list[PhotoFace]] = {}

    def faces(self, path: Path) -> list[PhotoFace]:
        if path not in self._faces:
            self._faces[path] = self.engine.photo_faces(load_rgb(path))
        return self._faces[path]


@pytest.fixture(scope="session")
def photos(engine: FaceEngine) -> PhotoCache:
    """Session cache of photo encodings (each photo is detected and encoded once)."""
    return PhotoCache(engine)


def gallery_of(photos: PhotoCache, *, leave_out: str | None = None, project: str = "") -> Gallery:
    """The five enrolled people (one row per enrollment photo), optionally without one."""
    g = Gallery()
    for person, paths in enrolled_people().items():
        if person == leave_out:
            continue
        for p in paths:
            faces = photos.faces(p)
            assert len(faces) == 1, f"{p} should hold exactly one face"
            g.add(person, faces[0].encoding, project=project)
    return g


def encoding_of(photos: PhotoCache, path: Path) -> np.ndarray:
    """The encoding of the one (largest) face in a photo."""
    faces = photos.faces(path)
    assert faces, f"no face found in {path}"
    return faces[0].encoding


def paste(canvas: np.ndarray, photo_rgb: np.ndarray, face: Box, *, at: tuple[int, int],
          face_px: int) -> np.ndarray:  # fmt: skip
    """Put a photo's face (with margin) on a BGR canvas so the face is face_px wide at `at`."""
    import cv2

    scale = face_px / face.width
    small = cv2.resize(photo_rgb, (0, 0), fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    f = face.scaled(scale)
    m = f.width // 2
    top, left = max(0, f.top - m), max(0, f.left - m)
    crop = small[top : f.bottom + m, left : f.right + m, ::-1]
    y, x = at[1] - (f.top - top), at[0] - (f.left - left)  # where the crop's corner lands
    cy, cx = max(0, -y), max(0, -x)
    y, x = max(0, y), max(0, x)
    h = min(crop.shape[0] - cy, canvas.shape[0] - y)
    w = min(crop.shape[1] - cx, canvas.shape[1] - x)
    out = canvas.copy()
    out[y : y + h, x : x + w] = crop[cy : cy + h, cx : cx + w]
    return out


def still_scene(photos: PhotoCache, name: str, *, face_px: int = 150) -> np.ndarray:
    """A 640×480 BGR frame with one person's face in the middle."""
    rgb = load_rgb(ft.FACES / name)
    face = photos.faces(ft.FACES / name)[0].box
    canvas = np.full((480, 640, 3), 100, dtype=np.uint8)
    return paste(canvas, rgb, face, at=(320 - face_px // 2, 240 - face_px // 2), face_px=face_px)


def still_video(path: Path, frame: np.ndarray, *, frames: int = 15) -> Path:
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 480))
    for _ in range(frames):
        w.write(frame)
    w.release()
    return path
