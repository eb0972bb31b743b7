"""Retention in a running kiosk: due projects are purged at start and listeners hear of it."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from kiosk.config import PrivacySection
from kiosk.services.retention import RetentionLoop
from sync.store import Store
from tests.support.roster import DAY2, at, make_project, make_roster


def _store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "kiosk.sqlite3")
    for number in ("2026-15-01-001", "2026-15-01-002"):
        store.roster.save_project(make_project(number))
        store.roster.save_roster(number, make_roster(3))
    store.records.save_face_template(
        project="2026-15-01-001",
        attendee_id="A1",
        template=b"\x01" * 512,
        source="roster",
        consent_at=at(DAY2, 8),
    )
    return store


def test_the_loop_purges_what_is_due_at_start_and_tells_listeners(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.mark_submitted("2026-15-01-002", at(DAY2, 18))
    heard: list[str] = []
    # 31 days after the submission of -002, 31 days after the last day of -001 (never submitted).
    now = at(DAY2, 18) + timedelta(days=31)
    loop = RetentionLoop(store, PrivacySection(), on_purged=heard.append, clock=lambda: now)
    loop.start()
    deadline = time.monotonic() + 5
    while not heard and time.monotonic() < deadline:
        time.sleep(0.02)
    loop.stop()
    assert not loop.is_alive()
    assert heard == ["2026-15-01-002"]  # submitted 31 days ago: past the 30-day default
    assert store.roster.roster_size("2026-15-01-002") == 0
    assert store.roster.roster_size("2026-15-01-001") == 3  # never submitted: kept 90 days
    assert store.records.face_templates("2026-15-01-001")


def test_never_submitted_projects_go_after_their_own_period_and_only_once(tmp_path: Path) -> None:
    store = _store(tmp_path)
    privacy = PrivacySection(retention_days_if_never_submitted=10)
    later = at(DAY2, 23) + timedelta(days=11)
    heard: list[str] = []
    loop = RetentionLoop(store, privacy, on_purged=heard.append, clock=lambda: later)
    assert sorted(loop.step()) == ["2026-15-01-001", "2026-15-01-002"]
    assert loop.step() == []
    assert sorted(heard) == ["2026-15-01-001", "2026-15-01-002"]
    assert store.records.face_templates("2026-15-01-001") == {}


def test_a_failing_listener_does_not_stop_retention(tmp_path: Path) -> None:
    store = _store(tmp_path)
    privacy = PrivacySection(retention_days_if_never_submitted=0)

    def broken(number: str) -> None:
        raise RuntimeError("listener bug")

    loop = RetentionLoop(
        store, privacy, on_purged=broken, clock=lambda: at(DAY2, 23) + timedelta(hours=2)
    )
    assert len(loop.step()) == 2
    assert loop.purged and store.roster.roster_size("2026-15-01-001") == 0
