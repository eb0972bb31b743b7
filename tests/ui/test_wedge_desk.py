"""The keyboard-wedge device on a real desk: a scan typed into a focused field checks in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.config import parse_config
from kiosk.services.checkin import Status
from kiosk.ui.wedge import WEDGE_NAME, WedgeDevice
from tests.support.desk import DeskRig, desk_rig, wait_for


@pytest.fixture
def rig(tmp_path: Path, qapp: QApplication) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    yield r
    r.close()


def test_wedge_scan_in_a_focused_field_checks_in_and_types_nothing(
    rig: DeskRig, qapp: QApplication, qtbot: QtBot
) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    field.setFocus()
    qtbot.waitExposed(field)
    wedge = WedgeDevice(parse_config({}).scanner, app=qapp, desk=rig.desk)
    wedge.start()
    assert wait_for(lambda: any(d.name == WEDGE_NAME and d.ok for d in rig.devices), 5)
    # A scanner types the whole payload in a few milliseconds, then Enter.
    qtbot.keyClicks(field, rig.ticket("A2"))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    out = rig.outcomes.wait()
    assert out.status is Status.ACCEPTED and out.attendee is not None
    assert out.attendee.id == "A2"
    assert field.text() == ""
    wedge.stop()
