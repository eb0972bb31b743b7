"""Face test fixtures: one engine per session, encodings of the shared photos computed once."""

from __future__ import annotations

import pytest

from drivers.face.gallery import Gallery
from tests.support.faces import PhotoCache, engine, gallery_of, photos

__all__ = ["engine", "photos"]


@pytest.fixture(scope="session")
def gallery5(photos: PhotoCache) -> Gallery:
    """All five people of faces/enroll."""
    return gallery_of(photos)
