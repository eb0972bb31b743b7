"""UI test fixtures: the real face engine and photo cache; the desk's language, Chinese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEventLoop, QTimer
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


@pytest.fixture(autouse=True)
def event_loops_still_run(qapp: QApplication) -> Iterator[None]:
    """Fail the test that leaves Qt's event loops returning at once, not every test after it.

    An app.exec() ended inside pytest's process can leave the GUI thread's loops quitting as soon
    as they start; every later waitSignal then times out, far from the cause.
    """
    yield
    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    assert loop.exec() == 0, "this test left Qt's event loops unable to run"
