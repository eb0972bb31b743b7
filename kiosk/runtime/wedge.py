"""The keyboard-wedge scanner: the Qt filter on the application, its scans to the desk."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication

from kiosk.config import ScannerSection
from kiosk.runtime.devices import DeskPort, StatusBoard
from kiosk.ui.wedge import WedgeFilter

log = logging.getLogger(__name__)

WEDGE_NAME = "扫码枪 keyboard"


class WedgeDevice:
    """Installs the filter on start and removes it on stop; both must run on the GUI thread."""

    def __init__(
        self, section: ScannerSection, *, app: QCoreApplication, desk: DeskPort, board: StatusBoard
    ) -> None:
        self.name = WEDGE_NAME
        self._app = app
        self._desk = desk
        self._board = board
        self.filter = WedgeFilter.from_config(section)
        self.filter.scanned.connect(self._scanned)
        self._installed = False

    def _scanned(self, text: str) -> None:
        self._desk.submit_payload(text, source="wedge")

    def start(self) -> None:
        """Watch the application's key presses."""
        if not self._installed:
            self.filter.install(self._app)
            self._installed = True
            self._board.report(self.name, ok=True, detail="keyboard-wedge filter installed")

    def stop(self) -> None:
        """Stop watching (held keys are delivered to their widget first)."""
        if self._installed:
            self.filter.uninstall(self._app)
            self._installed = False
