"""UI test fixtures: the real face engine and photo cache; the desk's language, Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.ui.i18n import Translations
from tests.support.desk import desk_language
from tests.support.faces import engine, photos

__all__ = ["engine", "photos"]


@pytest.fixture(autouse=True)
def zh(qapp: QApplication) -> Iterator[Translations]:
    """Every UI test sees the desk as it starts by default: in Chinese."""
    with desk_language("zh") as translations:
        yield translations
