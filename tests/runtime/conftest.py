"""Runtime test fixtures: a desk over a real store (tests.support.desk), a private pcscd."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.support.desk import DeskRig, desk_language, desk_rig
from tests.support.faces import engine, photos
from tests.support.pcscd import (
    claim_client_socket,
    pcscd,
    pcscd_session,
    release_client_socket,
)

__all__ = ["engine", "pcscd", "pcscd_session", "photos"]

# Before anything can touch pyscard: libpcsclite fixes its socket path at its first connection.
claim_client_socket()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the private PC/SC socket's directory."""
    release_client_socket()


@pytest.fixture
def zh(qapp: QApplication) -> Iterator[None]:
    """The desk's default language, for tests that look at its window."""
    with desk_language("zh"):
        yield


@pytest.fixture
def rig(tmp_path: Path, qapp: QApplication) -> Iterator[DeskRig]:
    """The desk at 08:20 on the project's first day."""
    r = desk_rig(tmp_path)
    yield r
    r.close()
