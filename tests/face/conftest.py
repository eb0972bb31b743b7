"""Face test fixtures: one engine per session, encodings of the shared photos computed once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drivers.face.engine import FaceEngine, PhotoFace, load_rgb
from drivers.face.gallery import Gallery
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


@pytest.fixture(scope="session")
def gallery5(photos: PhotoCache) -> Gallery:
    """All five people of faces/enroll."""
    return gallery_of(photos)


def encoding_of(photos: PhotoCache, path: Path) -> np.ndarray:
    """The encoding of the one (largest) face in a photo."""
    faces = photos.faces(path)
    assert faces, f"no face found in {path}"
    return faces[0].encoding
