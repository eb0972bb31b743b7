"""A desk over a real store and project: its desk service, a Qt bridge, runtimes from config dicts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from kiosk.config import parse_config
from kiosk.runtime import Runtime
from kiosk.services.checkin import CheckInService, Outcome
from kiosk.services.desk import DeskService
from kiosk.ui.bridge import DeskBridge
from kiosk.ui.desk_window import DeskWindow
from kiosk.ui.i18n import Translations
from kiosk.ui.lifetime import watch
from sync.store import Store
from tests.support.qr import PlatformKeys
from tests.support.roster import DAY1, FakeClock, at, make_project, make_roster

DENIED_KEY = b"k" * 32


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `condition` (processing Qt events) until true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@contextmanager
def desk_language(lang: str = "zh") -> Iterator[Translations]:
    """The desk's translator installed for a test (the desk speaks Chinese by default)."""
    app = QApplication.instance()
    assert app is not None
    translations = Translations(app)
    assert translations.use(lang), f"translation {lang} did not load: run make dev (lrelease)"
    try:
        yield translations
    finally:
        translations.use("en")


def flush_deletes() -> None:
    """Run the GUI thread's deferred deletes now (what a turning event loop would do)."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


class Outcomes:
    """Every outcome the bridge emits, as the GUI thread receives them (queued signals)."""

    def __init__(self, bridge: DeskBridge) -> None:
        self.items: list[Outcome] = []
        self.threads: set[str] = set()
        bridge.outcome.connect(self._add)

    def _add(self, outcome: Outcome) -> None:
        self.threads.add(threading.current_thread().name)
        self.items.append(outcome)

    def wait(self, n: int = 1, timeout: float = 10.0) -> Outcome:
        """The n-th outcome; fails the test if it does not come in time."""
        if not wait_for(lambda: len(self.items) >= n, timeout):
            pytest.fail(f"no outcome #{n} within {timeout} s; got {self.items}")
        return self.items[n - 1]

    def settle(self, seconds: float) -> None:
        """Keep the event loop turning a while (to show that nothing more arrives)."""
        wait_for(lambda: False, seconds)


class DeskRig:
    """A project's store with roster, ticket key and secrets; the desk service and its bridge.

    The bridge hangs off `owner`, a QObject standing in for the desk window: both are made here
    on the GUI thread and deleted there by `close()`, never by the garbage collector.
    """

    def __init__(self, tmp: Path, *, clock: FakeClock) -> None:
        self.keys = PlatformKeys()
        self.project = make_project()
        self.clock = clock
        self.store = Store.open(tmp / "kiosk.sqlite3")
        self.store.roster.save_project(self.project)
        roster = make_roster(3)
        self.store.roster.save_roster(self.project.number, roster)
        self.store.keys.save_project_keys(
            self.project.number,
            ticket_keys={self.keys.key_id: self.keys.public},
            denied_hmac_key=DENIED_KEY,
        )
        self.store.keys.save_attendee_secrets(
            self.project.number, {a.id: self.keys.secret(a.id) for a in roster}
        )
        self.service = CheckInService(
            store=self.store,
            project=self.project,
            device_id="desk-a",
            desk_name="A",
            clock=clock,
            denied_key=DENIED_KEY,
        )
        self.desk = DeskService(self.service)
        self.owner = QObject()
        watch(self.owner, "test desk owner")
        self.bridge = DeskBridge(self.desk, parent=self.owner)
        self.outcomes = Outcomes(self.bridge)
        self.devices: list[Any] = []
        self.bridge.device.connect(self.devices.append)
        self._runtimes: list[Runtime] = []
        self._windows: list[DeskWindow] = []

    def window(self, **kw: Any) -> DeskWindow:
        """A desk window on this desk (closed and deleted on the GUI thread at teardown)."""
        window = DeskWindow(self.desk, **kw)
        self._windows.append(window)
        return window

    def runtime(self, config: dict[str, Any]) -> Runtime:
        """A started runtime for this configuration (stopped at teardown)."""
        rt = Runtime.from_config(parse_config(config), desk=self.desk)
        self._runtimes.append(rt)
        rt.start()
        return rt

    def ticket(self, attendee: str) -> str:
        """A valid signed ticket for this project."""
        return self.keys.ticket(self.project.number, attendee, start=at(DAY1, 0))

    def close(self) -> None:
        """Stop runtimes, drain the desk thread, delete the Qt side, close the store."""
        for rt in self._runtimes:
            rt.stop()
        for window in self._windows:
            window.close()
            window.deleteLater()
        self.bridge.close()
        self.desk.stop()
        self.owner.deleteLater()
        flush_deletes()
        self.store.close()


def desk_rig(tmp_path: Path) -> DeskRig:
    """The desk at 08:20 on the project's first day."""
    return DeskRig(tmp_path, clock=FakeClock(at(DAY1, 8, 20)))
