"""A first open after new data: the window says the review is being computed, stays responsive
(the engine runs on the workspace's worker thread), then shows the view."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from kiosk.reports.organizer_data import Pulled
from kiosk.reports.workspace import Workspace
from kiosk.services.organizer import OrganizerService
from kiosk.services.organizer_view import ActionResult
from kiosk.ui.organizer.window import OrganizerWindow
from kiosk.ui.texts import translate
from tests.support.desk import flush_deletes
from tests.support.organizer_ws import NUMBER, enroll_organizer, live_platform, seed_event
from tests.support.roster import DAY1, at
from tests.support.tls import TlsFiles

pytestmark = [pytest.mark.timeout(120)]
WAIT = 30_000


class HeldService(OrganizerService):
    """The real workspace, whose first review waits for the test's go once it has begun."""

    def __init__(self, ws: Workspace, number: str) -> None:
        super().__init__(ws, number)
        self.go = threading.Event()
        self.computed_on: list[str] = []

    def _need_data(self) -> Pulled:
        if not self.computed_on:  # the first read is the review's, after it said "computing"
            self.computed_on.append(threading.current_thread().name)
            assert self.go.wait(30)
        return super()._need_data()


def test_the_review_is_computed_off_the_gui_thread_with_a_computing_state(
    tmp_path: Path, tls: TlsFiles, qtbot: QtBot
) -> None:
    with live_platform(tmp_path, tls) as server:
        seed_event(server)
        server.clock.set(at(DAY1, 13))
        ws = Workspace(tmp_path / "organizer")
        enroll_organizer(server, ws)
        service = HeldService(ws, NUMBER)
        window = OrganizerWindow(service)
        states: list[bool] = []
        results: list[ActionResult] = []
        window.bridge.computing.connect(states.append)
        window.bridge.result.connect(results.append)
        window.resize(1366, 768)
        window.show()
        ticks: list[int] = []
        timer = QTimer(window)
        timer.timeout.connect(lambda: ticks.append(1))
        try:
            assert not window.computing_panel.isVisible()
            service.open()
            qtbot.waitUntil(window.computing_panel.isVisible, timeout=WAIT)
            assert window.computing.text() == translate(
                "Organizer", "Computing the review of the new data… (a few seconds)"
            )
            assert window.view is None and not window.pages.isEnabled()
            assert not window.refresh_button.isEnabled()
            # The engine holds the worker thread, not the GUI thread: the window's timer runs.
            timer.start(10)
            qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=WAIT)
            assert service.computed_on and service.computed_on[0].startswith("organizer")
            assert service.computed_on[0] != threading.main_thread().name
            assert window.view is None  # still computing

            service.go.set()
            qtbot.waitUntil(lambda: window.view is not None, timeout=WAIT)
            qtbot.waitUntil(lambda: not window.computing_panel.isVisible(), timeout=WAIT)
            assert window.pages.isEnabled() and window.refresh_button.isEnabled()
            assert states[:2] == [True, False]

            # Nothing new: the kept result is shown at once, without a computing state.
            qtbot.waitUntil(lambda: any(r.action == "open" for r in results), timeout=WAIT)
            before = len(states)
            window.refresh_button.click()
            qtbot.waitUntil(lambda: any(r.action == "refresh" for r in results), timeout=WAIT)
            assert len(states) == before
        finally:
            timer.stop()
            window.close()
            service.close()
            window.deleteLater()
            flush_deletes()
