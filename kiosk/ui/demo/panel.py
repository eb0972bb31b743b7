"""`cme-kiosk demo --interactive`: a small control panel beside the desk window.

The buttons call the demo's controls (kiosk.demo.controls: taps on the SAM simulator, codes and
faces on the MJPEG camera), which return at once and do their work on threads of their own.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.texts import QT_TRANSLATE_NOOP, translate

CONTEXT = "DemoPanel"
TITLE = QT_TRANSLATE_NOOP("DemoPanel", "Demo controls")
TAP = QT_TRANSLATE_NOOP("DemoPanel", "Tap their ID card")
CODE = QT_TRANSLATE_NOOP("DemoPanel", "Show their phone code")
FACE = QT_TRANSLATE_NOOP("DemoPanel", "Step in front of the camera")
AWAY = QT_TRANSLATE_NOOP("DemoPanel", "Step away")
PERSON = QT_TRANSLATE_NOOP("DemoPanel", "Who is at the desk")


class Controls(Protocol):
    """What the panel drives (kiosk.demo.controls.DemoControls); each call returns at once."""

    def people(self) -> list[str]:
        """The roster names a person can act as."""
        ...

    def tap_card(self, name: str) -> None:
        """Their ID card on the reader."""
        ...

    def show_code(self, name: str) -> None:
        """Their phone code to the camera."""
        ...

    def step_in(self) -> None:
        """A face in front of the camera."""
        ...

    def step_away(self) -> None:
        """Nobody at the camera."""
        ...


class ControlPanel(QWidget):
    """Tap a card, show a code, step in front of the camera (a tool window beside the desk)."""

    def __init__(self, controls: Controls, *, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.controls = controls
        self.person = QComboBox()
        self.person.addItems(controls.people())
        layout = QVBoxLayout(self)
        layout.addWidget(self.person)
        self.tap = QPushButton()
        self.code = QPushButton()
        self.face = QPushButton()
        self.away = QPushButton()
        self.tap.clicked.connect(lambda: controls.tap_card(self.person.currentText()))
        self.code.clicked.connect(lambda: controls.show_code(self.person.currentText()))
        self.face.clicked.connect(controls.step_in)
        self.away.clicked.connect(controls.step_away)
        for button in (self.tap, self.code, self.face, self.away):
            layout.addWidget(button)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text again in the desk's language."""
        self.setWindowTitle(translate(CONTEXT, TITLE))
        self.person.setToolTip(translate(CONTEXT, PERSON))
        for button, source in (
            (self.tap, TAP), (self.code, CODE), (self.face, FACE), (self.away, AWAY),
        ):  # fmt: skip
            button.setText(translate(CONTEXT, source))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A translator was installed or removed: the texts follow."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
