"""UI test fixtures: the face tests' real engine and photo cache, shared for the whole session."""

from __future__ import annotations

from tests.support.faces import engine, photos

__all__ = ["engine", "photos"]
