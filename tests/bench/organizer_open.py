"""Open the workspace window on an enrolled, pulled project and print how long until it shows.

Run by bench_organizer.py in its own process: `python tests/bench/organizer_open.py DATA_DIR
PROJECT [--online]`. Prints `open <seconds since start> <seconds after imports> <rows>`.
"""

from __future__ import annotations

import time

START = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.reports.workspace import Workspace  # noqa: E402
from kiosk.services.organizer import OrganizerService  # noqa: E402
from kiosk.ui.i18n import Translations  # noqa: E402
from kiosk.ui.organizer.window import OrganizerWindow  # noqa: E402


def main() -> None:
    """Open, wait for the first view on screen, print the times."""
    data, number = Path(sys.argv[1]), sys.argv[2]
    online = "--online" in sys.argv
    app = QApplication(sys.argv[:1])
    imported = time.perf_counter()
    translations = Translations(app)
    translations.use("zh")
    service = OrganizerService(Workspace(data / "organizer"), number)
    window = OrganizerWindow(service, translations=translations)
    window.resize(1366, 768)
    window.show()
    service.open(online=online)
    while window.view is None:
        app.processEvents()
        time.sleep(0.002)
    app.processEvents()  # the screens have the view: painted on the next pass
    window.repaint()
    done = time.perf_counter()
    print(f"open {done - START:.3f} {done - imported:.3f} {len(window.view.table.rows)}")
    window.bridge.close()
    service.close()
    window.deleteLater()


if __name__ == "__main__":
    main()
