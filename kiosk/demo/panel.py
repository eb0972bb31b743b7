"""`cme-kiosk demo --interactive`: a small control panel that drives the simulators by hand.

The desk, platform and simulators run as in the scripted day; instead of the script, a person
taps roster cards on the SAM simulator, holds up a phone code to the MJPEG camera, or steps in
front of it (the demo clip's face). Each action runs on a thread of its own (a tap blocks until
the reader has read the card); the desk window shows the answer as it would for a real device.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QVBoxLayout, QWidget

from kiosk.demo.fixtures import demo_roster
from kiosk.demo.scenario import phone_code, tap
from kiosk.demo.stage import Stage


def _tr(text: str) -> str:
    return QCoreApplication.translate("DemoPanel", text)


class ControlPanel(QWidget):
    """Tap a card, show a code, step in front of the camera (a tool window beside the desk)."""

    def __init__(self, stage: Stage, *, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.stage = stage
        self.setWindowTitle(_tr("Demo controls"))
        self.person = QComboBox()
        for person in demo_roster():
            self.person.addItem(person.name)
        layout = QVBoxLayout(self)
        layout.addWidget(self.person)
        for label, action in (
            (_tr("Tap their ID card"), self._tap),
            (_tr("Show their phone code"), self._code),
            (_tr("Step in front of the camera"), self._face),
            (_tr("Step away"), self._away),
        ):
            button = QPushButton(label)
            button.clicked.connect(action)
            layout.addWidget(button)

    def _background(self, work: Callable[[], object]) -> None:
        def run() -> None:
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - a failing simulator says so; the desk goes on
                print(f"demo control failed: {type(exc).__name__}: {exc}", flush=True)

        threading.Thread(target=run, name="demo-control", daemon=True).start()

    def _tap(self) -> None:
        name = self.person.currentText()
        self._background(lambda: tap(name)(self.stage))

    def _code(self) -> None:
        name = self.person.currentText()
        self._background(lambda: phone_code(name)(self.stage))

    def _face(self) -> None:
        from kiosk.demo.faces import FRONTAL

        player = self.stage.player
        if player is not None:
            self._background(lambda: player.play(*FRONTAL, loop=True))

    def _away(self) -> None:
        self._background(self.stage.clear_camera)
