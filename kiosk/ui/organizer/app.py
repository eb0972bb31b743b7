"""Run the workspace window: the Qt application, the translations, the service and the window."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.ui.i18n import Translations
from kiosk.ui.organizer.window import OrganizerWindow


def run_workspace(
    ws: Workspace,
    number: str,
    *,
    rules_dirs: Sequence[Path] = (),
    language: str = "zh",
    online: bool = True,
) -> int:
    """Open the workspace on `number` until its window closes; the exit status."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    translations = Translations(app)
    translations.use(language)
    service = OrganizerService(ws, number, rules_dirs=rules_dirs)
    window = OrganizerWindow(service, translations=translations)
    window.fill_screen()
    service.open(online=online)
    try:
        return app.exec()
    finally:
        window.bridge.close()
        service.close()
        window.deleteLater()
        translations.remove()
